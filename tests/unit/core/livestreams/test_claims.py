"""The claims check: pay above the posting's range, benefits the posting does not state, and what
the compliance screening flags in the talking points (the January 2026 notice's 高薪/保录 hooks)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.livestreams.claims import check_item, pay_claims


@pytest.mark.parametrize("text, expected", [
    ("月薪8000", [(8000, "month")]),
    ("综合工资8000-12000元", [(12000, "month")]),
    ("到手1.2万", [(12000, "month")]),
    ("工资1-1.2万/月", [(12000, "month")]),
    ("一天350元", [(350, "day")]),
    ("320元/天", [(320, "day")]),
    ("年薪15万", [(12500, "month")]),
    ("月入过万", [(10000, "month")]),
    ("招10人，18-45岁，工作3年以上", []),
])
def test_pay_claims_read_amounts_people_say(text, expected):
    assert [(round(v), unit) for v, unit, _ in pay_claims(text)] == expected


def _item(points, **posting):
    values = dict(title="焊工", description="焊工岗位，五险一金。", welfare_tags=[], pay_min=8000, pay_max=12000,
                  pay_unit="month", pay_monthly_max=12000)
    values.update(posting)
    return SimpleNamespace(id=7, talking_points=points, posting=SimpleNamespace(**values))


def test_pay_above_the_range_is_flagged_and_within_it_is_not():
    flags = check_item(_item("焊工月薪能拿到15000元"))
    assert [f.kind for f in flags] == ["pay"]
    assert "15000" in flags[0].message and "12000" in flags[0].message
    assert check_item(_item("月薪8000到12000元，五险一金")) == []


def test_day_rates_compare_with_a_day_rate_posting():
    item = _item("一天400元", pay_min=300, pay_max=350, pay_unit="day", pay_monthly_max=None)
    assert [f.kind for f in check_item(item)] == ["pay"]
    assert check_item(_item("一天320元", pay_min=300, pay_max=350, pay_unit="day", pay_monthly_max=None)) == []


def test_a_posting_without_pay_may_not_be_promised_an_amount():
    item = _item("月薪8000", pay_min=None, pay_max=None, pay_monthly_max=None)
    assert "没有写明薪资" in check_item(item)[0].message


def test_benefits_the_posting_does_not_state_are_flagged():
    flags = check_item(_item("包吃住，双休，五险一金", description="焊工岗位，五险一金。"))
    assert sorted(f.key for f in flags) == ["7:benefit:board", "7:benefit:weekends"]
    stated = _item("包吃住，双休", description="焊工岗位。", welfare_tags=["包吃住", "双休"])
    assert check_item(stated) == []
    assert check_item(_item("这个岗位不是双休，要倒班")) == []


def test_screening_flags_hooks_and_discrimination(screen):
    flags = check_item(_item("高薪招聘，保录取，只招男性，入职交押金500元"), screen)
    assert {f.kind for f in flags} == {"screening"}
    codes = [f.key.split(":")[2] for f in flags]
    assert len(codes) == len(set(codes)) == 3  # one flag per rule, however often it matches
    assert {"discrimination_gender", "fee_or_deposit"} <= set(codes)
    assert any("高薪" in f.message and "高薪招聘" in f.evidence for f in flags)
    assert check_item(_item("焊工，月薪8000到12000元"), screen) == []
