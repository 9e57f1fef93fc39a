"""Rules as data in the database: seeded from the file, extended by an administrator, used by screen()."""
import datetime as dt

import pytest

from core.errors import DomainError
from core.screening.models import MinimumWage, ScreeningRule
from core.screening.services import rules_document, save_rule, seed_rules, set_minimum_wage
from indexer.drafts import PostingDraft
from indexer.normalise import make_context, normalise
from indexer.intake import screen
from indexer.screening import clear_rules_cache, load_rules


def _posting(description, pay_text="5000-6000元/月", region="临沂兰山"):
    d = PostingDraft(channel_code="c", external_id="1", raw={}, title="仓管员",
                     description="负责仓库货物收发和盘点，" + description, headcount_text="2", education_text="高中",
                     pay_text=pay_text, region_text=region, company_name="某某物流有限公司")
    return normalise(d, make_context(today=dt.date(2025, 3, 10)))


def test_without_seeding_the_file_is_used(db_session):
    clear_rules_cache()
    assert load_rules(db_session).source == "file"


def test_seed_then_admin_adds_a_rule(db_session):
    clear_rules_cache()
    counts = seed_rules(db_session)
    assert counts["added"] >= 10
    assert db_session.query(MinimumWage).count() == 31
    rules = load_rules(db_session)
    assert rules.source == "database"
    assert screen(_posting("需自备电动车"), "public_agency", "trusted", None, rules).outcome == "publish"

    save_rule(db_session, "requires_own_vehicle", message="要求求职者自备车辆，请核实", patterns=["自备(车辆|电动车)"],
              fields=["description"], by="admin")
    rules = load_rules(db_session)
    r = screen(_posting("需自备电动车"), "public_agency", "trusted", None, rules)
    assert r.outcome == "hold" and any(x.code == "requires_own_vehicle" for x in r.reasons)


def test_seeding_twice_keeps_admin_changes(db_session):
    seed_rules(db_session)
    rule = db_session.query(ScreeningRule).filter_by(code="age_limit").one()
    rule.severity = "hold"
    db_session.flush()
    seed_rules(db_session)
    assert db_session.query(ScreeningRule).filter_by(code="age_limit").one().severity == "hold"
    seed_rules(db_session, replace=True)
    assert db_session.query(ScreeningRule).filter_by(code="age_limit").one().severity == "info"


@pytest.mark.parametrize("kwargs,code", [
    (dict(code="Bad Code", message="x", patterns=["a"]), "invalid_rule_code"),
    (dict(code="ok_rule", message="x", patterns=["(未闭合"]), "invalid_pattern"),
    (dict(code="ok_rule", message="x", patterns=[]), "missing_patterns"),
    (dict(code="ok_rule", message="x", patterns=["a"], severity="block"), "invalid_severity"),
])
def test_admin_input_is_validated(db_session, kwargs, code):
    kwargs = dict(kwargs)
    rule_code = kwargs.pop("code")
    with pytest.raises(DomainError) as err:
        save_rule(db_session, rule_code, **kwargs)
    assert err.value.code == code


def test_minimum_wage_update_applies(db_session):
    clear_rules_cache()
    seed_rules(db_session)
    p = _posting("", pay_text="2000-2100元/月")          # 山东: above the shipped lowest tier
    assert not any(x.code == "pay_below_minimum" for x in screen(p, "public_agency", "trusted", None,
                                                                   load_rules(db_session)).reasons)
    set_minimum_wage(db_session, "370000", 2200, 22, dt.date(2026, 1, 1), "山东省人民政府通知（测试）")
    r = screen(p, "public_agency", "trusted", None, load_rules(db_session))
    assert any(x.code == "pay_below_minimum" for x in r.reasons)
    doc = rules_document(db_session)
    assert doc["minimum_wage"]["provinces"]["370000"]["monthly"] == 2200


def test_screening_cli_load_and_export(runner, db_session):
    clear_rules_cache()
    r = runner.invoke(args=["screening", "load", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["screening", "export"])
    assert r.exit_code == 0 and '"source": "database"' in r.output
    r = runner.invoke(args=["screening", "check"])
    assert r.exit_code == 0 and "有效" in r.output
