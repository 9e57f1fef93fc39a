"""The cadence planner: the policy's season rule as data — busy months one fair a week, slack months
two a month — turned into proposed dates a commissioner accepts (as draft fairs) or moves."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

# DOMAIN: 春风行动 (Feb–Apr) and the graduates' season (Jun–Sep) and the year-end return (Nov–Dec)
# are the busy months in the measures JobLink serves; the rest are slack.
DEFAULT_RULE = {
    "busy_months": [2, 3, 4, 6, 7, 8, 9, 11, 12],
    "busy_per_week": 1,       # one fair a week
    "slack_per_month": 2,     # two a month
    "weekday": 5,             # Saturday (Monday = 0)
    "slack_days": [8, 22],    # near these days of a slack month
}


@dataclass(frozen=True)
class Proposal:
    date: dt.date
    busy: bool

    @property
    def season(self) -> str:
        return "旺季（每周一场）" if self.busy else "淡季（每月两场）"


def _on_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _month_dates(year: int, month: int, rule: dict) -> list[Proposal]:
    weekday = int(rule.get("weekday", 5))
    last = calendar.monthrange(year, month)[1]
    if month in rule.get("busy_months", []):
        day = _on_weekday(dt.date(year, month, 1), weekday)
        out = []
        while day.month == month:
            out.append(Proposal(day, True))
            day += dt.timedelta(days=7)
        return out
    days = list(rule.get("slack_days", [8, 22]))[: int(rule.get("slack_per_month", 2))]
    picked = []
    for d in days:
        candidate = _on_weekday(dt.date(year, month, min(d, last)), weekday)
        if candidate.month != month:
            candidate -= dt.timedelta(days=7)
        picked.append(Proposal(candidate, False))
    return sorted(set(picked), key=lambda p: p.date)


def propose_dates(start: dt.date, months: int = 3, rule: dict | None = None,
                  taken: set[dt.date] | None = None) -> list[Proposal]:
    """Proposed fair dates from ``start`` for ``months`` calendar months; dates that already have a
    fair (``taken``) are left out."""
    rule = {**DEFAULT_RULE, **(rule or {})}
    taken = taken or set()
    out: list[Proposal] = []
    year, month = start.year, start.month
    for _ in range(months):
        out.extend(p for p in _month_dates(year, month, rule) if p.date >= start and p.date not in taken)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
