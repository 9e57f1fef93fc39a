"""Every code a page may show has a Chinese name in core.labels: the reasons the pipeline and the shipped
screening rules give, the fields they name, the rule categories and settings; an unknown code is never
shown as itself."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.labels import (FIELD_LABELS, REASON_LABELS, RULE_CATEGORY_LABELS, SETTING_LABELS, field_label, reason_label,
                         setting_label, setting_value)

REPO = Path(__file__).resolve().parents[3]
RULES = json.loads((REPO / "data" / "screening" / "rules.json").read_text(encoding="utf-8"))
_ISSUE = re.compile(r'Issue\(\s*"([a-z_]+)"')
_CODE_LIKE = re.compile(r"[a-z]+_[a-z_]+")


def _issue_codes() -> set[str]:
    """Reason codes of the pipeline: written in its source (indexer/, core/) as Issue("code", ...), and the
    notice's required elements, which come from a table."""
    from indexer.screening.required import _ELEMENTS

    codes = {code for code, *_ in _ELEMENTS}
    for path in [*(REPO / "indexer").rglob("*.py"), *(REPO / "core").rglob("*.py")]:
        codes |= set(_ISSUE.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_reason_the_pipeline_gives_has_a_name():
    codes = _issue_codes()
    assert {"pay_missing", "region_unknown", "channel_not_trusted"} <= codes  # the scan finds them
    assert sorted(codes - set(REASON_LABELS)) == []


def test_every_shipped_rule_its_category_and_fields_have_names():
    rules = RULES["text_rules"]
    assert sorted({r["code"] for r in rules} - set(REASON_LABELS)) == []
    assert sorted({r.get("category", "other") for r in rules} - set(RULE_CATEGORY_LABELS)) == []
    assert sorted({f for r in rules for f in r.get("fields", [])} - set(FIELD_LABELS)) == []


def test_every_shipped_setting_has_a_name_and_its_value_reads_in_words():
    keys = set(RULES["settings"]) | {k for k in RULES["age_rules"] if k != "about"}
    assert sorted(keys - set(SETTING_LABELS)) == []
    for key, value in [*RULES["settings"].items(), *RULES["age_rules"].items()]:
        if key != "about":
            assert not _CODE_LIKE.search(setting_value(value)), (key, setting_value(value))


@pytest.mark.parametrize("code, message, expected", [
    ("discrimination_gender", "含性别限制（就业促进法第二十七条）", "性别歧视"),
    ("some_new_check", "岗位名称含特殊符号（请删去）", "岗位名称含特殊符号"),
    ("some_new_check", "", "其他原因"),
    ("some_new_check", "some_new_check", "其他原因"),
    (None, None, "其他原因"),
])
def test_reason_label_names_a_reason_never_its_code(code, message, expected):
    assert reason_label(code, message) == expected


def test_unknown_fields_and_settings_are_not_shown_as_codes():
    assert field_label("pay_min") == "最低薪资"
    assert field_label("some_internal_field") == ""
    assert setting_label("some_new_setting") == "其他参数"
    assert setting_value(["trusted", "hold", "hr_firm"]) == "可信、待审、人力资源服务机构"
    assert setting_value([]) == "无"
