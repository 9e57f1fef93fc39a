"""Bad input at the edge over HTTP: the partner push API and the enterprise's own form clean text once
(NUL, zero-width characters, bidi overrides) and refuse what is out of bounds (a description of a
megabyte, an external id longer than its column, a posting valid until 9999) per record, with a
machine code and a Chinese message, while the good records of the same batch go in."""
from __future__ import annotations

from sqlalchemy import func, select

from core.channels.services import create_channel, issue_api_key
from core.ingest.models import RejectedRecord
from core.postings.models import Posting, PostingSource

from .test_enterprise_pages import GOOD_POST, field_error

URL = "/api/v1/partner/postings"


def _record(ext: str, **over) -> dict:
    rec = {"external_id": ext, "title": "焊工", "description": "负责焊接作业，持证上岗。",
           "employer": {"name": "临沂市兰山区示范机械制造有限公司"}, "location": {"text": "山东省临沂市兰山区"},
           "salary": {"text": "6000-8000元/月"}}
    rec.update(over)
    return rec


def _push(client, db_session, records: list[dict]) -> dict:
    ch = create_channel(db_session, "hr-firm", "人力资源公司", "hr_firm", trust_level="trusted",
                        licence_number="（鲁）人服证字〔2020〕第0101000123号")
    key = issue_api_key(db_session, ch)
    db_session.commit()
    resp = client.post(URL, json={"postings": records}, headers={"X-API-Key": key})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()


def test_partner_records_out_of_bounds_are_refused_one_by_one(client, db_session):
    body = _push(client, db_session, [
        _record("P-1", description="岗位职责" * 250_000),              # a megabyte of description
        _record("P-2", title="\u200b\u200c\u200d\u2060\ufeff"),        # nothing visible
        _record("P-3", valid_until="9999-12-31"),
        _record("P" * 300),                                             # the column holds 128
        _record("P-5", title="焊\u202e工\x00", description="月薪\x00六千\u2067元\u2069",
                url="javascript:alert(1)"),
        _record("P-6", title="电工", skills=["电工证"] * 1 + [f"技能{n}" for n in range(60)]),
    ])
    results = body["results"]
    codes = {r["index"]: r["reasons"][0]["code"] for r in results if r["outcome"] == "rejected"}
    assert codes == {0: "description_too_long", 1: "missing_title", 2: "invalid_valid_until",
                     3: "external_id_too_long", 5: "skills_too_many"}
    messages = {r["index"]: r["reasons"][0]["message"] for r in results if r["outcome"] == "rejected"}
    assert "20000" in messages[0] and "128" in messages[3] and "有效期" in messages[2]
    assert body["rejected"] == 5 and results[4]["outcome"] in {"accepted", "held"}
    assert [p.title for p in db_session.scalars(select(Posting))] == ["焊工"]
    posting = db_session.scalar(select(Posting))
    assert posting.description == "月薪六千元"
    assert db_session.scalar(select(PostingSource.source_url)) is None
    assert any(r["code"] == "invalid_url" for r in results[4]["reasons"])
    kept = db_session.scalar(select(func.count()).select_from(RejectedRecord).where(RejectedRecord.state == "open"))
    assert kept == 5


def test_the_review_page_of_an_accepted_posting_stays_small(client, db_session, login_as):
    body = _push(client, db_session, [_record("P-1", description="岗位职责" * 4_000)])  # 16,000: within bounds
    [result] = body["results"]
    assert result["outcome"] in {"accepted", "held"}
    login_as("reviewer")
    page = client.get(f"/review/postings/{result['posting_id']}")
    assert page.status_code == 200 and len(page.data) < 200_000


def test_enterprise_form_cleans_text_and_refuses_what_is_out_of_bounds(client, login_as, db_session):
    user = login_as("enterprise")
    for over, field in (({"title": "\u200b\u200c\u2060"}, "title"),
                        ({"valid_until": "9999-12-31"}, "valid_until")):
        resp = client.post("/enterprise/postings/new", data={**GOOD_POST, **over})
        assert resp.status_code == 400, over
        assert field_error(resp.get_data(as_text=True), field), (over, resp.get_data(as_text=True)[:2000])
    assert db_session.scalar(select(func.count()).select_from(Posting)) == 0

    resp = client.post("/enterprise/postings/new",
                       data={**GOOD_POST, "title": "数控\u202e车床\x00操作工", "address": "兰山区\u200b工业大道18号"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id))
    assert posting.title == "数控车床操作工" and posting.address == "兰山区工业大道18号"


def test_a_publication_date_in_year_9999_is_noted_not_a_processing_error(client, db_session):
    body = _push(client, db_session, [_record("P-1", published_at="9999-12-31")])
    [result] = body["results"]
    assert result["outcome"] in {"accepted", "held"}, result
    assert "published_at_in_future" in {r["code"] for r in result["reasons"]}
    posting = db_session.get(Posting, result["posting_id"])
    assert posting.valid_until.year < 9999 and (posting.published_at is None or posting.published_at.year < 9999)


def test_every_form_field_is_cleaned_at_the_edge(client, db_session):
    """A NUL byte in a registration made PostgreSQL fail the request (500); zero-width characters
    made a name that reads like another's."""
    from core.accounts.models import User
    from core.seekers.models import Jobseeker

    from .test_registration import seeker_form

    resp = client.post("/register/jobseeker", data=seeker_form(username="zhang\u200bsan_x", name="张\x00三\u202e"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1000]
    user = db_session.scalar(select(User).where(User.username == "zhangsan_x"))
    assert user is not None
    assert db_session.scalar(select(Jobseeker.name).where(Jobseeker.user_id == user.id)) == "张三"
