"""What the encoder learns from, read from the database (core.matching.corpus): only published
postings, as matching's plain records, with their occupation as the category."""
from __future__ import annotations

from core.channels.models import Channel
from core.enums import ChannelKind, PostingStatus
from core.matching.corpus import training_occupations, training_postings
from core.postings.models import Posting


def _posting(session, channel, title, status=PostingStatus.PUBLISHED, **kw):
    p = Posting(title=title, description=kw.pop("description", f"{title}，负责日常工作，要求吃苦耐劳。"),
                channel_id=channel.id, status=status, **kw)
    session.add(p)
    session.flush()
    return p


def test_published_postings_become_training_records(db_session):
    ch = Channel(code="corpus-gd", name="广东省公共招聘网", kind=ChannelKind.PROVINCIAL_SITE)
    db_session.add(ch)
    db_session.flush()
    welder = _posting(db_session, ch, "电焊工", occupation_code="6-18-02-04", region_code="440106",
                      skills=["电焊", "氩弧焊"], pay_monthly_min=6000, pay_monthly_max=8000, education="senior",
                      experience_years=2, lat=23.12, lon=113.36)
    beijing = _posting(db_session, ch, "保安员", region_code="110101")
    held = _posting(db_session, ch, "待审核的焊工", occupation_code="6-18-02-04",
                    status=PostingStatus.PENDING_REVIEW)
    _posting(db_session, ch, "已下架的岗位", status=PostingStatus.EXPIRED)

    records = {r.id: r for r in training_postings(db_session)}
    assert set(records) == {f"posting-{welder.id}", f"posting-{beijing.id}", f"posting-{held.id}"}
    # a held posting's text is learned from, but its occupation (perhaps the uncertain guess it was
    # held for) is not taken as a category
    assert records[f"posting-{held.id}"].category == ""
    w = records[f"posting-{welder.id}"]
    assert (w.title, w.category, w.skills, w.source) == ("电焊工", "焊工", ["电焊", "氩弧焊"], "corpus-gd")
    assert (w.city, w.district) == ("广州", "天河区")
    assert (w.pay_min, w.pay_max, w.education, w.experience, w.lat) == (6000, 8000, "senior", "2", 23.12)
    b = records[f"posting-{beijing.id}"]
    assert (b.city, b.district, b.category, b.experience) == ("北京", "东城区", "", "")
    assert [r.title for r in training_postings(db_session, limit=1)] == ["电焊工"]


def test_occupations_are_the_whole_classification(db_session):
    occupations = training_occupations(db_session)
    assert sum(o.level == 4 for o in occupations) == 1639
    by_code = {o.code: o for o in occupations}
    assert by_code["6-18-02-04"].name == "焊工" and by_code["6-18-02-04"].level == 4
