"""Job title (and description) to a national occupational classification code with a confidence.

Two evidence sources, both plain data a reviewer can read:

1. a curated dictionary of the words real titles use (``data/occupations/occupation-synonyms.json``, the
   table the occupation typeahead uses too: 普工, 保安, 客服,
   Java, 骑手 ...) mapped to codes; the longest words found in the title vote, the head word (the
   last one, as in 销售经理 / 客服经理) counting a little more;
2. a character-bigram TF-IDF match of the title against the classification's own names (and the
   dictionary words), for titles the dictionary does not cover (e.g. 电梯安装维修工, 中式面点师).

The confidence is calibrated on hand-labelled real titles (see docs/normalisation.md); below
``REVIEW_THRESHOLD`` the posting goes to review with the top suggestions.
"""
from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from core.reference.services import (
    DEFAULT_DATA_DIR, OCCUPATION_SYNONYMS_FILE, OccupationDirectory, occupation_directory, read_occupation_synonyms,
)

SYNONYMS_PATH = DEFAULT_DATA_DIR / OCCUPATION_SYNONYMS_FILE
REVIEW_THRESHOLD = 0.5
# Titles and description openings remembered per classifier: real feeds repeat them (普工, 保安 ...).
_CACHE_SIZE = 20_000
# Generic heads (老师, 医师) yield to a specific word beside them: 小学数学老师, 正畸科医师.
_GENERIC_WEIGHT = {"老师": 0.6, "教师": 0.6, "讲师": 0.6, "助教": 0.6, "医师": 0.6, "医生": 0.6}
_ASCII_WORD = re.compile(r"^[a-z0-9.+#]+$")
_NON_WORD = re.compile(r"[\s\W_]+")
_SPACES = re.compile(r"\s+")
# Words that name the level or the terms of a job, not the job: never evidence on their own.
_NOISE = re.compile(
    r"急招|急聘|高薪|诚聘|直招|包吃住|包住|包吃|五险一金|双休|单休|底薪|提成|无责|日结|周结|月结|"
    r"长白班|两班倒|\d+(\.\d+)?[kK万千wW]?(元|/月|/天|以上)?|[（(【\[][^）)】\]]*(薪|急|招|补贴|五险)[^）)】\]]*[）)】\]]"
)


@dataclass
class OccupationResult:
    code: str | None
    name: str | None
    confidence: float
    suggestions: list[tuple[str, float]] = field(default_factory=list)  # (code, score), best first
    method: str = "none"          # dictionary | tfidf | description | channel | none
    evidence: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return self.code is None or self.confidence < REVIEW_THRESHOLD

    def as_dict(self) -> dict:
        return {
            "code": self.code, "name": self.name, "confidence": round(self.confidence, 3),
            "needs_review": self.needs_review, "method": self.method, "evidence": self.evidence,
            "suggestions": [{"code": c, "score": round(s, 3)} for c, s in self.suggestions],
        }


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def _bigrams(text: str) -> list[str]:
    t = _SPACES.sub("", text)
    return [t[i: i + 2] for i in range(len(t) - 1)] or ([t] if t else [])


class OccupationClassifier:
    def __init__(self, occupations: OccupationDirectory, synonyms: dict[str, list[str]] | None = None):
        self.occupations = occupations
        if synonyms is None:
            synonyms = read_occupation_synonyms()
        self.word_code: dict[str, str] = {}
        unknown = []
        for code, words in synonyms.items():
            if not occupations.get(code):
                unknown.append(code)
                continue
            for w in words:
                self.word_code[_fold(w)] = code
        self.unknown_codes = unknown
        # Leftmost-longest scanning with dict look-ups (much faster than one huge alternation): the
        # lengths worth trying at a position, by the two characters there, longest first. Most pairs
        # start no word, so most positions cost one look-up.
        starts: dict[str, set[int]] = defaultdict(set)
        for w in self.word_code:
            starts[w[:2]].add(len(w))
        self._lengths_from = {p: tuple(sorted(lns, reverse=True)) for p, lns in starts.items() if len(p) == 2}
        # words shorter than two characters (none in the shipped dictionary) are tried last, by character
        self._one_char = {p for p in starts if len(p) < 2}
        self._ascii_words = {w for w in self.word_code if _ASCII_WORD.match(w)}
        self._weights = {w: self._word_weight(w) for w in self.word_code}
        self._build_tfidf(synonyms)
        # Bounded per-classifier memo of the title's evidence and of description openings. They
        # hold immutable tuples only; ``classify`` builds a fresh result from them on every call.
        self._title_evidence = lru_cache(maxsize=_CACHE_SIZE)(self._title_evidence_uncached)
        self._description_evidence = lru_cache(maxsize=_CACHE_SIZE)(self._description_evidence_uncached)

    @staticmethod
    def _word_weight(w: str) -> float:
        weight = len(w) if not _ASCII_WORD.match(w) else max(2.0, len(w) * 0.6)
        return weight

    # -- TF-IDF over the classification's names -------------------------------------------------
    def _build_tfidf(self, synonyms: dict[str, list[str]]) -> None:
        docs: dict[str, list[str]] = {}
        for o in self.occupations.all():
            if o.level < 3 or o.name.startswith("其他"):
                continue
            name = re.sub(r"(工程技术人员|专业人员|人员)$", "", o.name) or o.name
            docs.setdefault(o.code, []).extend(_bigrams(_fold(name)))
        for code, words in synonyms.items():
            if code in docs:
                for w in words:
                    docs[code].extend(_bigrams(_fold(w)))
        df: dict[str, int] = defaultdict(int)
        for grams in docs.values():
            for g in set(grams):
                df[g] += 1
        n = len(docs)
        self._idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}
        self._postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, grams in docs.items():
            tf: dict[str, int] = defaultdict(int)
            for g in grams:
                tf[g] += 1
            vec = {g: (1 + math.log(c)) * self._idf[g] for g, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for g, v in vec.items():
                self._postings[g].append((code, v / norm))

    def _tfidf(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        tf: dict[str, int] = defaultdict(int)
        for g in _bigrams(text):
            if g in self._idf:
                tf[g] += 1
        if not tf:
            return []
        q = {g: (1 + math.log(c)) * self._idf[g] for g, c in tf.items()}
        qn = math.sqrt(sum(v * v for v in q.values())) or 1.0
        scores: dict[str, float] = {}
        get = scores.get
        postings = self._postings
        for g, qv in q.items():
            w = qv / qn   # (qv / qn) * dv, as before: same floating-point result
            for code, dv in postings[g]:
                scores[code] = get(code, 0.0) + w * dv
        # the same order as sorting everything and keeping ``limit`` (heapq documents the equivalence)
        return heapq.nsmallest(limit, scores.items(), key=lambda kv: (-kv[1], kv[0]))

    # -- dictionary ---------------------------------------------------------------------------------
    def _scan(self, text: str) -> list[str]:
        """Dictionary words in the text, leftmost-longest, non-overlapping; ASCII words (java, ui, hr)
        only at word boundaries, so "ui" is not found inside "build"."""
        hits: list[str] = []
        i, n = 0, len(text)
        words = self.word_code
        lengths_from = self._lengths_from
        one_char = self._one_char
        while i < n:
            lengths = lengths_from.get(text[i: i + 2], ())
            if one_char and text[i] in one_char:
                lengths += (1,)
            for ln in lengths:
                if i + ln > n:
                    continue
                w = text[i: i + ln]
                if w in words:
                    if w in self._ascii_words and (
                        (i > 0 and text[i - 1].isascii() and text[i - 1].isalpha())
                        or (i + ln < n and text[i + ln].isascii() and text[i + ln].isalpha())
                    ):
                        continue
                    hits.append(w)
                    i += ln
                    break
            else:
                i += 1
        return hits

    def _dictionary(self, text: str) -> tuple[list[tuple[str, float]], list[str]]:
        if not self.word_code or not text:
            return [], []
        hits = self._scan(text)
        if not hits:
            return [], []
        scores: dict[str, float] = defaultdict(float)
        weights = self._weights
        for i, w in enumerate(hits):
            weight = weights[w]
            if i == len(hits) - 1:
                weight *= 1.3   # the head word of a Chinese title is its last
            weight *= _GENERIC_WEIGHT.get(w, 1.0)
            scores[self.word_code[w]] += weight
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked, hits

    def classify(self, title: str | None, description: str | None = "") -> OccupationResult:
        kind, payload = self._title_evidence(title or "")
        if kind == "result":
            return _result(*payload)
        tf = payload
        if description and (not tf or tf[0][1] < 0.35):
            found = self._description_evidence(description[:300])
            if found is not None:
                return _result(*found)
        if not tf:
            return OccupationResult(None, None, 0.0, [], "none", [])
        best_code, best = tf[0]
        second = tf[1][1] if len(tf) > 1 else 0.0
        confidence = min(0.85, best) * (0.6 + 0.4 * (1 - second / best if best else 0))
        o = self.occupations.get(best_code)
        return OccupationResult(best_code, o.name if o else None, round(confidence, 3), list(tf[:3]), "tfidf", [])

    def _title_evidence_uncached(self, title: str) -> tuple[str, tuple]:
        """What the title alone says: ("result", fields of the final result) when the title decides,
        else ("tfidf", the TF-IDF ranking) for ``classify`` to weigh against the description."""
        raw = _fold(title)
        # "鸿创物流招聘保安", "比亚迪汽车工业招聘普工/操作工": the job follows the last 招聘
        head, sep, tail = raw.rpartition("招聘")
        if sep and len(_NON_WORD.sub("", head)) >= 2 and len(_NON_WORD.sub("", tail)) >= 2:
            raw = tail
        core = _NOISE.sub(" ", raw)
        exact = self.occupations.by_name(_NON_WORD.sub("", core))
        if exact:   # the title is a name of the classification itself (外科医师, 中式面点师)
            o = exact[0]
            return "result", (o.code, o.name, 0.95, ((o.code, 1.0),), "exact", (o.name,))
        ranked, words = self._dictionary(core)
        if ranked:
            best_code, best = ranked[0]
            second = ranked[1][1] if len(ranked) > 1 else 0.0
            covered = sum(len(w) for w in words)
            core_len = max(2, len(_NON_WORD.sub("", core)))
            coverage = min(1.0, covered / core_len)
            margin = 1.0 - (second / best if best else 0.0)
            confidence = 0.45 + 0.3 * coverage + 0.25 * margin
            total = sum(s for _, s in ranked)
            suggestions = tuple((c, s / total) for c, s in ranked[:3])
            o = self.occupations.get(best_code)
            return "result", (best_code, o.name if o else None, round(confidence, 3), suggestions, "dictionary",
                              tuple(words[:5]))
        return "tfidf", tuple(self._tfidf(core))

    def _description_evidence_uncached(self, opening: str) -> tuple | None:
        """The fields of a result read from the description's opening, or None when it names no job."""
        dranked, dwords = self._dictionary(_NOISE.sub(" ", _fold(opening)))
        if not dranked:
            return None
        total = sum(s for _, s in dranked)
        code = dranked[0][0]
        confidence = 0.3 * dranked[0][1] / total
        o = self.occupations.get(code)
        return (code, o.name if o else None, round(confidence, 3), tuple((c, s / total) for c, s in dranked[:3]),
                "description", tuple(dwords[:5]))


def _result(code, name, confidence, suggestions, method, evidence) -> OccupationResult:
    # fresh lists on every call: callers may edit a result, never the memo behind it
    return OccupationResult(code, name, confidence, list(suggestions), method, list(evidence))


_default: dict[str, OccupationClassifier] = {}


def default_classifier(occupations: OccupationDirectory | None = None) -> OccupationClassifier:
    occupations = occupations or occupation_directory()
    clf = _default.get("clf")
    if clf is None or clf.occupations is not occupations:
        clf = OccupationClassifier(occupations)
        _default["clf"] = clf
    return clf


def classify_occupation(title: str | None, description: str | None = "",
                        classifier: OccupationClassifier | None = None) -> OccupationResult:
    return (classifier or default_classifier()).classify(title, description)


__all__ = ["OccupationResult", "OccupationClassifier", "classify_occupation", "default_classifier",
           "REVIEW_THRESHOLD"]
