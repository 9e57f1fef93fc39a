"""Which kind of job a title names: a probability over a job site's categories, learnt from postings
whose category is known (智联's 800-odd sub-categories, each under a parent category).

Two texts name the same kind of job when their distributions agree (``agreement``: the chance that
both fall in the same category; ``parent_agreement``: the same parent). The learned ranker
(``matching.ltr``) takes both as features: the encoder and BM25 carry the kind of job only through
shared words, while a 普工 and a 操作工 posting are the same kind and a 销售经理 and a 销售顾问 are not.

The model is multinomial naive Bayes over character 1–3-grams weighted by TF-IDF, kept as plain
arrays (the n-gram vocabulary, IDF, and per category the n-grams it was seen with), so it is saved
beside the ranker in a few megabytes and read without scikit-learn.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ALPHA = 0.05  # additive smoothing of the n-gram counts per category
REMEMBERED = 10_000  # titles whose weighted n-grams a model keeps (about 0.75 KB each as arrays: 8 MB)
MIN_DF = 2  # an n-gram must occur in at least this many training texts
SKILLS = 5  # skills appended to a title
_SPACES = re.compile(r"\s+")


def text_of(title: str, skills: Sequence[str] = ()) -> str:
    return " ".join([title or "", *[s for s in list(skills)[:SKILLS] if s]])


def ngrams(text: str) -> Counter:
    t = _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "").lower()).strip()
    return Counter(t[i:i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1))


@dataclass
class CategoryModel:
    classes: list[str]  # category names
    parents: np.ndarray  # class -> index of its parent category
    vocab: dict[str, int]
    idf: np.ndarray
    log_ratio: object  # scipy.sparse CSR (classes x vocab): log((count + alpha) / alpha) where seen
    base: np.ndarray  # per class: log(alpha / (class total + alpha * |vocab|))
    log_prior: np.ndarray
    _seen: dict = field(default_factory=dict, repr=False, compare=False)
    _ratio_by_gram: object = field(default=None, repr=False, compare=False)  # log_ratio transposed, as CSR
    _parent_of: object = field(default=None, repr=False, compare=False)  # categories x parents, 0/1

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str, str]]) -> "CategoryModel":
        """``examples``: (text, category, parent category) of postings whose category is known."""
        from scipy import sparse

        examples = [(ngrams(t), c, parent) for t, c, parent in examples if c]
        if not examples:
            raise ValueError("没有标明类别的岗位可供学习（需要智联招聘格式的岗位文件）")
        df = Counter(g for grams, _c, _p in examples for g in grams)
        vocab = {g: i for i, g in enumerate(sorted(g for g, n in df.items() if n >= MIN_DF))}
        n = len(examples)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in vocab], dtype=np.float64)
        classes = sorted({c for _g, c, _p in examples})
        index = {c: i for i, c in enumerate(classes)}
        parent_of: dict[str, str] = {}
        counts: dict[tuple[int, int], float] = defaultdict(float)
        per_class = np.zeros(len(classes))
        for grams, c, parent in examples:
            parent_of.setdefault(c, parent)
            k = index[c]
            per_class[k] += 1
            for j, w in _weights(grams, vocab, idf):
                counts[(k, j)] += w
        rows, cols = zip(*counts) if counts else ((), ())
        total = np.zeros(len(classes))
        np.add.at(total, np.asarray(rows, dtype=np.int64), np.fromiter(counts.values(), dtype=np.float64))
        ratio = sparse.csr_matrix((np.log((np.fromiter(counts.values(), dtype=np.float64) + ALPHA) / ALPHA),
                                   (rows, cols)), shape=(len(classes), len(vocab)))
        parent_names = sorted(set(parent_of.values()))
        return cls(classes, np.array([parent_names.index(parent_of[c]) for c in classes]), vocab, idf, ratio,
                   np.log(ALPHA / (total + ALPHA * len(vocab))), np.log(per_class / per_class.sum()))

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, the probability of each category (rows sum to 1)."""
        from scipy import sparse

        if self._ratio_by_gram is None:  # once: transposing it on every call cost more than the product
            self._ratio_by_gram = self.log_ratio.T.tocsr()
        weighted = [self._weighted(t) for t in texts]
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(j) for j, _w in weighted], out=indptr[1:])
        cols = np.concatenate([j for j, _w in weighted]) if weighted else np.zeros(0, dtype=np.int32)
        data = np.concatenate([w for _j, w in weighted]) if weighted else np.zeros(0)
        x = sparse.csr_matrix((data, cols, indptr), shape=(len(texts), len(self.vocab)))
        mass = np.add.reduceat(data, indptr[:-1]) * (np.diff(indptr) > 0) if len(data) else np.zeros(len(texts))
        jll = (x @ self._ratio_by_gram).toarray() + mass[:, None] * self.base + self.log_prior
        jll -= jll.max(axis=1, keepdims=True)
        p = np.exp(jll)
        return p / p.sum(axis=1, keepdims=True)

    def _weighted(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's n-grams in the vocabulary and their weights, as two arrays (remembered)."""
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) >= REMEMBERED:
                self._seen.clear()
            pairs = _weights(ngrams(text), self.vocab, self.idf)
            found = self._seen[text] = (np.fromiter((j for j, _w in pairs), dtype=np.int32, count=len(pairs)),
                                        np.fromiter((w for _j, w in pairs), dtype=np.float64, count=len(pairs)))
        return found

    def agreement(self, one: str, others: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each of ``others``: the chance it is the same category as ``one``, and the same parent."""
        p = self.proba([one, *others])
        if self._parent_of is None:
            self._parent_of = np.zeros((len(self.classes), int(self.parents.max()) + 1))
            self._parent_of[np.arange(len(self.classes)), self.parents] = 1.0
        parents = p @ self._parent_of
        return p[1:] @ p[0], parents[1:] @ parents[0]

    # -- saved beside the ranker --------------------------------------------------------------------
    def save(self, folder: str | Path, name: str = "categories") -> None:
        folder = Path(folder)
        coo = self.log_ratio.tocoo()
        np.savez_compressed(folder / f"{name}.npz", idf=self.idf, base=self.base, log_prior=self.log_prior,
                            parents=self.parents, rows=coo.row.astype(np.int32), cols=coo.col.astype(np.int32),
                            data=coo.data.astype(np.float32))
        (folder / f"{name}.json").write_text(json.dumps({"classes": self.classes, "vocab": list(self.vocab)},
                                                        ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, name: str = "categories") -> "CategoryModel | None":
        from scipy import sparse

        folder = Path(folder)
        if not (folder / f"{name}.npz").exists() or not (folder / f"{name}.json").exists():
            return None
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        a = np.load(folder / f"{name}.npz")
        vocab = {g: i for i, g in enumerate(meta["vocab"])}
        ratio = sparse.csr_matrix((a["data"].astype(np.float64), (a["rows"], a["cols"])),
                                  shape=(len(meta["classes"]), len(vocab)))
        return cls(meta["classes"], a["parents"], vocab, a["idf"], ratio, a["base"], a["log_prior"])


def _weights(grams: Counter, vocab: dict[str, int], idf: np.ndarray) -> list[tuple[int, float]]:
    """TF-IDF of a text's n-grams (sublinear counts, unit length), the n-grams outside ``vocab`` dropped."""
    pairs = [(vocab[g], (1 + math.log(n)) * idf[vocab[g]]) for g, n in grams.items() if g in vocab]
    norm = math.sqrt(sum(w * w for _j, w in pairs)) or 1.0
    return [(j, w / norm) for j, w in pairs]
