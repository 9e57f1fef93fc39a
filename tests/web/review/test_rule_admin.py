"""Admins extend the screening rules from the rules page; screening then reads them from the database."""
from __future__ import annotations

from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.screening.models import MinimumWage, ScreeningRule

HEIGHT_RULE = {"new": "1", "code": "appearance_height", "message": "含与岗位无关的身高要求", "severity": "hold",
               "category": "discrimination", "patterns": "身高\\s*\\d{3}\\s*(cm|厘米)?以上", "exceptions": "",
               "triggers": "身高", "fields": ["title", "description"], "enabled": "1"}


def _rules(db_session):
    from indexer.screening import load_rules

    return load_rules(db_session, refresh=True)


def test_an_admins_new_rule_is_stored_with_the_shipped_ones_and_used(client, login_as, db_session):
    login_as("admin")
    shipped = len(_rules(db_session).text_rules)
    resp = client.post("/review/rules/edit", data=HEIGHT_RULE)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    # The first edit copied the shipped rules into the table: none of them is lost.
    assert db_session.scalar(select(func.count()).select_from(ScreeningRule)) == shipped + 1
    rules = _rules(db_session)
    assert rules.source == "database" and "appearance_height" in {r.code for r in rules.text_rules}
    tried = client.get("/review/rules", query_string={"sample": "招聘前台，身高165cm以上，形象好"}).get_data(as_text=True)
    assert 'id="rule-appearance_height"' in tried and ">身高165cm以上</mark>" in tried
    assert db_session.scalar(select(AuditEvent.purpose).where(AuditEvent.subject_type == "screening_rule")) == \
        "新增筛查规则：appearance_height"


def test_a_bad_pattern_is_refused_and_nothing_is_saved(client, login_as, db_session):
    login_as("admin")
    resp = client.post("/review/rules/edit", data=dict(HEIGHT_RULE, patterns="身高(\\d{3}"))
    assert resp.status_code == 400 and "正则表达式无效" in resp.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ScreeningRule)) == 0


def test_a_new_rule_cannot_overwrite_an_existing_code(client, login_as, db_session):
    login_as("admin")
    resp = client.post("/review/rules/edit", data=dict(HEIGHT_RULE, code="discrimination_gender"))
    assert resp.status_code == 400 and "已有代码为 discrimination_gender 的规则" in resp.get_data(as_text=True)


def test_editing_and_disabling_a_rule(client, login_as, db_session):
    login_as("admin")
    form = client.get("/review/rules/edit?code=fee_or_deposit").get_data(as_text=True)
    assert 'value="fee_or_deposit"' in form and 'name="new"' not in form
    assert client.post("/review/rules/fee_or_deposit/toggle").status_code == 303
    rule = next(r for r in _rules(db_session).text_rules if r.code == "fee_or_deposit")
    assert rule.enabled is False
    page = client.get("/review/rules", query_string={"sample": "入职需交押金300元"}).get_data(as_text=True)
    assert "没有命中任何文字规则" in page
    client.post("/review/rules/fee_or_deposit/toggle")
    assert next(r for r in _rules(db_session).text_rules if r.code == "fee_or_deposit").enabled is True


def test_setting_a_minimum_wage(client, login_as, db_session):
    login_as("admin")
    resp = client.post("/review/rules/wages", data={"province_code": "370000", "monthly": "2200", "hourly": "22",
                                                    "effective_from": "2026-10-01", "source": "山东省人民政府通知"})
    assert resp.status_code == 303
    row = db_session.get(MinimumWage, "370000")
    assert (row.monthly, row.hourly, str(row.effective_from)) == (2200.0, 22.0, "2026-10-01")
    assert _rules(db_session).minimum_wage["370000"]["monthly"] == 2200.0
    bad = client.post("/review/rules/wages", data={"province_code": "371300", "monthly": "2200"}, follow_redirects=True)
    assert "请填写省级行政区划代码" in bad.get_data(as_text=True)


def test_reviewers_read_the_rules_but_only_admins_change_them(client, login_as, db_session):
    login_as("reviewer")
    page = client.get("/review/rules").get_data(as_text=True)
    assert 'id="rule-discrimination_gender"' in page and "新增规则" not in page
    assert client.get("/review/rules/edit").status_code == 403
    assert client.post("/review/rules/edit", data=HEIGHT_RULE).status_code == 403
    assert client.post("/review/rules/fee_or_deposit/toggle").status_code == 403
    assert client.post("/review/rules/wages", data={"province_code": "370000", "monthly": "1"}).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(ScreeningRule)) == 0
