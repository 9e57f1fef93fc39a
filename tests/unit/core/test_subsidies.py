"""Subsidy hints from the rules as data: which groups a rule is about, the posting's employment type,
inactive rules silent; the shipped file is complete and readable; the first admin edit keeps every
rule in the database and later reads follow it."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from core.enums import EmploymentType, PriorityGroup
from core.errors import DomainError, NotFound
from core.subsidies.services import RULES_FILE, current_rules, hints_for, posting_hints, save_rule, shipped_rules


def _posting(kind="full_time", groups=()):
    return SimpleNamespace(employment_type=kind, target_groups=list(groups))


def test_shipped_rules_name_their_source_and_real_groups():
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert data["source"] and data["about"]
    rules = shipped_rules()
    assert len({r.code for r in rules}) == len(rules) >= 3
    for r in rules:
        assert r.source and r.hint.endswith("为准）。") and "以当地" in r.hint
        assert set(r.groups) <= {g.value for g in PriorityGroup}
        assert set(r.employment_types) <= {t.value for t in EmploymentType}
        assert not re.search(r"[a-z]+_[a-z_]+", r.hint)  # no codes in what enterprises read


def test_hiring_a_graduate_brings_the_job_expansion_hint():
    hints = hints_for(shipped_rules(), ["graduate"], _posting())
    assert [h.name for h in hints] == ["一次性扩岗补助"]
    assert "录用高校毕业生" in hints[0].text and "每人 1500 元" in hints[0].text
    assert "以当地人社部门公布为准" in hints[0].text and hints[0].groups == ["graduate"]


def test_groups_and_employment_type_select_the_rules():
    rules = shipped_rules()
    assert hints_for(rules, [], _posting()) == []
    assert hints_for(rules, ["migrant_worker"], _posting()) == []  # no shipped rule about it
    assert [h.name for h in hints_for(rules, ["hard_to_employ"], _posting("gig"))] == ["社会保险补贴"]
    # the job-expansion subsidy needs a labour contract: not for a gig posting
    assert hints_for(rules, ["graduate"], _posting("gig")) == []
    names = {h.name for h in hints_for(rules, ["graduate", "veteran", "poverty_alleviated"], _posting())}
    assert names == {"一次性扩岗补助", "招用退役士兵税收优惠", "招用脱贫人口税收优惠"}
    assert [h.name for h in posting_hints(rules, _posting(groups=["veteran"]))] == ["招用退役士兵税收优惠"]


def test_first_edit_keeps_every_rule_and_reads_follow_it(db_session, make_user):
    admin = make_user("admin")
    assert [r.code for r in current_rules(db_session)] == [r.code for r in shipped_rules()]
    save_rule(db_session, code="job_expansion_graduate", name="一次性扩岗补助",
              groups=["graduate"], hint="录用高校毕业生可申请一次性扩岗补助，每人 2000 元（以当地人社部门公布为准）。",
              employment_types=[], active=True, by_user_id=admin.id)
    save_rule(db_session, code="tax_veteran", name="招用退役士兵税收优惠", groups=["veteran"], hint="停用",
              active=False)
    rules = current_rules(db_session)
    assert len(rules) == len(shipped_rules())  # the others were copied, not lost
    (grad,) = hints_for(rules, ["graduate"], _posting("gig"))  # no employment type any more
    assert "2000 元" in grad.text
    assert hints_for(rules, ["veteran"], _posting()) == []
    added = save_rule(db_session, code=None, name="见习补贴", groups=["graduate"], hint="吸纳见习可申请见习补贴。")
    assert added.code.startswith("local_") and len(current_rules(db_session)) == len(shipped_rules()) + 1


@pytest.mark.parametrize("change, field", [
    ({"groups": []}, "groups"), ({"groups": ["aliens"]}, "groups"), ({"hint": " "}, "hint"),
    ({"name": ""}, "name"), ({"employment_types": ["forever"]}, "employment_types"),
])
def test_bad_rules_are_refused_with_the_field(db_session, change, field):
    values = {"name": "扩岗补助", "groups": ["graduate"], "hint": "提示", "employment_types": []} | change
    with pytest.raises(DomainError) as refused:
        save_rule(db_session, code=None, **values)
    assert refused.value.field == field


def test_editing_an_unknown_rule_is_not_found(db_session):
    with pytest.raises(NotFound):
        save_rule(db_session, code="no_such_rule", name="x", groups=["graduate"], hint="y")
