"""The screening rule set: loaded from the shipped rule file or from the database, compiled once.

A ``RuleSet`` is plain data (the JSON in ``data/screening/rules.json`` or the rows an administrator
edits in ``screening_rules``) plus the compiled regular expressions. ``find`` masks the neutral
phrases (男女不限, 无需押金, 免费培训 ...) before matching, so negations never trip a rule, and returns
spans in the original text for highlighting.
"""
from __future__ import annotations

import functools
import json
import re
import re._parser as _sre_parse  # the stdlib parser (public ``sre_parse`` is deprecated): pattern prefixes
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_RULES_PATH = Path(__file__).resolve().parents[2] / "data" / "screening" / "rules.json"
_FLAGS = re.IGNORECASE
_WINDOW = 80  # characters either side of a match searched for a neutral phrase (a clause)
_NOT_COVERED = object()


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
    _trigger_literals: tuple[str, ...] = field(default=(), repr=False)
    _gates: list[re.Pattern | None] = field(default_factory=list, repr=False)
    _required: list[tuple[tuple[str, ...], ...]] = field(default_factory=list, repr=False)

    def compile(self, as_written: bool = False) -> "TextRule":
        """``as_written``: every pattern with IGNORECASE, no shortcut (the reference screening)."""
        trig = [fold(t).lower() for t in self.triggers if t]
        self._trigger_literals = tuple(trig)
        self._triggers = re.compile("|".join(re.escape(t) for t in trig)) if trig else None
        self._compiled = [_compile(p, as_written) for p in self.patterns]
        self._gates = [_gate(p) for p in self._compiled]
        self._required = [_required_literals(p) for p in self._compiled]
        self._exceptions = (
            _compile("|".join(f"(?:{e})" for e in self.exceptions), as_written) if self.exceptions else None
        )
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
    # False: no shared trigger scan, no pattern gates, every pattern compiled as written (IGNORECASE);
    # every enabled rule is checked on its own with all its patterns, as before these shortcuts existed:
    # the reference the tests compare the fast path with. Set it when constructing the set.
    prefilter: bool = True
    _neutral: re.Pattern | None = field(default=None, repr=False)
    _trigger_scan: re.Pattern | None = field(default=None, repr=False)
    _rules_by_literal: dict = field(default_factory=dict, repr=False)
    _covered: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for r in self.text_rules:
            r.compile(as_written=not self.prefilter)
        self._neutral = (
            _compile("|".join(f"(?:{p})" for p in self.neutral_phrases), not self.prefilter)
            if self.neutral_phrases else None
        )
        self._build_trigger_scan()

    def _build_trigger_scan(self) -> None:
        """One alternation over the trigger literals of every enabled rule, longest first, so one pass
        over a text tells which rules can match at all (each rule's own trigger search was a pass each).

        Searched from each hit's start + 1, it yields at every position the longest literal found there;
        any shorter trigger at that position is a prefix of it, so each literal maps to the rules having
        any of its prefixes as a trigger. ``_covered`` remembers which compiled triggers the scan stands
        for: a rule enabled, added or recompiled afterwards is not covered and is checked on its own."""
        covered = {id(r): r._triggers for r in self.text_rules if r.enabled and r._triggers is not None}
        rules = [r for r in self.text_rules if id(r) in covered]
        literals = sorted({t for r in rules for t in r._trigger_literals}, key=lambda t: (-len(t), t))
        self._covered = covered
        self._rules_by_literal = {
            lit: frozenset(id(r) for r in rules if any(lit.startswith(t) for t in r._trigger_literals))
            for lit in literals
        }
        self._trigger_scan = re.compile("|".join(re.escape(t) for t in literals)) if literals else None

    def triggered(self, folded: str) -> set[int]:
        """``id()`` of the covered rules one of whose triggers occurs in ``folded`` (a ``prepare``d text)."""
        scan = self._trigger_scan
        if scan is None:
            return set()
        out: set[int] = set()
        by_literal = self._rules_by_literal
        m = scan.search(folded)
        while m is not None:
            out |= by_literal[m.group()]
            m = scan.search(folded, m.start() + 1)
        return out

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
        return self.matches(rule, text, folded, limit)

    def matches(self, rule: TextRule, text: str, folded: str, limit: int = 5) -> list[tuple[int, int, str]]:
        """``find`` once the rule's triggers are known to occur in ``folded`` (or it has none)."""
        spans: list[tuple[int, int]] = []
        use_gates = self.prefilter
        for pat, gate, required in zip(rule._compiled, rule._gates, rule._required):
            if use_gates:
                if required and not _has_all(folded, required):
                    continue
                if gate is not None and gate.search(folded) is None:
                    continue
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

_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


def _one_char(op, av) -> str | None:
    """Regex text for a parsed element that consumes exactly one character, else None."""
    if str(op) == "LITERAL":
        return re.escape(chr(av))
    if str(op) != "IN":
        return None
    parts = []
    for iop, iav in av:
        name = str(iop)
        if name == "NEGATE" and not parts:
            parts.append("^")
        elif name == "LITERAL":
            parts.append(re.escape(chr(iav)))
        elif name == "RANGE":
            parts.append(f"{re.escape(chr(iav[0]))}-{re.escape(chr(iav[1]))}")
        elif name == "CATEGORY" and str(iav) in _CATEGORIES:
            parts.append(_CATEGORIES[str(iav)])
        else:
            return None
    return "[" + "".join(parts) + "]"


def _uncased(ch: str) -> bool:
    # The engine matches such a literal only as itself, with or without IGNORECASE.
    return ch.lower() == ch == ch.upper() and ch.casefold() == ch


@functools.lru_cache(maxsize=256)
def _range_uncased(lo: int, hi: int) -> bool:
    # [\u4e00-\u9fa5] is in many rules: check its 20,000 characters once
    return all(_uncased(chr(c)) for c in range(lo, hi + 1))


def _has_all(text: str, required) -> bool:
    """Whether ``text`` holds one string of each requirement (plain loops: this runs per pattern)."""
    for alts in required:
        for lit in alts:
            if lit in text:
                break
        else:
            return False
    return True


def _caseless(items) -> bool:
    """Whether the parsed pattern has no cased character anywhere (Chinese, digits, punctuation,
    ``\\d``/``\\s``), so that IGNORECASE changes nothing it matches. Unknown elements: False."""
    for op, av in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL"):
            if not _uncased(chr(av)):
                return False
        elif name == "RANGE":
            if not _range_uncased(av[0], av[1]):
                return False
        elif name == "IN":
            if not _caseless(av):
                return False
        elif name in ("CATEGORY", "AT", "ANY", "NEGATE"):
            continue
        elif name == "SUBPATTERN":
            if not _caseless(av[-1]):
                return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if not _caseless(av[2]):
                return False
        elif name in ("ASSERT", "ASSERT_NOT"):
            if not _caseless(av[1]):
                return False
        elif name == "ATOMIC_GROUP":
            if not _caseless(av):
                return False
        elif name == "BRANCH":
            if not all(_caseless(alt) for alt in av[1]):
                return False
        else:   # back-references (compared ignoring case), conditionals, anything new
            return False
    return True


def _compile(pattern: str, as_written: bool = False) -> re.Pattern:
    """``pattern`` with IGNORECASE, as rules are written; without it when the pattern has no cased
    character, where the flag changes no match but makes the engine check each position slower."""
    try:
        if not as_written and _caseless(_sre_parse.parse(pattern, _FLAGS)):
            return re.compile(pattern, _FLAGS & ~re.IGNORECASE)
    except Exception:  # noqa: BLE001 - let re.compile report a bad pattern as it always has
        pass
    return re.compile(pattern, _FLAGS)


def _literals_in(items) -> list[tuple[str, ...]]:
    """What every match of the parsed sequence ``items`` contains: a list of requirements, each a tuple
    of strings one of which occurs. Conservative: only uncased literals, only elements that must match
    (not optional, not in a repeat that may run zero times, not inside a look-around)."""
    reqs: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL" and _uncased(chr(av)):
            run.append(chr(av))      # consecutive literals of one sequence are adjacent in the match
            continue
        if run:
            reqs.append(("".join(run),))
            run = []
        if name == "SUBPATTERN":
            reqs += _literals_in(av[-1])
        elif name == "ATOMIC_GROUP":
            reqs += _literals_in(av)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            reqs += _literals_in(av[2])
        elif name == "BRANCH":
            # one requirement from each alternative; the match holds one of them
            union: list[str] = []
            for alt in av[1]:
                alt_reqs = _literals_in(alt)
                if not alt_reqs:
                    union = []
                    break
                union += max(alt_reqs, key=lambda req: min(len(x) for x in req))
            if union:
                reqs.append(tuple(dict.fromkeys(union)))
    if run:
        reqs.append(("".join(run),))
    return reqs


def _required_literals(pattern: re.Pattern) -> tuple[tuple[str, ...], ...]:
    """Literals a match of ``pattern`` must contain, to skip the pattern on texts that lack them:
    ``(?<![\\d])\\d{2}\\s*(周)?岁\\s*(以下|以内|之内)`` needs 岁 and one of 以下/以内/之内, which
    ``in`` finds far faster than the engine can try the pattern at every position."""
    try:
        return tuple(_literals_in(_sre_parse.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - a pattern the stdlib parser reads differently: nothing required
        return ()


def _gate(pattern: re.Pattern) -> re.Pattern | None:
    """A cheap necessary condition for a pattern that opens with a look-behind (``(?<![\\d])1[3-9]...``).

    The regex engine skips ahead to a pattern's leading literal quickly, but not when a zero-width
    assertion comes first: then it tries the whole pattern at every position. Every match of such a
    pattern has, where it starts, the one-character elements that follow the assertions, so when
    those (starting with a literal, compiled with the pattern's own flags) occur nowhere in the text,
    neither does a match. Returns None when there is no such prefix to look for."""
    try:
        items = list(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # noqa: BLE001 - a pattern the stdlib parser reads differently: no gate, same result
        return None
    i = 0
    while i < len(items) and str(items[i][0]) in ("ASSERT", "ASSERT_NOT", "AT"):
        i += 1
    if i == 0 or i == len(items) or str(items[i][0]) != "LITERAL":
        return None
    prefix = []
    for op, av in items[i:]:
        piece = _one_char(op, av)
        if piece is None:
            break
        prefix.append(piece)
    return re.compile("".join(prefix), pattern.flags)


_FOLD_CHARS = {chr(k): chr(v) for k, v in _FOLD.items()}


def fold(text: str) -> str:
    # Same result as ``text.translate(_FOLD)``, several times faster on Chinese text: translate looks
    # every character up in the table, while a posting holds a handful of distinct full-width marks
    # (，：（）) that ``str.replace`` swaps in one pass each. The targets are ASCII, never folded again,
    # so the search goes on from where the last mark was found.
    m = _NEEDS_FOLD.search(text)
    while m is not None:
        ch = m.group()
        text = text.replace(ch, _FOLD_CHARS[ch])
        m = _NEEDS_FOLD.search(text, m.start())
    return text


def rules_from_dict(data: dict, source: str = "file", prefilter: bool = True) -> RuleSet:
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
        minimum_wage_meta=meta, age_rules=dict(data.get("age_rules", {})), source=source, prefilter=prefilter,
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
