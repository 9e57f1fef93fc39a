"""The quarterly supply-and-demand report (季度人力资源市场供求分析): the ten occupations most in
demand and most sought, the biggest gaps, the change on last quarter, and the figures by region;
on screen, as XLSX and as Word, all from one ``QuarterlyReport``."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core.reference.services import occupation_directory, region_directory

from .export import FIGURE_HEADERS, Sheet, figure_sheet, figure_values
from .queries import Filters, Period, Row, StatsError, Table, label_rows, narrowed, region_level, supply_demand

TOP = 10


@dataclass
class QuarterlyReport:
    period: Period
    previous: Period
    place: str
    total: Row
    previous_total: Row
    by_demand: list[Row] = field(default_factory=list)
    by_supply: list[Row] = field(default_factory=list)
    shortages: list[Row] = field(default_factory=list)  # demand most above supply
    surpluses: list[Row] = field(default_factory=list)  # supply most above demand
    changes: list[tuple[Row, Row | None]] = field(default_factory=list)  # top by demand, with last quarter
    regions: Table | None = None

    @property
    def title(self) -> str:
        return f"{self.place}{self.period.label}人力资源市场供求状况分析"

    def summary(self) -> list[str]:
        t, p = self.total, self.previous_total
        lines = [f"本季度用人单位通过平台发布岗位 {t.postings} 个，需求人数 {t.demand} 人；期末求职人数 {t.supply} 人，"
                 f"求人倍率 {_ratio(t.ratio)}。"]
        lines.append(f"与{self.previous.label}相比，需求人数{_change(t.demand, p.demand)}，"
                     f"求职人数{_change(t.supply, p.supply)}，求人倍率由 {_ratio(p.ratio)} 变为 {_ratio(t.ratio)}。")
        if self.shortages:
            names = "、".join(r.label for r in self.shortages[:5])
            lines.append(f"需求明显大于求职的职业有：{names}。")
        return lines

    def sheets(self) -> list[Sheet]:
        def rows_sheet(title, rows):
            return Sheet(title, ["职业", *FIGURE_HEADERS], [[r.label, *figure_values(r)] for r in rows])

        change_rows = [[cur.label, cur.demand, prev.demand if prev else 0, _delta(cur.demand, prev and prev.demand),
                        cur.supply, prev.supply if prev else 0, cur.ratio, prev.ratio if prev else None]
                       for cur, prev in self.changes]
        sheets = [
            Sheet("概况", ["项目", "本季度", "上季度"],
                  [["需求人数", self.total.demand, self.previous_total.demand],
                   ["岗位数", self.total.postings, self.previous_total.postings],
                   ["求职人数", self.total.supply, self.previous_total.supply],
                   ["求人倍率", self.total.ratio, self.previous_total.ratio]], note=self.title),
            rows_sheet("需求人数前十的职业", self.by_demand),
            rows_sheet("求职人数前十的职业", self.by_supply),
            rows_sheet("供求缺口最大的职业", self.shortages),
            rows_sheet("求职多于需求的职业", self.surpluses),
            Sheet("与上季度比较", ["职业", "本季度需求", "上季度需求", "需求变化", "本季度求职", "上季度求职",
                                   "本季度求人倍率", "上季度求人倍率"], change_rows),
        ]
        if self.regions is not None:
            sheets.append(figure_sheet("分地区供求", self.regions, "地区"))
        return sheets


def _ratio(value) -> str:
    return "—（无求职人数）" if value is None else f"{value:.2f}"


def _delta(now, before) -> int | None:
    return None if now is None else now - (before or 0)


def _change(now, before) -> str:
    if now is None or before is None:
        return "无法比较"
    if not before:
        return f"从 0 增至 {now} 人" if now else "持平"
    pct = (now - before) / before * 100
    return f"{'增长' if pct >= 0 else '下降'} {abs(pct):.1f}%（{before} → {now} 人）"


def quarterly_report(session: Session, period: Period, filters: Filters, place: str) -> QuarterlyReport:
    """The report for the quarter ``period`` inside ``filters`` (region, jurisdiction)."""
    if "Q" not in period.key:
        raise StatsError("invalid_period", "季度报告请选择某一季度", "period")
    regions, occupations = region_directory(session), occupation_directory(session)
    detail = narrowed(filters, occupation_depth=4)
    occ = label_rows(supply_demand(session, period, detail, "occupation"), regions, occupations)
    prev_period = period.previous()
    prev = {r.key: r for r in supply_demand(session, prev_period, detail, "occupation").rows}
    report = QuarterlyReport(
        period=period, previous=prev_period, place=place,
        total=supply_demand(session, period, filters).total,
        previous_total=supply_demand(session, prev_period, filters).total,
    )
    known = [r for r in occ.rows if r.key]
    report.by_demand = known[:TOP]
    report.by_supply = sorted(known, key=lambda r: (-(r.supply or 0), r.key))[:TOP]
    report.shortages = [r for r in sorted(known, key=lambda r: (-(r.gap or 0), r.key)) if (r.gap or 0) > 0][:TOP]
    report.surpluses = [r for r in sorted(known, key=lambda r: ((r.gap or 0), r.key)) if (r.gap or 0) < 0][:TOP]
    report.changes = [(r, prev.get(r.key)) for r in report.by_demand]
    if region_level(filters.region) < 3:
        report.regions = label_rows(supply_demand(session, period, filters, "region"), regions, occupations)
    return report
