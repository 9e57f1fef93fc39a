"""为我推荐 done right (issue 10) and the matcher's service path (issue 13): the page only reads; cards
carry company, pay, place, distance, kind of work, reasons in second person and 投递/已投递; people's
own words are read as occupations; rostered people get a list a commissioner reviews by hand."""
from __future__ import annotations

import contextlib
import json
import re

import pytest
from sqlalchemy import event, func, select

from core.matching.pool import clear_pools

HOME = (35.06, 118.34)  # a street in 兰山区
NEAR = (35.10, 118.35)  # about 4.5 km north


@pytest.fixture(autouse=True)
def _fresh_pool():
    clear_pools()
    yield
    clear_pools()


def _enterprise(db_session, name="临沂顺达物流有限公司"):
    from core.enterprises.models import Enterprise

    ent = Enterprise(name=name, normalized_name=name.removesuffix("有限公司"))
    db_session.add(ent)
    db_session.commit()
    return ent


def _warehouse_market(make_posting, db_session):
    ent = _enterprise(db_session)
    store = make_posting(title="仓库管理员", occupation_code="4-02-06-01", region_code="371302", lat=NEAR[0],
                         lon=NEAR[1], enterprise_id=ent.id, description="负责货物出入库登记、盘点", pay_min=150,
                         pay_max=200, employment_type="gig")
    store.pay_unit = "day"
    guard = make_posting(title="保安员", occupation_code="4-07-05-01", region_code="371302", lat=35.0, lon=118.30,
                         description="小区门岗值守、巡逻")
    far = make_posting(title="仓库管理员（北京）", occupation_code="4-02-06-01", region_code="110105",
                       description="负责货物出入库登记")
    db_session.commit()
    return store, guard, far


def _me(db_session, seeker, **fields):
    for k, v in {"lat": HOME[0], "lon": HOME[1], **fields}.items():
        setattr(seeker, k, v)
    db_session.commit()


@contextlib.contextmanager
def _writes_recorded(app):
    """Every INSERT/UPDATE/DELETE (and explicit write transaction) sent to the database meanwhile."""
    from webapp.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        if re.match(r"\s*(INSERT|UPDATE|DELETE|BEGIN IMMEDIATE)", statement, re.I):
            seen.append(statement.split("\n")[0][:120])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _card(html: str, posting_id: int) -> str:
    """One card of the list: from its id to the next card or the end of the list."""
    start = html.index(f'id="posting-{posting_id}"')
    ends = [i for i in (html.find('class="posting-item', start), html.find("</ol>", start)) if i > 0]
    return html[start:min(ends)]


def _row_counts(db_session) -> dict[str, int]:
    from core.all_models import metadata

    return {t.name: db_session.scalar(select(func.count()).select_from(t)) for t in metadata.sorted_tables}


def test_the_page_only_reads(app, client, seeker_with_profile, matcher, make_posting, db_session):
    from core.matching.models import StoredEmbedding

    _warehouse_market(make_posting, db_session)
    user, seeker = seeker_with_profile(desired_titles="仓库管理员", consent_recommendation="on")
    _me(db_session, seeker)
    # the profile save stored the person's vector: the page needs none computed, let alone written
    assert db_session.scalar(select(StoredEmbedding).where(StoredEmbedding.subject_type == "seeker",
                                                           StoredEmbedding.subject_id == seeker.id)) is not None
    before = _row_counts(db_session)
    with _writes_recorded(app) as writes:
        for _ in range(2):  # the first visit builds the pool, the second reuses it
            resp = client.get("/seeker/recommendations")
            assert resp.status_code == 200 and "仓库管理员" in resp.get_data(as_text=True)
    assert writes == []
    assert _row_counts(db_session) == before


def test_cards_say_what_a_person_needs_in_plain_words(client, seeker_with_profile, matcher, make_posting,
                                                      db_session):
    from core.applications.models import Application

    store, guard, far = _warehouse_market(make_posting, db_session)
    user, seeker = seeker_with_profile(desired_titles="仓库管理员", consent_recommendation="on",
                                       expected_pay_min="3000")
    _me(db_session, seeker)
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    card = _card(html, store.id)
    assert "临沂顺达物流有限公司" in card and "150-200元/天" in card and "兰山区" in card
    assert "离您约 4.5 公里" in card and "零工" in card
    assert "与您想做的仓库管理员是同一类工作" in card
    assert 'name="origin" value="recommendation"' in card and "投递" in card
    assert f'id="posting-{far.id}"' not in html  # another city, outside the commute
    for bad in ("匹配度", "求职者未填写意向职业编码", "学历学历", "语义相似度", "4-02-06-01"):
        assert bad not in html
    # apply from the card: back on the page, the card says 已投递 and the application says where it came from
    resp = client.post(f"/me/apply/{store.id}", data={"origin": "recommendation"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/seeker/recommendations#posting-{store.id}")
    app_row = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    assert app_row.posting_id == store.id and app_row.origin == "recommendation"
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert "已投递" in _card(html, store.id) and "已投递" not in _card(html, guard.id)


def test_a_self_description_alone_gets_relevant_nearby_posts(client, seeker_with_profile, matcher, make_posting,
                                                             db_session):
    store, guard, far = _warehouse_market(make_posting, db_session)
    user, seeker = seeker_with_profile(consent_recommendation="on", skills="",
                                       summary="以前在物流公司仓库当过仓管，想找离家近的活")
    _me(db_session, seeker)
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert html.index(f'id="posting-{store.id}"') < html.index(f'id="posting-{guard.id}"')
    assert "与您提到的物流、仓库、仓管是同一类工作" in html
    api = client.get(f"/api/v1/jobseekers/{seeker.id}/recommendations").get_json()
    assert api["items"][0]["id"] == store.id and far.id not in [i["id"] for i in api["items"]]


def test_typed_titles_count_like_chosen_codes(matcher, app, make_posting, make_seeker, db_session):
    """"仓库管理员" typed (no code chosen) is read as the occupation: the occupation feature agrees."""
    from core.matching.services import recommend_postings
    from webapp.matching.runtime import get_ranker

    store, guard, _ = _warehouse_market(make_posting, db_session)
    person = make_seeker(titles=["仓库管理员"], skills=[], region_code="371302", lat=HOME[0], lon=HOME[1])
    rec = recommend_postings(db_session, person.id, get_ranker(app), k=5)
    assert rec.seeker.desired_occupations == ["4-02-06-01"]
    first = rec.ranked.items[0]
    assert first.id == store.id and first.features["occupation"] == 1.0
    assert not any("未填写意向职业编码" in line for item in rec.ranked.items for line in item.explanation)


def test_opted_out_count_names_the_open_postings(matcher, app, make_posting, make_seeker, db_session):
    from core.matching.services import rank_postings_for_seeker
    from webapp.matching.runtime import get_ranker

    _warehouse_market(make_posting, db_session)
    person = make_seeker(titles=["仓库管理员"], consent=False, region_code="371302")
    outcome = rank_postings_for_seeker(db_session, person.id, get_ranker(app), store=False)
    assert outcome.ranked.items == [] and outcome.ranked.filtered_out == {"未同意接受智能推荐": 3}


def test_the_pool_follows_withdrawn_and_new_postings(client, seeker_with_profile, matcher, make_posting,
                                                     db_session):
    store, guard, _ = _warehouse_market(make_posting, db_session)
    user, seeker = seeker_with_profile(desired_titles="仓库管理员", consent_recommendation="on")
    _me(db_session, seeker)
    assert f'id="posting-{store.id}"' in client.get("/seeker/recommendations").get_data(as_text=True)
    store.status = "withdrawn"  # written straight to the table, no outbox event: the rows are read again
    db_session.commit()
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert f'id="posting-{store.id}"' not in html and f'id="posting-{guard.id}"' in html
    fresh = make_posting(title="仓储管理员", occupation_code="4-02-06-01", region_code="371302", lat=NEAR[0],
                         lon=NEAR[1])
    assert f'id="posting-{fresh.id}"' in client.get("/seeker/recommendations").get_data(as_text=True)


ROSTER_HEADER = "姓名,身份证号码,联系电话,现居住地,学历,期望岗位,个人简介,人员类别\n"


def _roster(tmp_path, runner, *flags):
    from tests.web.conftest import make_id_number

    rows = [f"陈大山,{make_id_number('19700202', '440111')},13900139000,广州市白云区,初中,,种过地，会开叉车,被征地农民",
            f"李秀英,{make_id_number('19750303', '440111')},13900139002,广州市白云区,小学,保洁,,被征地农民"]
    path = tmp_path / "被征地农民名单.csv"
    if not path.exists():  # the same people (ID numbers) on every import of the test
        path.write_text(ROSTER_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["seekers", "import", str(path), "--json", *flags])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_commissioner_reviews_ranked_posts_for_a_rostered_farmer(client, runner, tmp_path, login_as, matcher,
                                                                 make_posting, db_session):
    from core.audit.models import AuditEvent
    from core.seekers.models import Jobseeker

    from core.matching.models import StoredEmbedding

    data = _roster(tmp_path, runner)
    chen = db_session.get(Jobseeker, data["results"][0]["jobseeker_id"])
    assert chen.origin == "roster" and not chen.consent_recommendation
    # the import stored the people's vectors: their lists read them, computing nothing
    assert db_session.scalar(select(func.count()).select_from(StoredEmbedding).where(
        StoredEmbedding.subject_type == "seeker")) == 2
    forklift = make_posting(title="叉车司机", occupation_code="6-30-05-01", region_code="440111",
                            description="仓库叉车装卸")
    make_posting(title="保洁员", region_code="440111", description="商场保洁")
    login_as("commissioner", region_code="440100")
    listing = client.get("/commissioner/matching/").get_data(as_text=True)
    assert "陈大山" in listing and re.search(r'id="without-consent">2<', listing)
    resp = client.get(f"/commissioner/matching/jobseekers/{chen.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "没有同意接受智能推荐" in html and "人工把关" in html
    assert f'id="posting-{forklift.id}"' in html and "与此人提到的叉车是同一类工作" in html
    assert "未同意接受智能推荐\": 0" not in html
    resp = client.post(f"/commissioner/matching/jobseekers/{chen.id}/offer", data={"posting_id": forklift.id},
                       follow_redirects=True)
    assert "请电话告诉本人" in resp.get_data(as_text=True)
    offered = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "offer_posting"))
    assert offered.subject_id == chen.id and "叉车司机" in offered.purpose
    # the person's own 为我推荐 (were they to sign in) still recommends nothing without their consent
    from core.matching.services import recommend_postings
    from webapp.matching.runtime import get_ranker

    assert recommend_postings(db_session, chen.id, get_ranker(client.application)).ranked.items == []
    client.post("/logout")
    login_as("commissioner", region_code="370100")
    assert client.get(f"/commissioner/matching/jobseekers/{chen.id}").status_code == 403


def test_offer_reaches_the_inbox_of_a_person_with_an_account(client, login_as, matcher, make_posting, make_seeker,
                                                             make_user, db_session):
    from core.notifications.models import Notification

    account = make_user("jobseeker")
    person = make_seeker(name="王有号", titles=["保洁"], consent=False, user_id=account.id, region_code="440106")
    post = make_posting(title="保洁员", region_code="440106")
    login_as("commissioner", region_code="440100")
    resp = client.post(f"/commissioner/matching/jobseekers/{person.id}/offer", data={"posting_id": post.id})
    assert resp.status_code == 302
    note = db_session.scalar(select(Notification).where(Notification.user_id == account.id))
    assert "保洁员" in note.title and note.link == f"/postings/{post.id}"


def test_roster_reimport_with_consent_updates_then_reports_unchanged(runner, tmp_path, db_session):
    from core.seekers.models import Jobseeker

    first = _roster(tmp_path, runner)
    assert first["created"] == 2
    ids = [r["jobseeker_id"] for r in first["results"]]
    again = _roster(tmp_path, runner, "--consent")
    assert again["created"] == 0 and again["updated"] == 2 and again["existing"] == 0
    assert {r["status"] for r in again["results"]} == {"updated"}
    assert all(db_session.get(Jobseeker, i).consent_recommendation for i in ids)
    third = _roster(tmp_path, runner, "--consent")
    assert third["updated"] == 0 and third["existing"] == 2
    text = runner.invoke(args=["seekers", "import", str(tmp_path / "被征地农民名单.csv")]).output
    assert "已存在未改动 2" in text and "未改动" in text


def test_a_change_through_the_outbox_is_indexed_apart_without_rebuilding(matcher, app, make_posting, make_seeker,
                                                                         db_session):
    """An edited posting (new version, outbox event) leaves the built index as it is: its old row is
    marked out of date and the new version goes to the small index of changes, found at once."""
    from core.matching import pool as pools
    from core.matching.services import posting_profile, recommend_postings
    from core.outbox.services import emit
    from webapp.matching.runtime import get_ranker

    ranker = get_ranker(app)
    store, guard, far = _warehouse_market(make_posting, db_session)
    person = make_seeker(titles=["仓库管理员"], skills=[], region_code="371302", lat=HOME[0], lon=HOME[1])
    first = pools.posting_pool(db_session, ranker, posting_profile)
    assert {far.id} < set(first.entries) and first.delta is None
    far.region_code, far.lat, far.lon, far.version = "371302", NEAR[0], NEAR[1], far.version + 1  # moved here
    emit(db_session, "posting", far.id)
    db_session.commit()
    second = pools.posting_pool(db_session, ranker, posting_profile)
    assert second.base is first.base and second.dead[second.base_row(far.id)]
    assert [p.id for p in second.delta.profiles] == [far.id]
    shown = [i.id for i in recommend_postings(db_session, person.id, ranker, k=5).ranked.items]
    assert far.id in shown and store.id in shown
