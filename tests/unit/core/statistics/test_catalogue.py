"""The shortage catalogue: rules over two quarters, project demand past its date, draft → publish."""
from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from core.statistics import catalogue as cat
from core.statistics.cells import refresh_cells
from core.statistics.queries import Filters, parse_period

from .conftest import TODAY

RULES = cat.rules_from({"ratio": 1.5, "quarters": 2, "min_demand": 5, "projects": True})


def _two_quarters(w):
    # 焊工: ratio 3.0 in Q3 and Q4 -> in; 铸造工: high only in Q4 -> out; 营业员: below min demand -> out
    for month in (8, 11):
        w.posting(occupation="6-18-02-04", headcount=6, published=dt.datetime(2026, month, 3))
        w.posting(occupation="4-01-02-03", headcount=2, published=dt.datetime(2026, month, 3))
    w.posting(occupation="6-18-02-01", headcount=9, published=dt.datetime(2026, 11, 3))
    w.posting(occupation="6-18-02-01", headcount=1, published=dt.datetime(2026, 8, 3))
    for _ in range(2):
        w.seeker(occupations=("6-18-02-04", "6-18-02-01"), created=dt.datetime(2026, 7, 1))


def test_ratio_rule_needs_every_quarter(stats_world):
    _two_quarters(stats_world)
    refresh_cells(stats_world.session, TODAY)
    draft = cat.compute_draft(stats_world.session, parse_period("2026-Q4"), RULES, Filters(), None, TODAY)
    assert [(e.occupation_code, e.reason, e.demand, e.supply, e.ratio) for e in draft.entries] == [
        ("6-18-02-04", "ratio", 6, 2, 3.0)]
    assert "2026年第3季度 3.00" in draft.entries[0].note
    one_quarter = cat.rules_from({"quarters": 1})
    again = cat.compute_draft(stats_world.session, parse_period("2026-Q4"), one_quarter, Filters(), None, TODAY)
    assert {e.occupation_code for e in again.entries} == {"6-18-02-04", "6-18-02-01"}
    assert cat.current_draft(stats_world.session).id == again.id  # the earlier draft was replaced


def test_project_line_past_its_date_and_unfilled(stats_world):
    from core.projects.models import LabourDemand, MajorProject

    s = stats_world.session
    project = MajorProject(name="统计测试项目", region_code="630102")
    s.add(project)
    s.flush()
    s.add_all([
        LabourDemand(project_id=project.id, title="钢筋工 20 人", occupation_text="钢筋工", headcount=20,
                     region_code="630102", start_date=TODAY - dt.timedelta(days=10)),
        LabourDemand(project_id=project.id, title="木工", occupation_text="木工", headcount=5,
                     region_code="630102", start_date=TODAY + dt.timedelta(days=30)),  # not yet due
    ])
    s.flush()
    refresh_cells(s, TODAY)
    draft = cat.compute_draft(s, parse_period("2026-Q4"), RULES, Filters(), None, TODAY)
    entries = {e.occupation_code: e for e in draft.entries}
    assert len(entries) == 1
    (entry,) = entries.values()
    assert entry.reason == "project" and entry.demand == 20 and "钢筋工" in entry.note


def test_staff_edit_then_publish_numbered_versions(stats_world):
    s = stats_world.session
    refresh_cells(s, TODAY)
    cat.compute_draft(s, parse_period("2026-Q4"), RULES, Filters(), None, TODAY)
    with pytest.raises(DomainError):
        cat.publish_draft(s, None)  # nothing in it
    entry = cat.add_entry(s, "电焊工", "企业反映招工难")
    assert entry.occupation_code == "6-18-02-04" and entry.reason == "staff"
    with pytest.raises(DomainError):
        cat.add_entry(s, "6-18-02-04", "")
    with pytest.raises(DomainError):
        cat.add_entry(s, "6-18", "")  # not a detailed occupation
    v1 = cat.publish_draft(s, None, "首次发布")
    assert v1.version == 1 and cat.shortage_codes(s) == {"6-18-02-04"}
    cat.compute_draft(s, parse_period("2026-Q4"), RULES, Filters(), None, TODAY)
    cat.add_entry(s, "6-18-02-01", "")
    assert cat.shortage_codes(s) == {"6-18-02-04"}  # a draft changes nothing
    added = cat.add_entry(s, "4-01-02-03", "")
    cat.remove_entry(s, added.id)
    v2 = cat.publish_draft(s, None)
    assert v2.version == 2 and cat.shortage_codes(s) == {"6-18-02-01"}
    assert [c.version for c in cat.history(s)] == [2, 1]
    assert [e.occupation_code for e in cat.published(s, 1).entries] == ["6-18-02-04"]
