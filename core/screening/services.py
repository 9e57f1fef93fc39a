"""Use cases on the stored screening rules: seed from the shipped file, read back as one document,
and let an administrator add or change a rule (validated before it is saved)."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import DomainError

from .models import MinimumWage, ScreeningRule, ScreeningSetting

DEFAULT_RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "screening" / "rules.json"
_DOC_KEYS = ("settings", "neutral_phrases", "age_rules", "minimum_wage_meta")
_SEVERITIES = ("info", "hold", "reject")


def _check_patterns(patterns: list[str], field: str) -> None:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise DomainError("invalid_pattern", f"正则表达式无效：{p}（{exc}）", field) from exc


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def seed_rules(session: Session, data: dict | None = None, replace: bool = False, by: str | None = None) -> dict:
    """Load the rule file into the tables. Existing rules an admin changed are kept unless ``replace``."""
    data = data or json.loads(DEFAULT_RULES_FILE.read_text("utf-8"))
    existing = {r.code: r for r in session.scalars(select(ScreeningRule))}
    added = updated = 0
    for pos, r in enumerate(data.get("text_rules", [])):
        _check_patterns(list(r.get("patterns", [])) + list(r.get("exceptions", [])), r["code"])
        values = dict(
            category=r.get("category", "other"), severity=r.get("severity", "hold"), message=r["message"],
            patterns=list(r.get("patterns", [])), exceptions=list(r.get("exceptions", [])),
            fields=list(r.get("fields", ["title", "description"])), triggers=list(r.get("triggers", [])),
            enabled=r.get("enabled", True), position=pos, updated_by=by,
        )
        row = existing.get(r["code"])
        if row is None:
            session.add(ScreeningRule(code=r["code"], **values))
            added += 1
        elif replace:
            for k, v in values.items():
                setattr(row, k, v)
            updated += 1
    _check_patterns(list(data.get("neutral_phrases", [])), "neutral_phrases")
    mw = data.get("minimum_wage", {}) or {}
    docs = {
        "settings": data.get("settings", {}), "neutral_phrases": data.get("neutral_phrases", []),
        "age_rules": data.get("age_rules", {}), "minimum_wage_meta": {k: v for k, v in mw.items() if k != "provinces"},
    }
    for key, value in docs.items():
        row = session.get(ScreeningSetting, key)
        if row is None:
            session.add(ScreeningSetting(key=key, value=value, updated_by=by))
        elif replace:
            row.value = value
            row.updated_by = by
    for code, w in (mw.get("provinces") or {}).items():
        row = session.get(MinimumWage, code)
        if row is None or replace:
            session.merge(MinimumWage(
                province_code=code, monthly=float(w["monthly"]),
                hourly=float(w["hourly"]) if w.get("hourly") is not None else None,
                effective_from=_date(w.get("effective")), source=mw.get("source"), verified=bool(mw.get("verified")),
            ))
    session.flush()
    return {"added": added, "updated": updated, "rules": session.scalar(select(func.count()).select_from(ScreeningRule))}


def rules_document(session: Session) -> dict | None:
    """The stored rules in the file's shape (``None`` when nothing was seeded), with a ``revision``
    that changes whenever a row does, so cached compiled rule sets are refreshed."""
    rules = list(session.scalars(select(ScreeningRule).order_by(ScreeningRule.position, ScreeningRule.id)))
    if not rules:
        return None
    settings = {s.key: s for s in session.scalars(select(ScreeningSetting))}
    wages = list(session.scalars(select(MinimumWage)))
    stamps = [r.updated_at for r in rules] + [s.updated_at for s in settings.values()] + [w.updated_at for w in wages]
    revision = f"{max(x for x in stamps if x)}:{len(rules)}:{len(wages)}"
    meta = settings["minimum_wage_meta"].value if "minimum_wage_meta" in settings else {}
    return {
        "revision": revision,
        "settings": settings["settings"].value if "settings" in settings else {},
        "neutral_phrases": settings["neutral_phrases"].value if "neutral_phrases" in settings else [],
        "age_rules": settings["age_rules"].value if "age_rules" in settings else {},
        "text_rules": [
            {"code": r.code, "category": r.category, "severity": r.severity, "message": r.message,
             "patterns": r.patterns or [], "exceptions": r.exceptions or [], "fields": r.fields or [],
             "triggers": r.triggers or [], "enabled": r.enabled}
            for r in rules
        ],
        "minimum_wage": dict(meta, provinces={
            w.province_code: {"monthly": w.monthly, "hourly": w.hourly,
                              "effective": w.effective_from.isoformat() if w.effective_from else None}
            for w in wages
        }),
    }


def save_rule(session: Session, code: str, *, message: str, patterns: list[str], severity: str = "hold",
              category: str = "other", exceptions: list[str] | None = None, fields: list[str] | None = None,
              triggers: list[str] | None = None, enabled: bool = True, by: str | None = None) -> ScreeningRule:
    """Add or change one text rule (what the admin page calls)."""
    code = (code or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{2,63}", code):
        raise DomainError("invalid_rule_code", "规则代码须为小写字母、数字和下划线（3-64位）", "code")
    if severity not in _SEVERITIES:
        raise DomainError("invalid_severity", "严重程度须为 info、hold 或 reject", "severity")
    if not patterns:
        raise DomainError("missing_patterns", "至少需要一个匹配表达式", "patterns")
    if not (message or "").strip():
        raise DomainError("missing_message", "请填写给审核员看的说明", "message")
    _check_patterns(list(patterns) + list(exceptions or []), "patterns")
    row = session.scalar(select(ScreeningRule).where(ScreeningRule.code == code))
    if row is None:
        pos = (session.scalar(select(func.max(ScreeningRule.position))) or 0) + 1
        row = ScreeningRule(code=code, position=pos)
        session.add(row)
    row.message, row.patterns, row.severity, row.category = message.strip(), list(patterns), severity, category
    row.exceptions, row.fields = list(exceptions or []), list(fields or ["title", "description"])
    row.triggers, row.enabled, row.updated_by = list(triggers or []), enabled, by
    row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.flush()
    return row


def _positive_amount(value: float) -> bool:
    """A real amount of yuan: ``nan`` and ``inf`` (which ``float()`` accepts from text) are not."""
    return math.isfinite(value) and value > 0


def set_minimum_wage(session: Session, province_code: str, monthly: float, hourly: float | None = None,
                     effective_from: dt.date | None = None, source: str | None = None,
                     verified: bool = True) -> MinimumWage:
    if not re.fullmatch(r"\d{2}0000", province_code or ""):
        raise DomainError("invalid_region_code", "请填写省级行政区划代码（如 370000）", "province_code")
    if not _positive_amount(monthly) or (hourly is not None and not _positive_amount(hourly)):
        raise DomainError("invalid_amount", "最低工资标准须为正数", "monthly")
    row = session.merge(MinimumWage(province_code=province_code, monthly=float(monthly),
                                    hourly=float(hourly) if hourly else None, effective_from=effective_from,
                                    source=source, verified=verified))
    row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.flush()
    return row


__all__ = ["seed_rules", "rules_document", "save_rule", "set_minimum_wage", "DEFAULT_RULES_FILE"]
