"""The screening rule set: loaded from the shipped rule file or from the database, compiled once.

A ``RuleSet`` is plain data (the JSON in ``data/screening/rules.json`` or the rows an administrator
edits in ``screening_rules``) plus the compiled regular expressions. ``find`` masks the neutral
phrases (男女不限, 无需押金, 免费培训 ...) before matching, so negations never trip a rule, and returns
spans in the original text for highlighting.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_RULES_PATH = Path(__file__).resolve().parents[2] / "data" / "screening" / "rules.json"
_FLAGS = re.IGNORECASE
_WINDOW = 80  # characters either side of a match searched for a neutral phrase (a clause)


@dataclass
class TextRule:
    code: str
    category: str
    severity: str
    message: str
    patterns: list[str]
    exceptions: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=lambda: ["title", "description"])
    triggers: list[str] = field(default_factory=list)   # cheap pre-check: one must occur
    enabled: bool = True
    _compiled: list[re.Pattern] = field(default_factory=list, repr=False)
    _exceptions: re.Pattern | None = field(default=None, repr=False)
    _triggers: re.Pattern | None = field(default=None, repr=False)

    def compile(self) -> "TextRule":
        trig = [fold(t).lower() for t in self.triggers if t]
        self._triggers = re.compile("|".join(re.escape(t) for t in trig)) if trig else None
        self._compiled = [re.compile(p, _FLAGS) for p in self.patterns]
        self._exceptions = re.compile("|".join(f"(?:{e})" for e in self.exceptions), _FLAGS) if self.exceptions else None
        return self

    def as_dict(self) -> dict:
        return {
            "code": self.code, "category": self.category, "severity": self.severity, "message": self.message,
            "patterns": list(self.patterns), "exceptions": list(self.exceptions), "fields": list(self.fields),
            "triggers": list(self.triggers), "enabled": self.enabled,
        }


@dataclass
class RuleSet:
    text_rules: list[TextRule]
    neutral_phrases: list[str]
    settings: dict
    minimum_wage: dict          # province code -> {"monthly": ..., "hourly": ..., "effective": ...}
    minimum_wage_meta: dict = field(default_factory=dict)
    age_rules: dict = field(default_factory=dict)
    source: str = "file"
    _neutral: re.Pattern | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for r in self.text_rules:
            r.compile()
        self._neutral = (
            re.compile("|".join(f"(?:{p})" for p in self.neutral_phrases), _FLAGS) if self.neutral_phrases else None
        )

    def setting(self, key: str, default=None):
        return self.settings.get(key, default)

    def mask(self, text: str, extra: re.Pattern | None = None) -> str:
        """Replace neutral phrases by spaces of the same length (spans stay valid)."""
        for pat in (self._neutral, extra):
            if pat is not None:
                text = pat.sub(lambda m: " " * len(m.group(0)), text)
        return text

    def prepare(self, text: str) -> str:
        """Fold once per text (full-width to half-width, lower case; same length)."""
        return fold(text or "").lower()

    def _neutralised(self, rule: TextRule, folded: str, start: int, end: int) -> bool:
        """Whether the match overlaps a neutral phrase or an exception of the rule found near it.
        Looking only around a match keeps screening fast: most texts trip nothing."""
        lo, hi = max(0, start - _WINDOW), min(len(folded), end + _WINDOW)
        window = folded[lo:hi]
        for pat in (self._neutral, rule._exceptions):
            if pat is None:
                continue
            for m in pat.finditer(window):
                if m.start() + lo < end and m.end() + lo > start:
                    return True
        return False

    def find(self, rule: TextRule, text: str, limit: int = 5, prepared: str | None = None) -> list[tuple[int, int, str]]:
        """Non-overlapping matches of ``rule`` in ``text`` as (start, end, matched original text)."""
        if not text or not rule.enabled:
            return []
        folded = prepared if prepared is not None else self.prepare(text)
        if rule._triggers is not None and not rule._triggers.search(folded):
            return []
        spans: list[tuple[int, int]] = []
        for pat in rule._compiled:
            for m in pat.finditer(folded):
                if m.end() > m.start() and folded[m.start(): m.end()].strip() \
                        and not self._neutralised(rule, folded, m.start(), m.end()):
                    spans.append((m.start(), m.end()))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return [(s, e, text[s:e]) for s, e in merged[:limit]]

    def as_dict(self) -> dict:
        return {
            "settings": self.settings, "neutral_phrases": self.neutral_phrases,
            "text_rules": [r.as_dict() for r in self.text_rules], "age_rules": self.age_rules,
            "minimum_wage": dict(self.minimum_wage_meta, provinces=self.minimum_wage),
        }


# Full-width ASCII (ＱＱ, １３８) and the ideographic space to their ASCII forms: one character for one,
# so spans found in the folded text are spans in the original.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20


_NEEDS_FOLD = re.compile("[\uff01-\uff5e\u3000]")


def fold(text: str) -> str:
    return text.translate(_FOLD) if _NEEDS_FOLD.search(text) else text


def rules_from_dict(data: dict, source: str = "file") -> RuleSet:
    text_rules = [
        TextRule(
            code=r["code"], category=r.get("category", "other"), severity=r.get("severity", "hold"),
            message=r["message"], patterns=list(r.get("patterns", [])), exceptions=list(r.get("exceptions", [])),
            fields=list(r.get("fields", ["title", "description"])), triggers=list(r.get("triggers", [])),
            enabled=r.get("enabled", True),
        )
        for r in data.get("text_rules", [])
    ]
    mw = data.get("minimum_wage", {}) or {}
    meta = {k: v for k, v in mw.items() if k != "provinces"}
    return RuleSet(
        text_rules=text_rules, neutral_phrases=list(data.get("neutral_phrases", [])),
        settings=dict(data.get("settings", {})), minimum_wage=dict(mw.get("provinces", {})),
        minimum_wage_meta=meta, age_rules=dict(data.get("age_rules", {})), source=source,
    )


def read_rules_file(path: Path | str = DEFAULT_RULES_PATH) -> dict:
    return json.loads(Path(path).read_text("utf-8"))


def validate_rules(data: dict) -> list[str]:
    """Problems an administrator must fix before a rule set is used (bad regex, unknown severity)."""
    problems = []
    for where, pats in [("neutral_phrases", data.get("neutral_phrases", []))] + [
        (f"text_rules[{r.get('code')}]", list(r.get("patterns", [])) + list(r.get("exceptions", [])))
        for r in data.get("text_rules", [])
    ]:
        for p in pats:
            try:
                re.compile(p)
            except re.error as exc:
                problems.append(f"{where}: 正则表达式无效 {p!r}: {exc}")
    for r in data.get("text_rules", []):
        if r.get("severity") not in ("info", "hold", "reject"):
            problems.append(f"text_rules[{r.get('code')}]: severity 应为 info/hold/reject")
        if not r.get("code") or not r.get("message"):
            problems.append("text_rules: 每条规则须有 code 与 message")
    return problems


__all__ = ["TextRule", "RuleSet", "rules_from_dict", "read_rules_file", "validate_rules", "fold", "DEFAULT_RULES_PATH"]
