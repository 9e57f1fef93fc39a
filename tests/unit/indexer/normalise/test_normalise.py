"""normalise(): a whole draft, as the channels send it, to the platform's codes; problems as Issues."""
import datetime as dt

import pytest

from indexer.drafts import PostingDraft
from indexer.normalise import NormaliseContext, make_context, normalise

TODAY = dt.date(2025, 3, 10)


@pytest.fixture(scope="module")
def ctx() -> NormaliseContext:
    return make_context(today=TODAY)


def _draft(**kw):
    base = dict(channel_code="gd-ggfw", external_id="1", raw={})
    base.update(kw)
    return PostingDraft(**base)


def codes(n):
    return {i.code for i in n.issues}


def test_real_51job_record(ctx):
    # 51JOB_100413998 from the shared postings, as the JSON-lines adapter maps it
    d = _draft(
        title="4000无责底薪+免费住宿+地铁口+节日福利+客户代表", company_name="原泰科技", region_text="昆明·盘龙区",
        address="昆明·盘龙区", lat=25.068, lon=102.721, pay_min=6000, pay_max=8000, education_text="高中",
        experience_text=0, published_at="2024-12-14 10:18:23",
        description="1、性别不限，年龄18-30岁，高中及以上学历；\n2、有无工作经验均可；",
    )
    n = normalise(d, ctx)
    assert n.region_code == "530103"
    assert (n.lat, n.lon) == (25.068, 102.721)       # the channel's own coordinates kept
    assert n.occupation_code == "4-01-02-01"
    assert (n.pay_min, n.pay_max, n.pay_unit, n.pay_monthly_min) == (6000, 8000, "month", 6000)
    assert n.education == "senior" and n.experience_years is None
    assert n.published_at == dt.datetime(2024, 12, 14, 10, 18, 23)
    assert n.valid_until == TODAY + dt.timedelta(days=60)
    assert n.company_normalized_name == "原泰科技"
    assert not any(i.severity in ("hold", "reject") for i in n.issues), n.issues


def test_gig_task(ctx):
    d = _draft(title="顺丰分拣日结 一天160 包吃", pay_text="150-200/天", region_text="广东省广州市白云区钟落潭镇",
               headcount_text="若干", company_name="顺丰速运有限公司", credit_code="91440300279467070b")
    n = normalise(d, ctx)
    assert n.region_code == "440111"
    assert (n.pay_unit, n.employment_type, n.headcount) == ("day", "gig", None)
    assert n.pay_monthly_max == pytest.approx(200 * 21.75)
    assert n.credit_code == "91440300279467070B"     # upper-cased, validated by screening


def test_unreadable_values_are_kept_and_flagged(ctx):
    d = _draft(title="保洁员", pay_text="看能力", region_text="鼓楼区", education_text="看情况",
               headcount_text="很多", experience_text="资深")
    n = normalise(d, ctx)
    assert n.pay_text == "看能力" and n.pay_min is None
    assert {"pay_unparsable", "region_ambiguous", "education_unparsable", "headcount_unparsable",
            "experience_unparsable"} <= codes(n)
    amb = next(i for i in n.issues if i.code == "region_ambiguous")
    assert amb.severity == "hold" and "南京" in amb.message
    assert len(n.region_candidates) == 4 and n.region_code is None


def test_channel_region_settles_a_namesake(ctx):
    nanjing = make_context(channel_region_code="320100", today=TODAY)
    n = normalise(_draft(title="保洁员", region_text="鼓楼区", pay_text="4000-5000元/月"), nanjing)
    assert n.region_code == "320106" and "region_ambiguous" not in codes(n)


def test_missing_title_is_a_reject_issue(ctx):
    n = normalise(_draft(title="  ", region_text="深圳"), ctx)
    issue = next(i for i in n.issues if i.code == "missing_title")
    assert issue.severity == "reject"


def test_codes_given_by_the_channel_are_checked(ctx):
    n = normalise(_draft(title="保安", region_code="371302", occupation_code="4-07-05-01"), ctx)
    assert (n.region_code, n.occupation_code, n.occupation_confidence) == ("371302", "4-07-05-01", 1.0)
    n = normalise(_draft(title="保安", region_code="999999", region_text="临沂兰山", occupation_code="9-99"), ctx)
    assert n.region_code == "371302"
    assert {"region_code_unknown", "occupation_code_unknown"} <= codes(n)


def test_low_confidence_occupation_holds_with_suggestions(ctx):
    n = normalise(_draft(title="综合管理专员", region_text="深圳", pay_text="5000-6000"), ctx)
    issue = next(i for i in n.issues if i.code == "occupation_uncertain")
    assert issue.severity == "hold" and "候选" in issue.message
    assert n.occupation_suggestions


def test_html_stays_text_and_expired_date_is_flagged(ctx):
    n = normalise(_draft(title="<script>alert(1)</script>仓管", description="<b>包住</b>", region_text="深圳",
                         valid_until=dt.date(2025, 1, 1)), ctx)
    assert n.title.startswith("<script>")             # escaped on render, never stripped silently
    assert "expired" in codes(n)
