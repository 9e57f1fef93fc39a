"""The published shortage catalogue in matching (issue 16): a factor of the score that puts a post of a
catalogue occupation ahead of an otherwise equal one — only when the catalogue is published (a draft
counts for nothing) and the ``shortage`` weight is above 0 — and, on 为我推荐 and on a commissioner's
page for one person, the training courses and subsidies for catalogue work."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.matching.pool import clear_pools

WELDER, CASTER, OTHER = "6-18-02-04", "6-18-02-01", "4-02-06-01"  # 焊工, 铸造工, 仓库管理员
HOME = (35.06, 118.34)


@pytest.fixture(autouse=True)
def _fresh_pool():
    clear_pools()
    yield
    clear_pools()


@pytest.fixture
def weights(app):
    from webapp.matching.runtime import reset_ranker

    old = app.config.get("MATCHER_WEIGHTS")

    def use(value):
        app.config["MATCHER_WEIGHTS"] = value
        reset_ranker(app)

    yield use
    use(old)


def _catalogue(db_session, *codes, publish=True):
    from core.statistics import catalogue as cat
    from core.statistics.models import ShortageCatalogue, ShortageEntry

    draft = ShortageCatalogue(state="draft", period="2026-Q4", rules={},
                              entries=[ShortageEntry(occupation_code=c, reason="staff") for c in codes])
    db_session.add(draft)
    db_session.flush()
    if publish:
        cat.publish_draft(db_session, None)
    db_session.commit()


def _twin_posts(app, make_posting, db_session):
    """Two posts alike in everything the score reads (the same stored vector too), but of two
    occupations the person wants: without the factor the tie keeps the first created first."""
    from core.matching.models import StoredEmbedding
    from core.matching.services import embed_postings
    from webapp.matching.runtime import get_ranker

    kw = dict(title="焊工", description="钢结构焊接，包吃住", region_code="371302", lat=HOME[0], lon=HOME[1],
              pay_min=6000, pay_max=8000, skills=["电焊"])
    first = make_posting(occupation_code=CASTER, **kw)
    second = make_posting(occupation_code=WELDER, **kw)
    embed_postings(db_session, get_ranker(app), [first.id, second.id])
    stored = {e.subject_id: e for e in db_session.scalars(select(StoredEmbedding).where(
        StoredEmbedding.subject_type == "posting"))}
    stored[second.id].vector = stored[first.id].vector
    db_session.commit()
    return first, second


def _welder(make_seeker, **kw):
    return make_seeker(titles=["焊工"], desired_occupations=[WELDER, CASTER], region_code="371302", lat=HOME[0],
                       lon=HOME[1], skills=["电焊"], expected_pay_min=5000, **kw)


def _order(client, seeker_id) -> list[int]:
    resp = client.get(f"/api/v1/jobseekers/{seeker_id}/recommendations")
    assert resp.status_code == 200
    return [i["id"] for i in resp.get_json()["items"]]


def test_the_published_catalogue_moves_a_post_up_only_with_a_weight(app, client, login_as, matcher, make_posting,
                                                                    make_seeker, db_session, weights):
    first, second = _twin_posts(app, make_posting, db_session)
    person = _welder(make_seeker)
    login_as("commissioner", region_code="371300")
    weights(None)
    assert _order(client, person.id) == [first.id, second.id]
    _catalogue(db_session, WELDER, publish=False)  # a draft counts for nothing
    assert _order(client, person.id) == [first.id, second.id]
    _catalogue(db_session, WELDER)
    items = client.get(f"/api/v1/jobseekers/{person.id}/recommendations").get_json()["items"]
    assert [i["id"] for i in items] == [second.id, first.id]
    assert "本地紧缺工种，优先推荐" in items[0]["explanation"] and "紧缺" not in items[1]["explanation"]
    weights('{"shortage": 0}')  # switched off: the catalogue no longer orders
    assert _order(client, person.id) == [first.id, second.id]
    weights('{"shortage": 0.2}')
    assert _order(client, person.id) == [second.id, first.id]


def test_staff_see_the_line_on_a_posts_ranked_people(client, login_as, matcher, make_posting, make_seeker,
                                                     db_session):
    post = make_posting(title="焊工", occupation_code=WELDER, region_code="371302", lat=HOME[0], lon=HOME[1])
    _welder(make_seeker)
    login_as("commissioner", region_code="371300")
    assert "本地紧缺工种，" not in client.get(f"/commissioner/matching/postings/{post.id}").get_data(as_text=True)
    _catalogue(db_session, WELDER)
    html = client.get(f"/commissioner/matching/postings/{post.id}").get_data(as_text=True)
    assert "本地紧缺工种，优先推荐" in html and "紧缺工种 0.05" in html  # the weight, named in words


def _course(db_session, occupation_text="焊工", region_code="371302", starts_in=10, places=20, **kw):
    from core.channels.models import Channel
    from core.enums import ChannelKind
    from core.projects.models import TrainingCourse

    inst = Channel(code=f"train-{occupation_text}-{region_code}-{starts_in}", name="临沂技工培训学校",
                   kind=ChannelKind.TRAINING_INSTITUTION, region_code=region_code)
    db_session.add(inst)
    db_session.flush()
    start = dt.date.today() + dt.timedelta(days=starts_in)
    course = TrainingCourse(institution_id=inst.id, name=kw.pop("name", f"{occupation_text}订单培训班"),
                            occupation_text=occupation_text, hours=kw.pop("hours", 80), sessions=10, places=places,
                            start_date=start, end_date=start + dt.timedelta(days=30), region_code=region_code,
                            subsidy_eligible=True, certificate_name=kw.pop("certificate_name", "焊工职业技能等级证书"))
    db_session.add(course)
    db_session.commit()
    return course


def test_the_hint_on_recommendations_for_catalogue_work_only(client, seeker_with_profile, matcher, make_posting,
                                                             db_session):
    make_posting(title="焊工", occupation_code=WELDER, region_code="371302", lat=HOME[0], lon=HOME[1])
    here = _course(db_session)
    _course(db_session, region_code="110105", name="北京焊工班")  # another city
    _course(db_session, starts_in=-3, name="已开班的焊工班")  # already started
    _course(db_session, occupation_text="保洁员", name="保洁培训班")
    user, seeker = seeker_with_profile(desired_titles="焊工", consent_recommendation="on")
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert 'id="shortage-hint"' not in html  # no catalogue published yet
    _catalogue(db_session, OTHER)  # a catalogue without the person's work
    assert 'id="shortage-hint"' not in client.get("/seeker/recommendations").get_data(as_text=True)
    _catalogue(db_session, WELDER)
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    hint = html[html.index('id="shortage-hint"'):html.index("</section>", html.index('id="shortage-hint"'))]
    assert "焊工</strong>是人社部门公布的本地紧缺工种" in hint
    assert f'href="/projects/training/open#course-{here.id}"' in hint and "还剩 20 个名额" in hint
    assert "可申领职业培训补贴约 1200 元" in hint  # 80 class hours x 15 yuan, within the 1,500 cap
    assert "考取焊工职业技能等级证书，可申领职业技能评价补贴 500 元" in hint
    for other in ("北京焊工班", "已开班的焊工班", "保洁培训班"):
        assert other not in hint
    assert "以当地人社部门公布为准" in hint
    words = re.sub(r"<[^>]+>", "", hint)  # what the person reads: no code, no field name
    for bad in (WELDER, "None", "occupation", "training"):
        assert bad not in words


def test_the_hint_names_hiring_subsidies_and_says_when_no_course_runs(client, seeker_with_profile, matcher,
                                                                      make_posting, db_session):
    from core.enums import PriorityGroup, VerificationStatus
    from core.seekers.models import JobseekerGroup

    make_posting(title="焊工", occupation_code=WELDER, region_code="371302", lat=HOME[0], lon=HOME[1])
    _catalogue(db_session, WELDER)
    user, seeker = seeker_with_profile(desired_titles="焊工", consent_recommendation="on")
    seeker.groups = [JobseekerGroup(group=PriorityGroup.HARD_TO_EMPLOY, verification=VerificationStatus.VERIFIED)]
    db_session.commit()
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert "现在您所在的地方还没有开班的焊工培训" in html and 'href="/projects/training/open"' in html
    assert "您是就业困难人员，单位招用您可以申请社会保险补贴" in html


def test_commissioner_sees_the_hint_on_a_persons_page(client, login_as, matcher, make_posting, make_seeker,
                                                      db_session):
    make_posting(title="焊工", occupation_code=WELDER, region_code="371302", lat=HOME[0], lon=HOME[1])
    course = _course(db_session)
    person = make_seeker(titles=["焊工"], region_code="371302", consent=False)
    login_as("commissioner", region_code="371300")
    assert 'id="shortage-hint"' not in client.get(f"/commissioner/matching/jobseekers/{person.id}").get_data(
        as_text=True)
    _catalogue(db_session, WELDER)
    html = client.get(f"/commissioner/matching/jobseekers/{person.id}").get_data(as_text=True)
    assert 'id="shortage-hint"' in html and "此人可以报名这些焊工培训班" in html
    assert f'href="/projects/training/{course.id}"' in html and "找工作时" not in html


def test_the_service_reads_real_rows(app, matcher, make_seeker, db_session):
    from core.projects.models import TrainingEnrolment
    from core.statistics.hints import training_hints

    course = _course(db_session)
    full = _course(db_session, places=1, name="满员焊工班", starts_in=12)
    person = make_seeker(titles=["焊工"], desired_occupations=[WELDER], region_code="371302")
    other = make_seeker(titles=["保洁"], desired_occupations=[], region_code="371302")
    db_session.add(TrainingEnrolment(course_id=full.id, jobseeker_id=other.id))
    db_session.commit()
    assert not training_hints(db_session, person)  # nothing published
    _catalogue(db_session, WELDER)
    hints = training_hints(db_session, person)
    assert [o.code for o in hints.occupations] == [WELDER] and hints.occupations[0].name == "焊工"
    assert [c.id for c in hints.occupations[0].courses] == [course.id]  # the full one is left out
    # a post's occupation counts too (the recommended posts'); one outside the catalogue does not
    assert not training_hints(db_session, other, occupations=[OTHER])
    assert [o.code for o in training_hints(db_session, other, occupations=[WELDER]).occupations] == [WELDER]
