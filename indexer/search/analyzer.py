"""The one Chinese analyser every search backend shares.

Text is segmented in Python by jieba with a job-domain dictionary (``job_dict.txt``, built from the
national occupational classification and real posting titles by ``python -m indexer.search.dictionary``)
and reduced through the synonym table (``synonyms.txt``) to canonical words, so 焊工 finds 电焊工 and
results agree whichever engine serves. Documents are cut in search mode (a word and its sub-words);
queries are cut precisely, so 电焊工 and 焊工 both match a posting that says 电焊工.
"""
from __future__ import annotations

import html
import re
import threading
import unicodedata
from functools import cached_property
from pathlib import Path

_HERE = Path(__file__).parent
DICT_PATH = _HERE / "job_dict.txt"
SYNONYMS_PATH = _HERE / "synonyms.txt"

STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 有 为 对 以 于 并 将 把 被 就 也 都 而 及其 以及 可 能 会 要 我们 公司 "
    "岗位 职位 工作 负责 相关 进行 具有 一定 以上 以下 优先 要求 职责 任职 资格 a an the and or of to in"
    .split()
)
_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
MAX_QUERY_CHARS = 200


def normalise(text: str) -> str:
    """Full-width to half-width, lower case: 'ＪＡＶＡ' and 'java' are one word."""
    return unicodedata.normalize("NFKC", text or "").lower()


def load_synonyms(path: Path = SYNONYMS_PATH) -> dict[str, str]:
    canon: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = [normalise(w) for w in line.split()]
        for w in words:
            canon.setdefault(w, words[0])
    return canon


class Analyzer:
    """Thread-safe, loads jieba and its dictionary on first use (never at import)."""

    def __init__(self, dict_path: Path | None = DICT_PATH, synonyms_path: Path = SYNONYMS_PATH):
        self._dict_path = dict_path
        self._synonyms_path = synonyms_path
        self._lock = threading.Lock()
        self._tok = None
        self._pattern_cache: dict[tuple[str, ...], re.Pattern | None] = {}

    @property
    def tokenizer(self):
        if self._tok is None:
            with self._lock:
                if self._tok is None:
                    import logging

                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    tok = jieba.Tokenizer()
                    tok.initialize()
                    if self._dict_path is not None and Path(self._dict_path).exists():
                        # an open file, not the path: given a path, jieba never closes the file
                        with open(self._dict_path, "rb") as fh:
                            tok.load_userdict(fh)
                    for word in self.synonyms:  # every synonym must survive segmentation whole
                        tok.add_word(word, freq=tok.suggest_freq(word, tune=False) or 1000)
                    self._tok = tok
        return self._tok

    @cached_property
    def synonyms(self) -> dict[str, str]:
        return load_synonyms(self._synonyms_path)

    @cached_property
    def surface_forms(self) -> dict[str, list[str]]:
        forms: dict[str, list[str]] = {}
        for word, canon in self.synonyms.items():
            forms.setdefault(canon, []).append(word)
        return forms

    def _keep(self, token: str) -> bool:
        return bool(token) and token not in STOPWORDS and _TOKEN_OK.search(token) is not None

    def canonical(self, token: str) -> str:
        return self.synonyms.get(token, token)

    def index_tokens(self, text: str) -> list[str]:
        """Tokens to index for a document field (search mode, canonical, stop words dropped)."""
        text = normalise(text)
        if not text:
            return []
        out = []
        for tok in self.tokenizer.cut_for_search(text, HMM=False):
            tok = tok.strip()
            if self._keep(tok):
                out.append(self.canonical(tok))
        return out

    def query_tokens(self, text: str) -> list[str]:
        """Distinct canonical tokens of a query, in order; every one must match (AND)."""
        text = normalise(text)[:MAX_QUERY_CHARS]
        seen: list[str] = []
        for tok in self.tokenizer.cut(text, HMM=False):
            tok = tok.strip()
            if self._keep(tok):
                c = self.canonical(tok)
                if c not in seen:
                    seen.append(c)
        return seen

    # -- highlighting -----------------------------------------------------------------------

    def _patterns(self, query_tokens: list[str]) -> re.Pattern | None:
        key = tuple(query_tokens)
        cached = self._pattern_cache.get(key, False)
        if cached is False:
            cached = self._build_pattern(key)
            if len(self._pattern_cache) >= 512:  # a bounded cache: one page highlights ~40 texts per query
                self._pattern_cache.clear()
            self._pattern_cache[key] = cached
        return cached

    def _build_pattern(self, query_tokens: tuple[str, ...]) -> re.Pattern | None:
        forms: set[str] = set()
        for t in query_tokens:
            forms.add(t)
            forms.update(self.surface_forms.get(t, ()))
        forms = {f for f in forms if f}
        if not forms:
            return None
        alts = sorted(forms, key=len, reverse=True)
        return re.compile("|".join(re.escape(a) for a in alts), re.IGNORECASE)

    def highlight(self, text: str, query_tokens: list[str], max_chars: int | None = None) -> str:
        """HTML: ``text`` escaped, query words (and their synonyms) in ``<mark>``; optionally a
        window of ``max_chars`` around the first match."""
        text = text or ""
        pat = self._patterns(query_tokens)
        if max_chars is not None and len(text) > max_chars:
            start = 0
            if pat is not None:
                # the original text first (normalising a long description costs more than the search)
                m = pat.search(text) or pat.search(normalise(text))
                if m is not None:
                    start = max(0, m.start() - max_chars // 4)
            snippet = text[start:start + max_chars]
            prefix = "…" if start > 0 else ""
            suffix = "…" if start + max_chars < len(text) else ""
            text = snippet
        else:
            prefix = suffix = ""
        if pat is None:
            return prefix + html.escape(text) + suffix
        # NFKC can change lengths for a few characters; match on the original text, case-insensitive.
        parts, last = [], 0
        for m in pat.finditer(text):
            parts.append(html.escape(text[last:m.start()]))
            parts.append("<mark>" + html.escape(m.group(0)) + "</mark>")
            last = m.end()
        parts.append(html.escape(text[last:]))
        return prefix + "".join(parts) + suffix

    def highlight_hits(self, hits, stored: dict, terms: list[str]) -> None:
        """Fill each hit's title and description highlights from its stored fields (both backends)."""
        for h in hits:
            src = stored.get(h.id) or {}
            if "title_text" in src:
                h.highlights["title"] = self.highlight(src.get("title_text") or "", terms)
                h.highlights["description"] = self.highlight(src.get("description_text") or "", terms, max_chars=120)


_default: Analyzer | None = None


def default_analyzer() -> Analyzer:
    global _default
    if _default is None:
        _default = Analyzer()
    return _default
