"""The one publish / hold / reject decision."""
from __future__ import annotations

import pytest

from indexer.drafts import Decision, Issue
from indexer.intake import decide, judge_text
from indexer.intake.decide import reported
from indexer.screening import load_rules, read_rules_file, rules_from_dict

HINT = Issue("credit_code_missing", "未提供用人单位统一社会信用代码", "credit_code", "info")
HOLD = Issue("discrimination_gender", "含性别限制", "description", "hold", (0, 3))
REJECT = Issue("child_labour", "年龄下限低于法定最低就业年龄", "description", "reject", (4, 10))
REGION = Issue("region_unknown", "无法识别工作地点", "region", "hold")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _codes(decision: Decision) -> list[str]:
    return [i.code for i in decision.reasons]


def test_the_worst_reason_decides_and_every_reason_is_kept(rules):
    assert decide([], [HINT, HOLD, REJECT], "trusted", rules).outcome == "reject"
    held = decide([], [HINT, HOLD], "trusted", rules)
    assert held.outcome == "hold" and _codes(held) == ["discrimination_gender", "credit_code_missing"]
    published = decide([], [HINT], "trusted", rules)
    assert published.outcome == "publish" and _codes(published) == ["credit_code_missing"]  # a hint never holds


@pytest.mark.parametrize("trust,outcome,reason", [
    ("trusted", "publish", None), ("standard", "hold", "channel_not_trusted"), ("low", "hold", "channel_requires_review"),
])
def test_without_problems_the_channel_trust_level_decides(rules, trust, outcome, reason):
    d = decide([], [], trust, rules)
    assert d.outcome == outcome and _codes(d) == ([reason] if reason else [])


def test_normalisation_problems_come_first_then_findings_most_severe_first(rules):
    d = decide([REGION], [HINT, HOLD, REJECT, HOLD], "trusted", rules)
    assert _codes(d) == ["region_unknown", "child_labour", "discrimination_gender", "credit_code_missing"]


def test_a_refusal_reports_what_refused_it(rules):
    assert [i.code for i in reported(decide([], [HINT, REJECT], "trusted", rules))] == ["child_labour"]
    assert [i.code for i in reported(decide([], [HINT, HOLD], "trusted", rules))] == ["discrimination_gender",
                                                                                     "credit_code_missing"]


def test_an_administrator_may_make_a_normalisation_problem_a_hint():
    doc = read_rules_file()
    doc["settings"]["normalisation_issue_codes_info_only"] = ["region_unknown"]
    d = decide([REGION], [], "trusted", rules_from_dict(doc))
    assert d.outcome == "publish" and [(i.code, i.severity) for i in d.reasons] == [("region_unknown", "info")]


def test_the_rule_tester_judges_a_text_with_the_same_decision(rules):
    d = judge_text("限男性，35岁以下", rules)
    assert d.outcome == "hold" and _codes(d) == ["discrimination_gender", "age_limit"]
    assert judge_text("招收学徒，年龄14-18岁", rules).outcome == "reject"
    assert judge_text("操作数控车床加工零件", rules) == Decision("publish", [])
