"""Day, hour and piece rates written in a title, and the normaliser preferring them over a
channel's monthly band (issue #12: "仓库看守380一天…日结" shown as 8001–9千元/月)."""
import datetime as dt

import pytest

from indexer.drafts import PostingDraft
from indexer.normalise import make_context, normalise
from indexer.normalise.pay import DAYS_PER_MONTH, stated_rate


@pytest.mark.parametrize("text, amount, unit", [
    ("仓库看守380一天…日结", 380, "day"),
    ("急招270/天质检可日结短期/4人间", 270, "day"),
    ("日薪300起", 300, "day"),
    ("时薪25元服务员", 25, "hour"),
    ("促销员25元/小时", 25, "hour"),
    ("计件0.5元/件", 0.5, "piece"),
])
def test_stated_rates(text, amount, unit):
    r = stated_rate(text)
    assert (r.min, r.max, r.unit) == (amount, amount, unit)


@pytest.mark.parametrize("text", ["日结兼职100软件注册", "普工5000-8000", "4人间", "前台1天", "12小时两班倒",
                                  "上海华新顺丰兼职日结工", None, ""])
def test_no_rate_is_invented(text):
    assert stated_rate(text) is None


def test_monthly_conversion_is_declared_and_piece_has_none():
    assert stated_rate("380一天").monthly_min == round(380 * DAYS_PER_MONTH, 2)
    assert stated_rate("计件0.5元/件").monthly_min is None


def test_a_title_day_rate_wins_over_a_channel_monthly_band():
    d = PostingDraft(channel_code="zhilian", external_id="1", raw={}, title="仓库看守380一天，日结",
                     company_name="某物流", region_text="深圳", pay_text="8001-9000", pay_unit="month")
    n = normalise(d, make_context(today=dt.date(2025, 3, 10)))
    assert (n.pay_min, n.pay_max, n.pay_unit) == (380, 380, "day")
    assert n.pay_monthly_max == round(380 * DAYS_PER_MONTH, 2)
    assert n.employment_type == "gig"


def test_a_monthly_title_keeps_the_channel_pay():
    d = PostingDraft(channel_code="zhilian", external_id="2", raw={}, title="普工 包吃住",
                     company_name="某厂", region_text="深圳", pay_text="6001-8000", pay_unit="month")
    n = normalise(d, make_context(today=dt.date(2025, 3, 10)))
    assert (n.pay_min, n.pay_max, n.pay_unit) == (6001, 8000, "month")
