"""Nearest-neighbour search over unit-normalised embeddings: exact, or an inverted-file (IVF) index.

Vectors are stored sorted by (partition, IVF list), partition being the city (first four digits of
the administrative code). A query restricted to a few cities then reads contiguous slices with no
copy: exact search multiplies each slice; approximate search multiplies only the sub-slices of the
``nprobe`` lists whose centroids are nearest the query. ``EXACT_MAX`` is the number of vectors in
scope below which exact search is used (measured by bench/match_speed.py: below it exact is as fast
as IVF, and exact has recall 1: about 0.25 ms per 10,000 vectors of 256 dimensions).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXACT_MAX = 200_000


def normalise_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def spherical_kmeans(x: np.ndarray, nlist: int, iterations: int = 6, seed: int = 0, sample: int = 40_000):
    rng = np.random.default_rng(seed)
    if len(x) > sample:
        x = x[rng.choice(len(x), sample, replace=False)]
    centroids = x[rng.choice(len(x), nlist, replace=False)].copy()
    for _ in range(iterations):
        assign = np.argmax(x @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, x)
        empty = np.bincount(assign, minlength=nlist) == 0
        sums[empty] = x[rng.choice(len(x), int(empty.sum()), replace=False)]
        centroids = normalise_rows(sums)
    return centroids


def assign_lists(x: np.ndarray, centroids: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    out = np.empty(len(x), dtype=np.int32)
    for s in range(0, len(x), chunk):
        out[s : s + chunk] = np.argmax(x[s : s + chunk] @ centroids.T, axis=1)
    return out


@dataclass
class SearchResult:
    ids: np.ndarray  # original row numbers, best first
    scores: np.ndarray
    mode: str  # "exact" | "ann"
    scanned: int


class VectorIndex:
    """Vectors sorted by (partition, IVF list). A partition (city) gets its own IVF lists when it is
    larger than ``EXACT_MAX`` (or always, with ``build_ivf=True``), so a city-scoped query probes
    lists fitted to that city's own vectors."""

    def __init__(self, vectors: np.ndarray, partitions: np.ndarray | None = None, nlist: int | None = None,
                 seed: int = 0, build_ivf: bool | None = None):
        vectors = np.asarray(vectors, dtype=np.float32)
        n = len(vectors)
        parts = np.zeros(n, dtype=np.int64) if partitions is None else np.asarray(partitions, dtype=np.int64)
        order0 = np.argsort(parts, kind="stable")
        sorted_parts = parts[order0]
        lists = np.zeros(n, dtype=np.int32)
        self.centroids: dict[int, np.ndarray] = {}
        keys, starts = (np.unique(sorted_parts, return_index=True) if n else (np.array([]), np.array([])))
        ends = list(starts[1:]) + [n]
        for key, s, e in zip(keys.tolist(), starts.tolist(), ends):
            size = e - s
            wanted = (build_ivf is True and size >= 64) or (build_ivf is None and size > EXACT_MAX)
            if wanted:
                nl = nlist or int(np.clip(np.sqrt(size), 16, 4096))
                part_vectors = vectors[order0[s:e]]
                cent = spherical_kmeans(part_vectors, min(nl, size), seed=seed)
                lists[s:e] = assign_lists(part_vectors, cent)
                self.centroids[key] = cent
        order = np.lexsort((lists, sorted_parts))
        self.perm = order0[order].astype(np.int64)  # sorted position -> original row
        self.vectors = np.ascontiguousarray(vectors[self.perm])
        sorted_lists = lists[order]
        self.dim = vectors.shape[1] if n else 0
        self.part_ranges: dict[int, tuple[int, int]] = {}
        self.list_bounds: dict[int, np.ndarray] = {}
        for key, s, e in zip(keys.tolist(), starts.tolist(), ends):
            self.part_ranges[key] = (s, e)
            if key in self.centroids:
                self.list_bounds[key] = s + np.searchsorted(sorted_lists[s:e], np.arange(len(self.centroids[key]) + 1))
        self.nlist = max((len(c) for c in self.centroids.values()), default=1)

    def __len__(self) -> int:
        return len(self.perm)

    def scope_size(self, partitions) -> int:
        if partitions is None:
            return len(self.perm)
        return sum(self.part_ranges[p][1] - self.part_ranges[p][0] for p in partitions if p in self.part_ranges)

    def search(self, query: np.ndarray, k: int, partitions=None, allowed: np.ndarray | None = None,
               mode: str = "auto", nprobe: int | None = None) -> SearchResult:
        """Top ``k`` rows by inner product among ``partitions`` (None = all) and ``allowed`` rows.

        ``auto``: exact when the scope holds at most EXACT_MAX vectors, else IVF in every partition
        that has lists (``nprobe`` default: a quarter of its lists, at least 8)."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        parts = list(self.part_ranges) if partitions is None else [p for p in partitions if p in self.part_ranges]
        use_ivf = mode == "ann" or (mode == "auto" and self.scope_size(parts) > EXACT_MAX)
        slices: list[tuple[int, int]] = []
        used = "exact"
        for p in parts:
            cent = self.centroids.get(p) if use_ivf else None
            if cent is None:
                slices.append(self.part_ranges[p])
                continue
            used = "ann"
            probes = min(len(cent), nprobe or max(8, len(cent) // 4))
            probe = np.argpartition(-(cent @ q), probes - 1)[:probes]
            bounds = self.list_bounds[p]
            for li in probe:
                s, e = int(bounds[li]), int(bounds[li + 1])
                if e > s:
                    slices.append((s, e))
        ids_chunks, score_chunks, scanned = [], [], 0
        for s, e in slices:
            sc = self.vectors[s:e] @ q
            rows = self.perm[s:e]
            scanned += e - s
            if allowed is not None:
                keep = allowed[rows]
                sc, rows = sc[keep], rows[keep]
            if len(sc) > k:
                top = np.argpartition(-sc, k - 1)[:k]
                sc, rows = sc[top], rows[top]
            ids_chunks.append(rows)
            score_chunks.append(sc)
        if not ids_chunks:
            return SearchResult(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32), used, 0)
        ids = np.concatenate(ids_chunks)
        scores = np.concatenate(score_chunks)
        if len(scores) > k:
            top = np.argpartition(-scores, k - 1)[:k]
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))  # ties broken by row number: deterministic
        return SearchResult(ids[order], scores[order], used, scanned)

    def vectors_of(self, rows: np.ndarray) -> np.ndarray:
        inv = getattr(self, "_inv", None)
        if inv is None:
            inv = np.empty_like(self.perm)
            inv[self.perm] = np.arange(len(self.perm))
            self._inv = inv
        return self.vectors[inv[rows]]
