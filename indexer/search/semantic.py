"""The meaning side of search (issue #12): the postings' vectors that go into the index, and a
query's vector, both from the matcher's encoder (``MATCHER_MODEL``), so they compare.

A posting's vector is the one matching stores (``match_embeddings``, same model, same row version)
or, when none is current, computed in memory the same way; nothing is written here. A query's
vector is the encoder's for the understood words (filler, places and types taken out), kept in a
small per-process cache. The project's own model is a static one (the mean of token vectors, then
unit length): ``StaticModel`` computes exactly that with the tokenizer and a numpy matrix, without
loading torch, in well under a millisecond; any other model goes through ``matching.encoder``.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import numpy as np

from sqlalchemy.orm import Session

#: (session, posting rows) -> {posting id: vector}
PostingVectors = Callable[[Session, list], dict[int, list[float]]]


def posting_vectors(ranker) -> PostingVectors:
    """For the relay and ``rebuild``: the vectors of the postings being indexed."""
    from core.matching.services import posting_profile, read_embeddings
    from core.reference.services import occupation_directory

    def vectors(session: Session, rows: list) -> dict[int, list[float]]:
        if not rows:
            return {}
        if not ranker.occupation_names:
            ranker.occupation_names = {o.code: o.name for o in occupation_directory(session).all()}
        names = ranker.occupation_names
        profiles = [posting_profile(p, names.get(p.occupation_code or "", "")) for p in rows]
        read_embeddings(session, ranker, "posting", rows, profiles)
        return {row.id: [float(x) for x in prof.embedding] for row, prof in zip(rows, profiles)
                if prof.embedding is not None}

    return vectors


class QueryEncoder:
    """The vector of a query's words, cached per process (most searches repeat a few words)."""

    def __init__(self, encoder, size: int = 2048):
        self.encoder = encoder
        self.version = getattr(encoder, "version", "")
        self.size = size
        self._cache: OrderedDict[str, tuple[float, ...] | None] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> tuple[float, ...] | None:
        """The unit vector of ``text``; None for no words or a text the model knows nothing of."""
        text = " ".join(text.split())
        if not text:
            return None
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vec = self.encoder.encode([text])[0]
        out = tuple(float(x) for x in vec) if float((vec * vec).sum()) > 0 else None
        with self._lock:
            self._cache[text] = out
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return out


_STATIC = "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"


class StaticModel:
    """A sentence-transformers ``StaticEmbedding`` + ``Normalize`` folder read without torch."""

    def __init__(self, path: str | Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path)
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.weights = np.asarray(load_file(str(path / "model.safetensors"))["embedding.weight"], dtype=np.float32)
        meta = path / "joblink_model.json"
        self.version = json.loads(meta.read_text(encoding="utf-8")).get("model_version", "") if meta.exists() else ""

    @staticmethod
    def fits(path: str | Path) -> bool:
        """The folder holds exactly a static embedding followed by normalisation."""
        try:
            modules = json.loads((Path(path) / "modules.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        types = [m.get("type", "") for m in modules]
        return (len(types) == 2 and types[0].endswith("StaticEmbedding") and types[1].endswith("Normalize")
                and (Path(path) / "model.safetensors").exists() and (Path(path) / "tokenizer.json").exists())

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        for i, enc in enumerate(self.tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            if enc.ids:
                v = self.weights[enc.ids].mean(axis=0)
                n = float(np.linalg.norm(v))
                out[i] = v / n if n > 0 else v
        return out


def query_encoder(path: str | Path) -> QueryEncoder | None:
    """The query encoder for the model folder ``path``; None when no model is there."""
    path = Path(path)
    if not (path / "modules.json").exists():
        return None
    if StaticModel.fits(path):
        return QueryEncoder(StaticModel(path))
    from matching.encoder import Encoder

    return QueryEncoder(Encoder(path))
