"""Ranking metrics and lexical baselines (BM25, TF-IDF) used by the benchmarks and the model card."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


def reciprocal_ranks(scores: np.ndarray, k: int = 10) -> np.ndarray:
    """Per query, 1/rank of its relevant document (document i for query i) within the top k, else 0.
    Ties are broken against the gold document."""
    n = scores.shape[0]
    gold = scores[np.arange(n), np.arange(n)]
    # rank = 1 + number of other documents scoring >= gold (pessimistic on ties)
    rank = (scores >= gold[:, None]).sum(axis=1)
    return np.where(rank <= k, 1.0 / rank, 0.0)


def mrr_recall_at_k(scores: np.ndarray, k: int = 10) -> tuple[float, float]:
    """Query i's relevant document is document i. Ties are broken against the gold document."""
    rr = reciprocal_ranks(scores, k)
    return float(rr.mean()), float((rr > 0).mean())


def ndcg_at_k(ranked_gains: Sequence[float], all_gains: Sequence[float], k: int = 10) -> float:
    def dcg(gains):
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(list(gains)[:k]))

    ideal = dcg(sorted(all_gains, reverse=True))
    return dcg(ranked_gains) / ideal if ideal > 0 else 0.0


class BM25:
    """Okapi BM25 over pre-segmented documents (k1=1.5, b=0.75), scored as a dense matrix."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75):
        from scipy import sparse

        self.vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = []
        for i, doc in enumerate(docs):
            counts = Counter(doc)
            lengths.append(len(doc))
            for term, c in counts.items():
                j = self.vocab.setdefault(term, len(self.vocab))
                rows.append(i)
                cols.append(j)
                vals.append(c)
        n = len(docs)
        tf = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(self.vocab)), dtype=np.float64)
        df = np.bincount(cols, minlength=len(self.vocab))
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        lengths = np.asarray(lengths, dtype=np.float64)
        avg = lengths.mean() if n else 1.0
        tf = tf.tocoo()
        denom = tf.data + k1 * (1 - b + b * lengths[tf.row] / avg)
        weights = tf.data * (k1 + 1) / denom * self.idf[tf.col]
        self.matrix = sparse.csr_matrix((weights, (tf.row, tf.col)), shape=tf.shape).T.tocsr()  # terms x docs

    def scores(self, queries: Sequence[Sequence[str]]) -> np.ndarray:
        from scipy import sparse

        rows, cols = [], []
        for i, q in enumerate(queries):
            for term in set(q):
                j = self.vocab.get(term)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        qm = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(queries), len(self.vocab)))
        return np.asarray((qm @ self.matrix).todense())


def tfidf_scores(queries: Sequence[str], docs: Sequence[str], analyzer: str = "char_wb", ngram=(1, 2)) -> np.ndarray:
    """Cosine of TF-IDF vectors over character n-grams (no segmentation needed for Chinese)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram, sublinear_tf=True)
    d = vec.fit_transform(docs)
    q = vec.transform(queries)
    return np.asarray((q @ d.T).todense())
