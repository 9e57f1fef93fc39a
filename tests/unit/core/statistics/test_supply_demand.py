"""Supply, demand and 求人倍率 from the cube, against counts worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from core.statistics.cells import refresh_cells
from core.statistics.queries import Filters, StatsError, parse_period, supply_demand

from .conftest import TODAY


def _world_q4(w):
    w.posting(headcount=5)                                        # 焊工, 城东区, Nov
    w.posting(headcount=None, groups=("graduate", "veteran"))     # 若干 = 1
    w.posting(region="630103", occupation="6-18-02-01", headcount=4, published=dt.datetime(2026, 10, 9))
    w.posting(region="632221", occupation="4-01-02-01", headcount=10, gig=True, employment_type="gig")
    w.posting(headcount=100, published=dt.datetime(2026, 6, 1))  # another quarter
    w.seeker()
    w.seeker(occupations=("6-18-02-04", "6-18-02-01"), groups=("graduate",))
    w.seeker(region="632221", occupations=("4-01-02-01",), birth=dt.date(2003, 1, 1))
    w.seeker(availability="unavailable")                           # not seeking: not supply
    w.seeker(created=dt.datetime(2027, 1, 15))                     # registered after the quarter


def test_totals_count_each_posting_and_person_once(stats_world):
    _world_q4(stats_world)
    refresh_cells(stats_world.session, TODAY)
    t = supply_demand(stats_world.session, parse_period("2026-Q4"), Filters(region="630000"))
    assert t.total.demand == 5 + 1 + 4 + 10
    assert t.total.postings == 4
    assert t.total.supply == 3
    assert t.total.ratio == round(20 / 3, 2)
    assert t.total.open_demand == 120  # the quarter still runs: open today (June's posting too)


def test_drill_down_region_and_occupation_levels(stats_world):
    _world_q4(stats_world)
    refresh_cells(stats_world.session, TODAY)
    q4 = parse_period("2026-Q4")
    by_city = {r.key: r for r in supply_demand(stats_world.session, q4, Filters(region="630000"), "region").rows}
    assert by_city["6301"].demand == 10 and by_city["6301"].supply == 2
    assert by_city["6322"].demand == 10 and by_city["6322"].supply == 1
    by_county = {r.key: r.demand for r in supply_demand(stats_world.session, q4, Filters(region="630100"), "region").rows}
    assert by_county == {"630102": 6, "630103": 4}
    # major -> medium -> small -> detailed occupation; a person seeking two occupations counts in each
    majors = {r.key: (r.demand, r.supply) for r in supply_demand(stats_world.session, q4, Filters(), "occupation").rows}
    assert majors["6"] == (10, 2) and majors["4"] == (10, 1)  # the two-welding-jobs person once
    detail = supply_demand(stats_world.session, q4, Filters(occupation="6-18-02"), "occupation")
    assert {r.key: (r.demand, r.supply) for r in detail.rows} == {"6-18-02-04": (6, 2), "6-18-02-01": (4, 1)}
    assert detail.total.supply == 2  # …but once in the total


def test_breakdowns_that_only_one_side_knows(stats_world):
    _world_q4(stats_world)
    refresh_cells(stats_world.session, TODAY)
    q4 = parse_period("2026-Q4")
    types = {r.key: r for r in supply_demand(stats_world.session, q4, Filters(), "employment_type").rows}
    assert types["gig"].demand == 10 and types["gig"].supply is None and types["gig"].ratio is None
    groups = {r.key: (r.demand, r.supply) for r in supply_demand(stats_world.session, q4, Filters(), "group").rows}
    assert groups["graduate"] == (1, 1) and groups["veteran"] == (1, 0)
    ages = {r.key: r.supply for r in supply_demand(stats_world.session, q4, Filters(), "age_band").rows}
    assert ages == {"35-44": 2, "16-24": 1}
    channel = supply_demand(stats_world.session, q4, Filters(channel="gig_platform"), None)
    assert channel.total.demand == 10 and channel.total.supply is None


def test_jurisdiction_limits_every_figure(stats_world):
    _world_q4(stats_world)
    refresh_cells(stats_world.session, TODAY)
    t = supply_demand(stats_world.session, parse_period("2026-Q4"), Filters(jurisdiction="6322"), "region")
    assert t.total.demand == 10 and t.total.supply == 1
    assert [r.key for r in t.rows] == ["632221"]  # the jurisdiction's counties


def test_open_on_a_date_and_by_month(stats_world):
    w = stats_world
    w.posting(headcount=3, published=dt.datetime(2026, 9, 20))                               # open through Nov
    w.posting(headcount=7, published=dt.datetime(2026, 9, 20), valid_until=dt.date(2026, 10, 15))
    w.posting(headcount=2, published=dt.datetime(2026, 9, 1), status="withdrawn", updated=dt.datetime(2026, 10, 5))
    refresh_cells(w.session, TODAY)
    months = supply_demand(w.session, parse_period("2026-Q4"), Filters(), "month")
    assert [(r.key, r.open_demand) for r in months.rows] == [("2026-10", 3), ("2026-11", 3), ("2026-12", 0)]
    sep = supply_demand(w.session, parse_period("2026-09"), Filters())
    assert sep.total.open_demand == 3 + 7 + 2 and sep.total.demand == 12


def test_bad_period_and_dimension_are_refused():
    with pytest.raises(StatsError):
        parse_period("2026-13")
    assert parse_period("2026-Q1").previous().key == "2025-Q4"
    assert parse_period("2026-01").previous().key == "2025-12"
