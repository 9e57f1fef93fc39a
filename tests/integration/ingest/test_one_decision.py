"""One publish/hold/reject decision: the reviewers' rule tester (over HTTP), an enterprise publishing
through its form (over HTTP), a channel's records through the pipeline and the dry run
(``screen_drafts``) give the same reasons for the same job description."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.postings.models import Posting
from indexer.drafts import PostingDraft
from indexer.intake import IntakeOptions, Pipeline, screen_drafts

TEXTS = [
    "限男性，35岁以下",                                   # the tester flagged the age limit, the queue did not
    "招聘仓管员，限男性，年龄20-40岁，吃苦耐劳",
    "负责前台接待，已婚已育优先，45岁以内",
    "入职需缴纳押金300元，加微信详聊",
    "操作数控车床加工零件，按图纸完成生产任务。",
    "招收学徒，年龄14-18岁，能吃苦",                       # refused: under the legal working age
]

TITLES = ["普工", "仓管员", "前台接待", "销售代表", "数控车工", "学徒"]   # different jobs: none merges into another
FORM = {"occupation": "", "employment_type": "full_time", "pay_min": "6000", "pay_max": "8000",
        "pay_unit": "month", "region_code": "兰山区", "address": "兰山区工业大道18号", "headcount": "5",
        "education": "高中/中专", "experience": "1年以上", "welfare": "五险一金"}

_REASON = re.compile(r'<li class="reason reason-(\w+)" data-code="([^"]+)">.*?</strong>\s*'
                     r'(?:<span class="hint">字段：([^<]+)</span>)?', re.S)


def _description_codes(reasons: list[dict], hints: bool = True) -> list[str]:
    # the tester judges a text's wording; whether a posting has a job description at all (the January
    # 2026 notice's job_content_missing) is the posting's, which a pasted text cannot tell
    return sorted(r["code"] for r in reasons
                  if r.get("field") == "description" and r["code"] != "job_content_missing"
                  and (hints or r.get("severity") != "info"))


def _tester_codes(client, text: str, hints: bool = True) -> list[str]:
    """The reasons the rule tester page lists for ``text`` (those on the description)."""
    html = client.get("/review/rules", query_string={"sample": text}).get_data(as_text=True)
    tried = html.split("<h2>试一试</h2>", 1)[1].split("</section>", 1)[0]
    return sorted(code for severity, code, field in _REASON.findall(tried)
                  if field == "职位描述" and (hints or severity != "info"))


def _published_by_enterprise(client, db_session, user, text: str) -> list[dict]:
    resp = client.post("/enterprise/postings/new", data={**FORM, "title": TITLES[TEXTS.index(text)], "description": text})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id,
                                                      Posting.description == text))
    return posting.review_reasons


def test_tester_and_enterprise_publishing_give_the_same_reasons(client, login_as, db_session):
    enterprise = login_as("enterprise")
    published = {t: _published_by_enterprise(client, db_session, enterprise, t) for t in TEXTS[:5]}
    client.post("/logout")
    login_as("reviewer")
    for text, reasons in published.items():
        assert _tester_codes(client, text) == _description_codes(reasons), text
    # the case that disagreed: both name the gender requirement AND the age limit
    assert _tester_codes(client, TEXTS[0]) == ["age_limit", "discrimination_gender"]
    assert _description_codes(published[TEXTS[0]]) == ["age_limit", "discrimination_gender"]


@pytest.fixture
def trusted_agency(make_channel):
    return make_channel("agency-trusted", "public_agency", "trusted", region_code="371302")


def _draft(text: str, n: int) -> PostingDraft:
    return PostingDraft(channel_code="agency-trusted", external_id=f"one-decision-{n}", raw={"n": n}, record_number=n,
                        title=TITLES[n - 1], description=text, company_name=f"临沂示例机械制造{n}有限公司",
                        region_text="临沂市兰山区", pay_text="6000-8000元/月", headcount_text="5",
                        education_text="高中/中专")   # every element the January 2026 notice asks for


def test_tester_pipeline_and_dry_run_give_the_same_reasons(client, login_as, db_session, trusted_agency):
    drafts = [_draft(t, n) for n, t in enumerate(TEXTS, start=1)]
    dry = screen_drafts(db_session, [_draft(t, n) for n, t in enumerate(TEXTS, start=1)], trusted_agency)
    results = Pipeline(db_session, IntakeOptions(format="draft")).process_batch(drafts)
    login_as("reviewer")
    for text, result, row in zip(TEXTS, results, dry):
        # a refused record lists what refused it (its hints are moot)
        hints = result.outcome != "rejected"
        tester = _tester_codes(client, text, hints)
        assert _description_codes(result.reasons, hints) == tester, text
        assert _description_codes(row["reasons"], hints) == tester, text
        if result.posting_id is not None:  # what the review queue shows
            assert _description_codes(db_session.get(Posting, result.posting_id).review_reasons) == tester, text
    outcomes = [(result.outcome, row["outcome"]) for result, row in zip(results, dry)]
    assert outcomes == [("held", "hold")] * 4 + [("accepted", "publish"), ("rejected", "reject")]
    assert _tester_codes(client, TEXTS[5]) == ["age_limit", "child_labour"]
