"""Supply-and-demand figures read from the cube (``stats_cells``): demand, supply and 求人倍率 for a
month or a quarter, filtered and broken down by region, occupation, education, employment type,
channel, priority group, age band or month. Definitions: docs/statistics.md."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.reference.services import RegionDirectory

from .cells import month_end
from .models import ALL, UNKNOWN, StatsCell

# Breakdowns and the measures that know them (a jobseeker has no channel; a posting no age).
DIMENSIONS: dict[str, str] = {
    "region": "地区", "occupation": "职业", "education": "学历", "employment_type": "用工形式",
    "channel": "发布渠道", "group": "重点群体", "age_band": "年龄段", "month": "月份",
}
_DEMAND_DIMS = {"region", "occupation", "education", "employment_type", "channel", "group", "month"}
_SUPPLY_DIMS = {"region", "occupation", "education", "group", "age_band", "month"}
_BREAKDOWNS = {"education", "employment_type", "channel", "group", "age_band"}  # the cells' ``dim`` values
REGION_DIGITS = {1: 2, 2: 4, 3: 6}  # province, city, county (GB/T 2260)
OCCUPATION_CHARS = {1: 1, 2: 4, 3: 7, 4: 10}  # 大类 6, 中类 6-18, 小类 6-18-02, 细类 6-18-02-04
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


class StatsError(DomainError):
    pass


@dataclass(frozen=True)
class Period:
    """A month (2026-11) or a quarter (2026-Q4)."""

    key: str
    months: tuple[str, ...]

    @property
    def last(self) -> str:
        return self.months[-1]

    @property
    def label(self) -> str:
        y = self.key[:4]
        if "Q" in self.key:
            return f"{y}年第{self.key[-1]}季度"
        return f"{y}年{int(self.key[5:7])}月"

    @property
    def end(self):
        return month_end(self.last)

    def previous(self) -> Period:
        y = int(self.key[:4])
        if "Q" in self.key:
            q = int(self.key[-1])
            return parse_period(f"{y - (q == 1)}-Q{4 if q == 1 else q - 1}")
        m = int(self.key[5:7])
        return parse_period(f"{y - (m == 1)}-{12 if m == 1 else m - 1:02d}")


def parse_period(text: str) -> Period:
    m = _PERIOD.match((text or "").strip())
    if not m:
        raise StatsError("invalid_period", "统计期应为某年某月或某季度", "period")
    year = m.group(1)
    if m.group(2):
        return Period(f"{year}-{m.group(2)}", (f"{year}-{m.group(2)}",))
    q = int(m.group(3))
    return Period(f"{year}-Q{q}", tuple(f"{year}-{mm:02d}" for mm in range(3 * q - 2, 3 * q + 1)))


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


@dataclass(frozen=True)
class Filters:
    """What to count: a region and an occupation at any level (a code), and single values of the
    other dimensions. ``jurisdiction`` is the viewer's region-code prefix (None: every region)."""

    region: str | None = None
    occupation: str | None = None
    education: str | None = None
    employment_type: str | None = None
    channel: str | None = None
    group: str | None = None
    age_band: str | None = None
    jurisdiction: str | None = None
    occupation_depth: int | None = None  # level of a by-occupation breakdown (default: the one below)

    def used(self) -> set[str]:
        return {k for k in ("education", "employment_type", "channel", "group", "age_band") if getattr(self, k)}


@dataclass
class Row:
    key: str
    demand: int | None = None  # people wanted by postings published in the period
    postings: int | None = None  # those postings
    open_demand: int | None = None  # people wanted by postings open on the period's last day
    supply: int | None = None  # people seeking at the period's end
    label: str = ""

    @property
    def ratio(self) -> float | None:
        if self.demand is None or not self.supply:
            return None
        return round(self.demand / self.supply, 2)

    @property
    def gap(self) -> int | None:
        if self.demand is None or self.supply is None:
            return None
        return self.demand - self.supply

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "demand": self.demand, "postings": self.postings,
                "open_demand": self.open_demand, "supply": self.supply, "ratio": self.ratio, "gap": self.gap}


@dataclass
class Table:
    period: Period
    by: str
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row("合计"))


def region_level(code: str | None) -> int:
    """0 for no region (every province), else the level of ``code`` (1 province, 2 city, 3 county)."""
    if not code:
        return 0
    prefix = RegionDirectory.code_prefix(code)
    return {2: 1, 4: 2}.get(len(prefix), 3)


def occupation_level(code: str | None) -> int:
    return 0 if not code else {1: 1, 4: 2, 7: 3}.get(len(code), 4)


def _next_occupation_chars(filters: Filters) -> int:
    level = filters.occupation_depth or occupation_level(filters.occupation) + 1
    return OCCUPATION_CHARS[min(max(level, 1), 4)]


def region_key(filters: Filters) -> str:
    """The cube's region code of the filter: its code prefix, never outside the jurisdiction."""
    key = RegionDirectory.code_prefix(filters.region) if filters.region else ""
    if filters.jurisdiction is not None and not key.startswith(filters.jurisdiction):
        return filters.jurisdiction
    return key


def _key_column(by: str | None, filters: Filters):
    if by == "region":  # the level below the filter's (a county: itself)
        return func.substr(StatsCell.region_code, 1, min(len(region_key(filters)) + 2, 6))
    return {None: literal(""), "occupation": StatsCell.occupation_code,
            "month": StatsCell.month}.get(by, StatsCell.dim_value)


def _prefix_range(column, prefix: str) -> tuple:
    """``column`` starts with ``prefix``, as a range an index can serve (LIKE cannot, case-insensitive)."""
    if not prefix:
        return ()
    return column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _where(stmt, measure: str, filters: Filters, by: str | None):
    """Exact cells of the current generation: the filter's region and occupation, or the level below one
    of them for a breakdown."""
    region = region_key(filters)
    stmt = stmt.where(StatsCell.current(), StatsCell.measure == measure)
    if by == "region" or 0 < len(region) < 6:  # a province or city: the sum of its counties' cells
        stmt = stmt.where(*_prefix_range(StatsCell.region_code, region), func.length(StatsCell.region_code) == 6)
    else:
        stmt = stmt.where(StatsCell.region_code == region)
    occupation = filters.occupation or ALL
    if by == "occupation":
        stmt = stmt.where(*_prefix_range(StatsCell.occupation_code, filters.occupation or ""),
                          StatsCell.occupation_code != ALL,
                          func.length(StatsCell.occupation_code) == _next_occupation_chars(filters))
    else:
        stmt = stmt.where(StatsCell.occupation_code == occupation)
    used = sorted(filters.used())
    if used:
        stmt = stmt.where(StatsCell.dim == used[0], StatsCell.dim_value == getattr(filters, used[0]))
    elif by in _BREAKDOWNS:
        stmt = stmt.where(StatsCell.dim == by)
    else:
        stmt = stmt.where(StatsCell.dim == "")
    return stmt


def _sum(session: Session, measure: str, months, filters: Filters, by: str | None,
         upto: bool = False) -> dict[str, tuple[int, int]]:
    """{key: (headcount, items)} of ``measure`` over ``months`` (or every month up to the last, for
    the supply stock), grouped by ``by`` (key "" when not grouped)."""
    key = _key_column(by, filters)
    stmt = select(key, func.sum(StatsCell.headcount), func.sum(StatsCell.items))
    stmt = _where(stmt, measure, filters, by)
    if upto:
        stmt = stmt.where(StatsCell.month <= months[-1])
    else:
        stmt = stmt.where(StatsCell.month.in_(list(months)))
    return {k or "": (int(h or 0), int(n or 0)) for k, h, n in session.execute(stmt.group_by(key)).all()}


def _open_months(session: Session, period: Period, by: str | None) -> tuple[str, ...]:
    """The month ends "open" demand is read at: each month's for a by-month table, else the period's
    last day (or today, for the period still running: its latest counted month)."""
    if by == "month":
        return period.months
    latest = session.scalar(select(func.max(StatsCell.month)).where(
        StatsCell.current(), StatsCell.measure == "open", StatsCell.region_code == "", StatsCell.occupation_code == ALL,
        StatsCell.dim == "", StatsCell.month <= period.last))
    return (latest,) if latest and latest >= period.months[0] else (period.last,)


def _supports(dims: set[str], filters: Filters, by: str | None) -> bool:
    """Whether the cube holds this measure for these filters and breakdown: the measure knows every
    dimension asked for, at most one breakdown dimension is used, and only for every occupation."""
    used = filters.used() | ({by} & _BREAKDOWNS)
    if not (used <= dims and (by is None or by in dims)):
        return False
    if len(filters.used()) > 1 or (filters.used() and by in _BREAKDOWNS and by not in filters.used()):
        return False
    return not used or (not filters.occupation and by != "occupation")


def supply_demand(session: Session, period: Period, filters: Filters, by: str | None = None) -> Table:
    """Demand, open demand, supply and the ratio for ``period``, broken down ``by`` a dimension (rows
    sorted by demand, then supply) with the total. A figure a dimension does not apply to is None."""
    if by is not None and by not in DIMENSIONS:
        raise StatsError("invalid_dimension", "不支持这种分组方式", "by")
    table = Table(period, by or "")
    keyed: dict[str, Row] = {}
    for grouping in ([by] if by else []) + [None]:
        target = (lambda k: keyed.setdefault(k, Row(k))) if grouping else (lambda k: table.total)
        if _supports(_DEMAND_DIMS, filters, grouping):
            for k, (h, n) in _sum(session, "posted", period.months, filters, grouping).items():
                row = target(k)
                row.demand, row.postings = (row.demand or 0) + h, (row.postings or 0) + n
            for k, (h, _n) in _sum(session, "open", _open_months(session, period, grouping), filters,
                                   grouping).items():
                target(k).open_demand = (target(k).open_demand or 0) + h
        if _supports(_SUPPLY_DIMS, filters, grouping) and grouping != "month":
            for k, (h, _n) in _sum(session, "supply", period.months, filters, grouping, upto=True).items():
                target(k).supply = (target(k).supply or 0) + h
    _fill_zeros(table, keyed, filters, by)
    if by == "month":
        table.rows = [keyed.setdefault(m, Row(m, 0, 0, 0)) for m in period.months]
        return with_supply_by_month(session, table, filters)
    table.rows = sorted(keyed.values(), key=lambda r: (-(r.demand or 0), -(r.supply or 0), r.key))
    return table


def _fill_zeros(table: Table, keyed: dict[str, Row], filters: Filters, by: str | None) -> None:
    """A measure that applies reads 0 where nothing was counted (None only where it cannot apply)."""
    demand_ok = _supports(_DEMAND_DIMS, filters, by)
    supply_ok = _supports(_SUPPLY_DIMS, filters, by) and by != "month"
    for row in [*keyed.values()]:
        if demand_ok:
            row.demand, row.postings, row.open_demand = row.demand or 0, row.postings or 0, row.open_demand or 0
        if supply_ok:
            row.supply = row.supply or 0
    total = table.total
    if _supports(_DEMAND_DIMS, filters, None):
        total.demand, total.postings, total.open_demand = total.demand or 0, total.postings or 0, total.open_demand or 0
    if _supports(_SUPPLY_DIMS, filters, None):
        total.supply = total.supply or 0


def with_supply_by_month(session: Session, table: Table, filters: Filters) -> Table:
    """For a by-month table: each month's supply is the stock at that month's end."""
    if not _supports(_SUPPLY_DIMS, filters, None):
        return table
    for row in table.rows:
        row.supply = _sum(session, "supply", (row.key,), filters, None, upto=True).get("", (0, 0))[0]
    return table


def narrowed(filters: Filters, **changes) -> Filters:
    return replace(filters, **changes)


def label_rows(table: Table, regions, occupations) -> Table:
    """Give every row its plain Chinese name (a region's or occupation's name, a value's label)."""
    from core.enums import label

    for row in table.rows:
        row.label = key_label(table.by, row.key, regions, occupations, label)
    return table


def key_label(by: str, key: str, regions, occupations, label) -> str:
    if not key or key == UNKNOWN:
        return "未填写"
    if by == "region":
        ref = regions.get(key.ljust(6, "0"))
        return ref.name if ref else "其他地区"
    if by == "occupation":
        ref = occupations.get(key)
        return ref.name if ref else "其他职业"
    if by == "month":
        return f"{key[:4]}年{int(key[5:7])}月"
    if by == "age_band":
        return f"{key}岁" if key[-1].isdigit() else f"{key[:-1]}岁及以上"
    return label(key)
