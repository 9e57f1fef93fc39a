"""Query understanding: what a person typed ("想找保安工作", "广州 保安 不要夜班", "找个离家近的日结活")
turned into concepts before the engine sees it.

Words are cut by the shared analyser's tokenizer, then each is read against a small dictionary
(``data/search/understanding.txt``): filler and intent words are dropped, place names from the
region directory become a region filter, 零工/日结/兼职 an employment type and pay unit,
包吃住/五险一金/双休 the welfare words postings carry, "-夜班" and "不要夜班" exclusions,
离家近/附近 "near my home". Romanised or mistyped Latin words get a correction (baoan → 保安,
jvaa → java) that the caller applies when the words as typed find nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from core.search import SearchQuery, SearchResult, Terms

from indexer.search.analyzer import DICT_PATH, STOPWORDS, Analyzer, default_analyzer, normalise

DATA_PATH = Path(__file__).resolve().parents[2] / "data" / "search" / "understanding.txt"
LATIN_PATH = DATA_PATH.with_name("latin_words.txt")
_LATIN = re.compile(r"^[a-z][a-z0-9+#.]*$")
_SPLIT = re.compile(r"[\s,，。、;；!！?？/|]+")
_MIN_REGION_CHARS = 2


@dataclass(frozen=True)
class Lexicon:
    filler: frozenset[str]
    negate: frozenset[str]
    near: frozenset[str]
    types: dict[str, tuple[str, str | None]]        # word -> (employment type, pay unit or None)
    benefits: dict[str, tuple[str, ...]]            # word -> welfare words
    latin: frozenset[str]                           # Latin words the job dictionary knows
    pinyin: dict[str, str]                          # "baoan" -> "保安"


@dataclass
class Concept:
    """One thing understood, as the page shows it: ``kind`` place/type/benefit/exclude/near/word."""

    kind: str
    source: str          # the words typed, removed from the query when the chip is removed
    label: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {"place": "地区", "type": "用工形式", "benefit": "福利", "exclude": "排除", "near": "位置"}


@dataclass
class Understanding:
    words: list[str] = field(default_factory=list)      # meaningful words, all kept in the query
    excluded: list[str] = field(default_factory=list)
    region: object | None = None                       # a RegionRef
    employment_type: str | None = None
    pay_unit: str | None = None
    benefits: list[str] = field(default_factory=list)  # welfare words, required like words
    near: bool = False
    dropped: list[str] = field(default_factory=list)   # filler words left out
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> suggested word
    concepts: list[Concept] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.words + self.benefits)

    def corrected_text(self) -> str:
        return " ".join([self.corrections.get(w, w) for w in self.words] + self.benefits)

    def filters(self) -> tuple[Terms, ...]:
        """The engine filters the words stand for: the place's region, the employment type."""
        out = []
        if self.region is not None:
            out.append(Terms("region_path", (self.region.code,)))
        if self.employment_type:
            out.append(Terms("employment_type", (self.employment_type,)))
        return tuple(out)


def _read_entries(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split())
    return rows


@lru_cache(maxsize=1)
def lexicon(path: Path = DATA_PATH, dict_path: Path = DICT_PATH, latin_path: Path = LATIN_PATH) -> Lexicon:
    from pypinyin import lazy_pinyin

    rows = _read_entries(path)
    by_kind: dict[str, list[list[str]]] = {}
    for kind, *rest in rows:
        by_kind.setdefault(kind, []).append(rest)
    latin: set[str] = {row[0] for row in _read_entries(latin_path)}
    pinyin: dict[str, str] = {}
    for line in dict_path.read_text(encoding="utf-8").splitlines():
        word = line.split(" ")[0].strip()
        if not word:
            continue
        for part in re.findall(r"[A-Za-z][A-Za-z0-9+#.]*", word):
            latin.add(part.lower())
        if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", word):
            # the shortest word wins a shared spelling (保安 before 保安员)
            key = "".join(lazy_pinyin(word))
            if key not in pinyin or len(word) < len(pinyin[key]):
                pinyin[key] = word
    return Lexicon(
        filler=frozenset(r[0] for r in by_kind.get("filler", [])),
        negate=frozenset(r[0] for r in by_kind.get("negate", [])),
        near=frozenset(r[0] for r in by_kind.get("near", [])),
        types={r[0]: (r[1], r[2] if len(r) > 2 else None) for r in by_kind.get("type", [])},
        benefits={r[0]: tuple(r[1:]) for r in by_kind.get("benefit", [])},
        latin=frozenset(latin),
        pinyin=pinyin,
    )


def _close(a: str, b: str) -> bool:
    """One edit apart (insert, delete, replace, or two neighbours swapped: jvaa/java)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def correct_latin(word: str, lex: Lexicon) -> str | None:
    """A romanised or mistyped Latin word's likely meaning, or None when it is known or unknown."""
    if not _LATIN.match(word) or word in lex.latin:
        return None
    if word in lex.pinyin:
        return lex.pinyin[word]
    if len(word) < 4:
        return None
    close = sorted(w for w in lex.latin if len(w) >= 3 and _close(word, w))
    return close[0] if close else None


def _tokens(analyzer: Analyzer, text: str) -> list[str]:
    """Tokens of the text as typed, "-word" kept as one token."""
    out: list[str] = []
    for chunk in _SPLIT.split(normalise(text)):
        if not chunk:
            continue
        if chunk.startswith("-") and len(chunk) > 1:
            out.append(chunk)
            continue
        out += [t.strip() for t in analyzer.tokenizer.cut(chunk, HMM=False) if t.strip()]
    return out


def _region_for(word: str, regions) -> object | None:
    if regions is None or len(word) < _MIN_REGION_CHARS or not re.search(r"[\u4e00-\u9fff]", word):
        return None
    hits = regions.by_name(word)
    if not hits:
        return None
    return hits[0]  # by_name orders by level: a city before a same-named county


def understand(text: str, regions=None, *, analyzer: Analyzer | None = None, lex: Lexicon | None = None,
               find_place: bool = True, find_type: bool = True) -> Understanding:
    """Read ``text`` into an ``Understanding``; ``regions`` is the region directory (or None)."""
    analyzer = analyzer or default_analyzer()
    lex = lex or lexicon()
    u = Understanding()
    tokens = _tokens(analyzer, text)
    negate_next = ""  # the negating word just read (不要), until the word it negates
    for tok in tokens:
        if tok.startswith("-") and len(tok) > 1:
            _exclude(u, tok[1:], tok)
            continue
        if tok in lex.negate:
            negate_next = tok
            continue
        if negate_next and tok not in lex.filler:
            _exclude(u, tok, negate_next + tok)
            negate_next = ""
            continue
        _read_token(u, tok, lex, regions, find_place, find_type)
    return u


def _exclude(u: Understanding, word: str, source: str) -> None:
    if word and word not in u.excluded:
        u.excluded.append(word)
        u.concepts.append(Concept("exclude", source, f"不要“{word}”"))


def _read_token(u: Understanding, tok: str, lex: Lexicon, regions, find_place: bool, find_type: bool) -> None:
    if tok in lex.near:
        if not u.near:
            u.near = True
            u.concepts.append(Concept("near", tok, "离家近"))
        return
    if tok in lex.filler or tok in STOPWORDS or not re.search(r"\w", tok):
        u.dropped.append(tok)
        return
    if find_type and tok in lex.types and u.employment_type is None:
        u.employment_type, u.pay_unit = lex.types[tok]
        u.concepts.append(Concept("type", tok, tok))
        return
    if tok in lex.benefits:
        for w in lex.benefits[tok]:
            if w not in u.benefits:
                u.benefits.append(w)
        u.concepts.append(Concept("benefit", tok, tok))
        return
    region = _region_for(tok, regions) if find_place and u.region is None else None
    if region is not None:
        u.region = region
        u.concepts.append(Concept("place", tok, region.full_name))
        return
    fix = correct_latin(tok, lex)
    if fix:
        u.corrections[tok] = fix
    if tok not in u.words:
        u.words.append(tok)


RELAX_BELOW = 5  # fewer strict results than this: add the partly matching ones after them


@dataclass
class Outcome:
    result: SearchResult
    query: SearchQuery                   # the query that gave ``result`` (page links repeat it)
    notices: list[str] = field(default_factory=list)
    did_you_mean: str | None = None
    relaxed: bool = False


def search_understood(search: Callable[[SearchQuery], SearchResult], query: SearchQuery,
                      u: Understanding | None, analyzer: Analyzer | None = None,
                      browse_when_nothing: bool = True) -> Outcome:
    """The strict query; if it finds nothing, the corrected words (jvaa → java); if it finds few,
    the relaxed query (at least one word, ranked by how many match); if the words find nothing at
    all, the other conditions alone (``browse_when_nothing``). Used by the page, the API and the
    benchmark alike."""
    analyzer = analyzer or default_analyzer()
    out = Outcome(result=search(query), query=query)
    if out.result.total == 0 and u is not None and u.corrections:
        fixed = replace(query, text=u.corrected_text())
        again = search(fixed)
        if again.total:
            out.did_you_mean = "、".join(dict.fromkeys(u.corrections.values()))
            out.query, out.result = fixed, again
    strict_total = out.result.total
    if strict_total < RELAX_BELOW and out.query.text and len(analyzer.query_tokens(out.query.text)) > 1:
        relaxed = replace(out.query, minimum_should_match=1)
        more = search(relaxed)
        if more.total > strict_total:
            out.notices.append("没有完全符合的岗位，以下是部分符合的" if strict_total == 0
                               else f"完全符合的岗位有 {strict_total} 个，排在最前面；后面是部分符合的")
            out.relaxed, out.query, out.result = True, relaxed, more
    if out.result.total == 0 and out.query.text and browse_when_nothing:
        text = out.query.text
        browse = replace(out.query, text="", minimum_should_match=None,
                         sort="newest" if out.query.sort == "relevance" else out.query.sort)
        latest = search(browse)
        if latest.total:
            out.notices.append(f"没有找到含“{text}”的岗位，以下是符合其他条件的最新岗位")
            out.relaxed, out.query, out.result = True, browse, latest
    return out
