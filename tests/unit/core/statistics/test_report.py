"""The quarterly report: top occupations, gaps, and the change on last quarter."""
from __future__ import annotations

import datetime as dt

from core.statistics.cells import refresh_cells
from core.statistics.export import docx_bytes, xlsx_bytes
from core.statistics.queries import Filters, parse_period
from core.statistics.report import quarterly_report

from .conftest import TODAY


def test_report_compares_with_last_quarter(stats_world):
    w = stats_world
    w.posting(occupation="6-18-02-04", headcount=10, published=dt.datetime(2026, 11, 2))
    w.posting(occupation="6-18-02-04", headcount=4, published=dt.datetime(2026, 8, 2))
    w.posting(occupation="4-01-02-03", headcount=1, published=dt.datetime(2026, 11, 2))
    for _ in range(3):
        w.seeker(occupations=("4-01-02-03",), created=dt.datetime(2026, 7, 1))
    w.seeker(occupations=("6-18-02-04",), created=dt.datetime(2026, 10, 5))
    refresh_cells(w.session, TODAY)
    rep = quarterly_report(w.session, parse_period("2026-Q4"), Filters(region="630000"), "青海省")
    assert [r.label for r in rep.by_demand] == ["焊工", "商品营业员"]
    assert [r.label for r in rep.by_supply] == ["商品营业员", "焊工"]
    assert [(r.label, r.gap) for r in rep.shortages] == [("焊工", 9)]
    assert [(r.label, r.gap) for r in rep.surpluses] == [("商品营业员", -2)]
    (welder, before), _ = rep.changes
    assert welder.demand == 10 and before.demand == 4 and before.supply == 0
    assert rep.total.demand == 11 and rep.previous_total.demand == 4 and rep.previous_total.supply == 3
    summary = "".join(rep.summary())
    assert "增长 175.0%（4 → 11 人）" in summary and "焊工" in summary
    assert xlsx_bytes(rep.sheets())[:2] == b"PK" and docx_bytes(rep.title, rep.summary(), rep.sheets())[:2] == b"PK"
