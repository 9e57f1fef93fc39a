"""The embedded engine's in-memory index: immutable columnar segments searched with numpy.

A ``Segment`` holds, for a batch of analysed documents: per text field an inverted index in CSR
form (term -> sorted doc slots with term frequencies) and document lengths; per keyword field a
padded ``int32[n, width]`` matrix of value codes (facets are one ``bincount``); per number field a
``float64[n]`` column (NaN = missing); coordinates; optionally unit vectors for kNN. Segments are
immutable except for their ``live`` mask (a newer version of a document elsewhere tombstones it).
``search_segments`` runs one structured query over several segments with global BM25 statistics.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.search import MATCH_COUNT_WEIGHT, CollectionSpec, GeoRadius, Range, SearchQuery, Terms, haversine_km

K1, B = 1.2, 0.75
# Text queries whose posting lists hold fewer than n / SPARSE_RATIO entries are scored on the lists alone.
SPARSE_RATIO = 8


@dataclass
class AnalysedDoc:
    """What the engine keeps of a document: tokens per text field and typed values."""

    id: int
    version: int
    tokens: dict[str, list[str]]
    keywords: dict[str, list[str]]
    numbers: dict[str, float | None]
    lat: float | None = None
    lon: float | None = None
    vector: list[float] | None = None

    def to_json(self) -> bytes:
        """Compact, compressed form for the document store."""
        return zlib.compress(json.dumps(
            [self.id, self.version, self.tokens, self.keywords, self.numbers, self.lat, self.lon,
             self.vector], ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)

    @classmethod
    def from_json(cls, raw: bytes) -> "AnalysedDoc":
        return cls(*json.loads(zlib.decompress(raw)))


@dataclass
class TextField:
    vocab: dict[str, int]
    indptr: np.ndarray   # int64[T+1]
    docs: np.ndarray     # int32[P]
    tfs: np.ndarray      # float32[P]
    lengths: np.ndarray  # float32[n]

    def postings(self, term: str):
        tid = self.vocab.get(term)
        if tid is None:
            return None
        a, b = self.indptr[tid], self.indptr[tid + 1]
        return self.docs[a:b], self.tfs[a:b]

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        return 0 if tid is None else int(self.indptr[tid + 1] - self.indptr[tid])


@dataclass
class KeywordField:
    values: list[str]
    codes: dict[str, int]
    matrix: np.ndarray  # int32[n, width], -1 = empty
    _postings: tuple | None = None  # value -> doc slots (CSR), built on first use
    _value_array: np.ndarray | None = None
    _shifted: np.ndarray | None = None

    @property
    def shifted(self) -> np.ndarray:
        if self._shifted is None:
            self._shifted = np.asarray(self.matrix, dtype=np.int32) + 1
        return self._shifted

    @property
    def value_array(self) -> np.ndarray:
        if self._value_array is None or len(self._value_array) != len(self.values):
            self._value_array = np.array(self.values, dtype=object)
        return self._value_array

    def postings(self, code: int) -> np.ndarray:
        """Sorted doc slots holding value ``code`` (an inverted list, so a filter on a region or an
        occupation over the whole collection reads only its documents)."""
        if self._postings is None:
            n, w = self.matrix.shape
            flat = np.asarray(self.matrix).ravel()
            docs = np.repeat(np.arange(n, dtype=np.int32), w)
            keep = flat >= 0
            flat, docs = flat[keep], docs[keep]
            order = np.argsort(flat, kind="stable")
            indptr = np.zeros(len(self.values) + 1, dtype=np.int64)
            np.cumsum(np.bincount(flat, minlength=len(self.values)), out=indptr[1:])
            self._postings = (indptr, docs[order])
        indptr, docs = self._postings
        return docs[indptr[code]:indptr[code + 1]]


@dataclass
class Segment:
    spec: CollectionSpec
    ids: np.ndarray       # int64[n], ascending
    versions: np.ndarray  # int64[n]
    live: np.ndarray      # bool[n]
    text: dict[str, TextField]
    keywords: dict[str, KeywordField]
    numbers: dict[str, np.ndarray]
    lat: np.ndarray
    lon: np.ndarray
    vectors: np.ndarray | None = None  # float32[n, d], unit length; zero rows = no vector
    docs: list[AnalysedDoc] | None = field(default=None, repr=False)  # kept for small segments

    @property
    def n(self) -> int:
        return len(self.ids)

    def slot(self, doc_id: int) -> int | None:
        i = int(np.searchsorted(self.ids, doc_id))
        if i < self.n and self.ids[i] == doc_id:
            return i
        return None

    def kill(self, doc_id: int) -> None:
        i = self.slot(doc_id)
        if i is not None and self.live[i]:
            self.live[i] = False
            self._all_facets = {}
            self._live_count = None

    _live_count: int | None = None

    def live_count(self) -> int:
        if self._live_count is None:
            self._live_count = int(self.live.sum())
        return self._live_count

    _all_facets: dict = None  # facet counts over every live document, cached (browsing with no filter)
    _with_vector: np.ndarray | None = None  # bool[n]: rows holding a vector (kNN), computed once

    def facet_counts(self, name: str, cand: np.ndarray | None, complement: np.ndarray | None = None) -> np.ndarray:
        kf = self.keywords[name]
        m1 = kf.shifted  # codes + 1: empty (-1) lands in bin 0, which is dropped
        if self._all_facets is None:
            self._all_facets = {}
        if cand is None:
            if name not in self._all_facets:
                self._all_facets[name] = np.bincount(m1[self.live].ravel(), minlength=len(kf.values) + 1)[1:]
            return self._all_facets[name]
        if complement is not None:  # most documents match: count the few that do not, subtract
            return self.facet_counts(name, None) - np.bincount(m1[complement].ravel(), minlength=len(kf.values) + 1)[1:]
        return np.bincount(m1[cand].ravel(), minlength=len(kf.values) + 1)[1:]

    def text_total(self, name: str) -> float:
        """Sum of the field's document lengths (cached: BM25's average length needs it per query)."""
        if self._text_totals is None:
            self._text_totals = {f: float(np.asarray(tf.lengths, dtype=np.float64).sum()) for f, tf in self.text.items()}
        return self._text_totals[name]

    _text_totals: dict = None
    _sort_keys: dict = None
    _lat_index: tuple = None

    def sort_key(self, name: str) -> np.ndarray:
        """The column with missing values as -inf (last in a descending sort), cached."""
        if self._sort_keys is None:
            self._sort_keys = {}
        if name not in self._sort_keys:
            self._sort_keys[name] = np.nan_to_num(np.asarray(self.numbers[name], dtype=np.float64), nan=-np.inf)
        return self._sort_keys[name]

    def lat_band(self, geo) -> np.ndarray:
        """Slots whose latitude lies within the radius (documents sorted by latitude, cached)."""
        if self._lat_index is None:
            order = np.argsort(self.lat, kind="stable")  # NaN sorts last
            self._lat_index = (order, self.lat[order])
        order, lat_sorted = self._lat_index
        dlat = geo.radius_km / 111.0
        lo, hi = np.searchsorted(lat_sorted, [geo.lat - dlat, geo.lat + dlat], side="left")
        hi = np.searchsorted(lat_sorted, geo.lat + dlat, side="right")
        return np.sort(order[lo:hi])

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def build(cls, spec: CollectionSpec, docs: list[AnalysedDoc], keep_docs: bool = False) -> "Segment":
        docs = sorted(docs, key=lambda d: d.id)
        n = len(docs)
        ids = np.fromiter((d.id for d in docs), dtype=np.int64, count=n)
        versions = np.fromiter((d.version for d in docs), dtype=np.int64, count=n)
        text = {}
        for f in spec.by_kind("text"):
            text[f.name] = _build_text([d.tokens.get(f.name) or [] for d in docs])
        keywords = {}
        for f in spec.by_kind("keyword"):
            keywords[f.name] = _build_keyword([d.keywords.get(f.name) or [] for d in docs])
        numbers = {}
        for f in spec.by_kind("number"):
            numbers[f.name] = np.array(
                [np.nan if d.numbers.get(f.name) is None else d.numbers[f.name] for d in docs],
                dtype=np.float64)
        lat = np.array([np.nan if d.lat is None else d.lat for d in docs], dtype=np.float64)
        lon = np.array([np.nan if d.lon is None else d.lon for d in docs], dtype=np.float64)
        vectors = None
        if any(d.vector for d in docs):
            dims = len(next(d.vector for d in docs if d.vector))
            vectors = np.zeros((n, dims), dtype=np.float32)
            for i, d in enumerate(docs):
                if d.vector and len(d.vector) == dims:
                    v = np.asarray(d.vector, dtype=np.float32)
                    norm = float(np.linalg.norm(v))
                    if norm > 0:
                        vectors[i] = v / norm
        return cls(spec, ids, versions, np.ones(n, dtype=bool), text, keywords, numbers, lat, lon,
                   vectors, docs if keep_docs else None)

    # -- persistence --------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        arrays = {"ids": self.ids, "versions": self.versions, "lat": self.lat, "lon": self.lon}
        meta = {"text": {}, "keywords": {}, "numbers": list(self.numbers)}
        for name, tf in self.text.items():
            arrays[f"t.{name}.indptr"] = tf.indptr
            arrays[f"t.{name}.docs"] = tf.docs
            arrays[f"t.{name}.tfs"] = tf.tfs
            arrays[f"t.{name}.lengths"] = tf.lengths
            terms = [""] * len(tf.vocab)
            for t, i in tf.vocab.items():
                terms[i] = t
            meta["text"][name] = terms
        for name, kf in self.keywords.items():
            arrays[f"k.{name}"] = kf.matrix
            meta["keywords"][name] = kf.values
        for name, col in self.numbers.items():
            arrays[f"n.{name}"] = col
        if self.vectors is not None:
            arrays["vectors"] = self.vectors
        for key, arr in arrays.items():
            np.save(path / f"{key}.npy", np.ascontiguousarray(arr))
        (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, spec: CollectionSpec, path: Path) -> "Segment":
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))

        def arr(key):
            return np.load(path / f"{key}.npy", mmap_mode="r")

        text = {}
        for name, terms in meta["text"].items():
            # np.asarray drops the memmap subclass (its per-slice Python overhead), keeping the mapping
            text[name] = TextField({t: i for i, t in enumerate(terms)}, np.array(arr(f"t.{name}.indptr")),
                                   np.asarray(arr(f"t.{name}.docs")), np.asarray(arr(f"t.{name}.tfs")),
                                   np.array(arr(f"t.{name}.lengths")))
        keywords = {}
        for name, values in meta["keywords"].items():
            keywords[name] = KeywordField(values, {v: i for i, v in enumerate(values)},
                                          np.array(arr(f"k.{name}")))  # in RAM: gathered per facet
        numbers = {name: np.array(arr(f"n.{name}")) for name in meta["numbers"]}
        ids = np.asarray(arr("ids"))
        vectors = np.asarray(arr("vectors")) if (path / "vectors.npy").exists() else None
        return cls(spec, ids, np.asarray(arr("versions")), np.ones(len(ids), dtype=bool), text,
                   keywords, numbers, np.asarray(arr("lat")), np.asarray(arr("lon")), vectors)


def _build_text(token_lists: list[list[str]], chunk: int = 100_000) -> TextField:
    """CSR inverted index; built in chunks of documents so a million postings fit in memory."""
    n = len(token_lists)
    vocab: dict[str, int] = {}
    get = vocab.setdefault
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=n)
    terms_parts, docs_parts, tf_parts = [], [], []
    for start in range(0, n, chunk):
        part = token_lists[start:start + chunk]
        plen = lengths[start:start + len(part)]
        total = int(plen.sum())
        if not total:
            continue
        tids = np.fromiter((get(t, len(vocab)) for toks in part for t in toks), dtype=np.int64, count=total)
        doc_of = np.repeat(np.arange(len(part), dtype=np.int64), plen)
        key = tids * len(part) + doc_of
        del tids, doc_of
        uniq, counts = np.unique(key, return_counts=True)
        del key
        terms_parts.append((uniq // len(part)).astype(np.int32))
        docs_parts.append((uniq % len(part) + start).astype(np.int32))
        tf_parts.append(counts.astype(np.float32))
    if terms_parts:
        terms = np.concatenate(terms_parts)
        order = np.argsort(terms, kind="stable")  # chunks are in doc order: lists stay sorted
        docs = np.concatenate(docs_parts)[order]
        tfs = np.concatenate(tf_parts)[order]
        counts_per_term = np.bincount(terms, minlength=len(vocab))
        del terms, order
    else:
        docs, tfs = np.zeros(0, np.int32), np.zeros(0, np.float32)
        counts_per_term = np.zeros(len(vocab), np.int64)
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(counts_per_term, out=indptr[1:])
    return TextField(vocab, indptr, docs, tfs, lengths.astype(np.float32))


def _build_keyword(value_lists: list[list[str]]) -> KeywordField:
    codes: dict[str, int] = {}
    width = max([len(v) for v in value_lists] + [1])
    matrix = np.full((len(value_lists), width), -1, dtype=np.int32)
    for i, vals in enumerate(value_lists):
        for j, v in enumerate(vals):
            matrix[i, j] = codes.setdefault(v, len(codes))
    values = [""] * len(codes)
    for v, c in codes.items():
        values[c] = v
    return KeywordField(values, codes, matrix)


# ---------------------------------------------------------------------------------------------
# Query execution
# ---------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    keys: np.ndarray      # primary sort key, larger first
    ids: np.ndarray
    scores: np.ndarray
    distances: np.ndarray | None
    total: int = 0  # matches in the segment, before the page window cut


def _filter_mask(seg: Segment, cand: np.ndarray, f) -> np.ndarray:
    if isinstance(f, Terms):
        kf = seg.keywords[f.field]
        codes = [kf.codes[v] for v in f.values if v in kf.codes]
        if not codes:
            return np.zeros(len(cand), dtype=bool)
        sub = kf.matrix[cand]
        if len(codes) == 1:
            return (sub == codes[0]).any(axis=1)
        return np.isin(sub, np.asarray(codes, dtype=np.int32)).any(axis=1)
    if isinstance(f, Range):
        col = seg.numbers[f.field][cand]
        m = ~np.isnan(col)
        if f.gte is not None:
            m &= col >= f.gte
        if f.lte is not None:
            m &= col <= f.lte
        return m
    raise TypeError(f)


def _geo(seg: Segment, cand: np.ndarray, geo: GeoRadius):
    lat, lon = seg.lat[cand], seg.lon[cand]
    dlat = geo.radius_km / 111.0
    dlon = geo.radius_km / (111.0 * max(np.cos(np.radians(geo.lat)), 0.01))
    box = (np.abs(lat - geo.lat) <= dlat) & (np.abs(lon - geo.lon) <= dlon)
    cand = cand[box]
    d = haversine_km(geo.lat, geo.lon, seg.lat[cand], seg.lon[cand])
    keep = d <= geo.radius_km
    return cand[keep], d[keep]


def _sparse_scores(cand: np.ndarray, contribs) -> np.ndarray:
    """Sum each (doc slots, contribution) list's values at ``cand``, in the dense path's order."""
    out = np.zeros(len(cand), dtype=np.float32)
    for docs, c in contribs:
        if not len(docs):
            continue
        pos = np.searchsorted(docs, cand)
        pos[pos >= len(docs)] = 0
        hit = docs[pos] == cand
        out[hit] += c[pos[hit]]
    return out


class GlobalStats:
    """BM25 statistics over every segment, so scores do not depend on how documents are split."""

    def __init__(self, segments: list[Segment], spec: CollectionSpec, terms: list[str]):
        self.n = sum(s.n for s in segments) or 1
        self.avg = {}
        self.idf: dict[tuple[str, str], float] = {}
        for f in spec.by_kind("text"):
            total = sum(s.text_total(f.name) for s in segments if s.n)
            self.avg[f.name] = max(total / self.n, 1e-6)
            for t in terms:
                df = sum(s.text[f.name].df(t) for s in segments if s.n)
                self.idf[(f.name, t)] = float(np.log(1 + (self.n - df + 0.5) / (df + 0.5)))


def search_segment(seg: Segment, query: SearchQuery, terms: list[str], stats: GlobalStats | None,
                   facet_acc: dict[str, dict[str, int]], not_terms: list[str] = ()) -> Candidate | None:
    """One segment's matches for ``query``: candidates (text match, then filters, then geo), facet
    counts added to ``facet_acc``, and the keys of what can reach the requested page. The work is
    numpy on whole columns; the steps are functions called once per segment."""
    if seg.n == 0:
        return None
    scores = contribs = None
    filters = list(query.filters)
    if terms and query.minimum_should_match is not None:
        cand, scores = _match_some_terms(seg, terms, stats, query.minimum_should_match)
    elif terms:
        cand, scores, contribs = _match_terms(seg, terms, stats)
    else:
        cand = _browse_candidates(seg, query, filters)  # takes the filter it starts from out of ``filters``
    if not_terms and len(cand):
        cand = cand[~_holds_any(seg, cand, not_terms)]
    for f in filters:
        if len(cand) == 0:
            break
        cand = cand[_filter_mask(seg, cand, f)]
    distances = None
    if query.geo is not None and len(cand):
        cand, distances = _geo(seg, cand, query.geo)
    elif query.geo is not None:
        distances = np.zeros(0)
    if query.sort == "distance" and distances is None and query.origin is not None:
        distances = haversine_km(query.origin[0], query.origin[1], seg.lat[cand], seg.lon[cand])
    all_live = not terms and not query.filters and query.geo is None and not not_terms
    _count_facets(seg, query, cand, all_live, facet_acc)
    if len(cand) == 0:
        return Candidate(np.zeros(0), np.zeros(0, np.int64), np.zeros(0), None, 0)
    if scores is not None:
        cand_scores = scores[cand]
    elif contribs is not None:
        cand_scores = _sparse_scores(cand, contribs)
    else:
        cand_scores = np.zeros(len(cand), dtype=np.float32)
    keys = _sort_keys(seg, query, bool(terms), cand, cand_scores, distances)
    # Keep only what can reach the requested page: the top `window` keys plus every tie at the edge.
    total = len(cand)
    window = query.page * query.size
    if len(keys) > window:
        kth = np.partition(keys, len(keys) - window)[len(keys) - window]
        keep = keys >= kth
        cand, keys, cand_scores = cand[keep], keys[keep], cand_scores[keep]
        if distances is not None:
            distances = distances[keep]
    return Candidate(keys, seg.ids[cand], cand_scores, distances, total)


def _bm25(seg: Segment, f, t: str, stats: GlobalStats, docs: np.ndarray, tfs: np.ndarray) -> np.ndarray:
    lens = seg.text[f.name].lengths[docs]
    norm = K1 * (1 - B + B * lens / stats.avg[f.name])
    return f.boost * stats.idf[(f.name, t)] * tfs * (K1 + 1) / (tfs + norm)


def _match_terms(seg: Segment, terms: list[str], stats: GlobalStats):
    """Live documents holding every term (in any text field) -> (candidates, dense scores or None,
    sparse score contributions or None)."""
    text_fields = seg.spec.by_kind("text")
    postings = [(t, f, seg.text[f.name].postings(t)) for t in terms for f in text_fields]
    total = sum(len(p[0]) for _, _, p in postings if p is not None)
    if total * SPARSE_RATIO < seg.n:
        cand, contribs = _match_rare_terms(seg, terms, stats, postings)
        return cand, None, contribs
    scores = np.zeros(seg.n, dtype=np.float32)
    matched = None
    for t in terms:
        hit = np.zeros(seg.n, dtype=bool)
        for f in text_fields:
            p = seg.text[f.name].postings(t)
            if p is None:
                continue
            docs, tfs = p
            scores[docs] += _bm25(seg, f, t, stats, docs, tfs)
            hit[docs] = True
        matched = hit if matched is None else (matched & hit)
    return np.flatnonzero(matched & seg.live), scores, None


def _match_some_terms(seg: Segment, terms: list[str], stats: GlobalStats, at_least: int):
    """Live documents holding at least ``at_least`` of the terms; the score ranks by how many they
    hold (``MATCH_COUNT_WEIGHT`` each), then by BM25."""
    text_fields = seg.spec.by_kind("text")
    scores = np.zeros(seg.n, dtype=np.float64)
    count = np.zeros(seg.n, dtype=np.int16)
    for t in terms:
        hit = np.zeros(seg.n, dtype=bool)
        for f in text_fields:
            p = seg.text[f.name].postings(t)
            if p is None:
                continue
            docs, tfs = p
            scores[docs] += _bm25(seg, f, t, stats, docs, tfs)
            hit[docs] = True
        count += hit
    scores += count * MATCH_COUNT_WEIGHT
    return np.flatnonzero((count >= min(at_least, len(terms))) & seg.live), scores


def _holds_any(seg: Segment, cand: np.ndarray, words: list[str]) -> np.ndarray:
    """For each candidate slot: does any text field hold any of ``words``?"""
    out = np.zeros(len(cand), dtype=bool)
    for f in seg.spec.by_kind("text"):
        for w in words:
            p = seg.text[f.name].postings(w)
            if p is not None:
                out |= np.isin(cand, p[0], assume_unique=True)
    return out


def _match_rare_terms(seg: Segment, terms: list[str], stats: GlobalStats, postings: list):
    """Rare words: work on the posting lists only (sorted doc slots), never on all n documents."""
    contribs = []
    per_term = []
    for t in terms:
        lists = []
        for tt, f, p in postings:
            if tt != t or p is None:
                continue
            docs, tfs = p
            contribs.append((docs, _bm25(seg, f, t, stats, docs, tfs)))
            lists.append(docs)
        if not lists:
            return np.zeros(0, dtype=np.int64), contribs
        docs_t = lists[0]
        for other in lists[1:]:
            docs_t = np.union1d(docs_t, other)
        per_term.append(docs_t)
    cand = per_term[0]
    for other in per_term[1:]:
        cand = np.intersect1d(cand, other, assume_unique=True)
    return cand[seg.live[cand]].astype(np.int64), contribs


def _browse_candidates(seg: Segment, query: SearchQuery, filters: list) -> np.ndarray:
    """Without words: start from the inverted list of the first keyword filter (removed from
    ``filters``), else the radius's latitude band, rather than every document."""
    first = next((f for f in filters if isinstance(f, Terms)), None)
    if first is not None:
        kf = seg.keywords[first.field]
        codes = [kf.codes[v] for v in first.values if v in kf.codes]
        lists = [kf.postings(c) for c in codes]
        cand = (lists[0] if len(lists) == 1 else np.unique(np.concatenate(lists))) if lists \
            else np.zeros(0, dtype=np.int64)
        filters.remove(first)
        return cand[seg.live[cand]]
    if query.geo is not None:
        cand = seg.lat_band(query.geo)
        return cand[seg.live[cand]]
    return np.flatnonzero(seg.live)


def _count_facets(seg: Segment, query: SearchQuery, cand: np.ndarray, all_live: bool,
                  facet_acc: dict[str, dict[str, int]]) -> None:
    complement = None
    if query.facets and not all_live and len(cand) > 0:
        n_live = seg.live_count()
        if len(cand) > n_live // 2:  # counting the few left out is cheaper than the many kept
            mask = seg.live.copy()
            mask[cand] = False
            complement = np.flatnonzero(mask)
    for name in query.facets:
        kf = seg.keywords[name]
        if len(cand) == 0 or not kf.values:
            continue
        counts = seg.facet_counts(name, None if all_live else cand, complement)
        nz = np.flatnonzero(counts)
        found = dict(zip(kf.value_array[nz].tolist(), counts[nz].tolist()))
        acc = facet_acc.setdefault(name, {})
        if acc:
            for v, c in found.items():
                acc[v] = acc.get(v, 0) + c
        else:
            acc.update(found)


def _sort_keys(seg: Segment, query: SearchQuery, has_terms: bool, cand: np.ndarray, cand_scores: np.ndarray,
               distances: np.ndarray | None) -> np.ndarray:
    """Larger is better: relevance (only with words; else newest), newest, pay, soonest, or nearer distance."""
    sort = query.sort
    if sort == "relevance" and not has_terms:
        sort = "newest"
    if sort == "relevance":
        return cand_scores.astype(np.float64)
    if sort == "newest":
        return seg.sort_key("published_ts")[cand]
    if sort == "pay":
        return seg.sort_key("pay_monthly_max")[cand]
    if sort == "soonest":  # earliest first; documents without a start last
        return -np.nan_to_num(np.asarray(seg.numbers["starts_ts"], dtype=np.float64)[cand], nan=np.inf)
    return -np.nan_to_num(distances, nan=np.inf)  # distance: documents without coordinates last


def merge_candidates(cands: list[Candidate], page: int, size: int):
    """Global order: key descending, then id ascending (the same tie-break as Elasticsearch)."""
    cands = [c for c in cands if c is not None and len(c.ids)]
    if not cands:
        return []
    keys = np.concatenate([c.keys for c in cands])
    ids = np.concatenate([c.ids for c in cands])
    scores = np.concatenate([c.scores for c in cands])
    dists = np.concatenate([c.distances if c.distances is not None else np.full(len(c.ids), np.nan)
                            for c in cands])
    order = np.lexsort((ids, -keys))
    start = (page - 1) * size
    sel = order[start:start + size]
    return [(int(ids[i]), float(scores[i]), None if np.isnan(dists[i]) else float(dists[i])) for i in sel]


def knn_segments(segments: list[Segment], vector: np.ndarray, k: int, filters, geo: GeoRadius | None = None,
                 not_terms: list[str] = ()) -> list[tuple[int, float]]:
    """The ``k`` live documents nearest to ``vector`` (cosine) among those passing ``filters``, the
    radius ``geo`` and holding none of ``not_terms``."""
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    if norm == 0:
        return []
    v = v / norm
    out_ids, out_sims = [], []
    for seg in segments:
        if seg.vectors is None or seg.n == 0 or seg.vectors.shape[1] != len(v):
            continue
        cand = _knn_candidates(seg, filters, geo, not_terms)
        if not len(cand):
            continue
        # few candidates: gather their rows; many: one pass over the whole matrix, no copy
        sims = seg.vectors[cand] @ v if len(cand) * 4 < seg.n else (seg.vectors @ v)[cand]
        if len(sims) > k:
            top = np.argpartition(-sims, k - 1)[:k]
            cand, sims = cand[top], sims[top]
        out_ids.append(seg.ids[cand])
        out_sims.append(sims)
    if not out_ids:
        return []
    ids = np.concatenate(out_ids)
    sims = np.concatenate(out_sims)
    order = np.lexsort((ids, -sims))[:k]
    return [(int(ids[i]), float(sims[i])) for i in order]


def _knn_candidates(seg: Segment, filters, geo: GeoRadius | None, not_terms: list[str]) -> np.ndarray:
    if seg._with_vector is None:  # live is checked per query; which rows hold a vector never changes
        seg._with_vector = np.abs(np.asarray(seg.vectors)).sum(axis=1) > 0
    filters = list(filters)
    # start from a keyword filter's inverted list or the radius's band, as the word search does
    cand = _browse_candidates(seg, SearchQuery(geo=geo), filters)
    cand = cand[seg._with_vector[cand]]
    for f in filters:
        if not len(cand):
            break
        cand = cand[_filter_mask(seg, cand, f)]
    if geo is not None and len(cand):
        cand, _ = _geo(seg, cand, geo)
    if not_terms and len(cand):
        cand = cand[~_holds_any(seg, cand, not_terms)]
    return cand


def word_matches(segments: list[Segment], ids: list[int], terms: list[str], at_least: int) -> set[int]:
    """Which of ``ids`` hold at least ``at_least`` of ``terms`` in their text fields (the word
    search's own test of a match, for the documents kNN found)."""
    out: set[int] = set()
    for seg in segments:
        found = [(i, s) for i in ids if (s := seg.slot(i)) is not None and seg.live[s]]
        if not found:
            continue
        cand = np.asarray([s for _, s in found], dtype=np.int64)
        count = np.zeros(len(cand), dtype=np.int64)
        for t in terms:
            holds = np.zeros(len(cand), dtype=bool)
            for f in seg.spec.by_kind("text"):
                p = seg.text[f.name].postings(t)
                if p is not None and len(p[0]):  # sorted slots: a binary search per hit, not a merge
                    pos = np.minimum(np.searchsorted(p[0], cand), len(p[0]) - 1)
                    holds |= p[0][pos] == cand
            count += holds
        out.update(i for (i, _), c in zip(found, count) if c >= at_least)
    return out
