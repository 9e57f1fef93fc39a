"""Sentence encoders: any sentence-transformers model on local disk, named by ``MATCHER_MODEL``.

Nothing is downloaded: loading uses local files only. Every embedding is tagged with the model
version (from ``joblink_model.json`` when the model is JobLink's own, else a hash of its config),
so stored vectors can be recognised as stale when the model changes.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

DEFAULT_MODEL_DIR = "instance/models/joblink-zh"


class ModelNotFound(RuntimeError):
    pass


def model_version(path: str | Path) -> str:
    path = Path(path)
    meta = path / "joblink_model.json"
    if meta.exists():
        return json.loads(meta.read_text(encoding="utf-8"))["model_version"]
    h = hashlib.sha256()
    for name in ("config_sentence_transformers.json", "modules.json", "config.json"):
        f = path / name
        if f.exists():
            h.update(f.read_bytes())
    return f"{path.name}-{h.hexdigest()[:10]}"


class Encoder:
    """Encodes texts to unit-length float32 vectors with a local sentence-transformers model."""

    def __init__(self, path: str | Path, batch_size: int = 1024):
        path = Path(path)
        if not (path / "modules.json").exists():
            raise ModelNotFound(f"没有找到匹配模型：{path}（请先运行 joblink matcher train，或设置 MATCHER_MODEL）")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.path = path
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.version = model_version(path)
        self.batch_size = batch_size
        self.dim = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self.model.encode(
            [t or "" for t in texts], batch_size=self.batch_size, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)


def load_encoder(path: str | Path | None = None) -> Encoder:
    """The encoder at ``path``, else ``$MATCHER_MODEL``, else the project's default model folder."""
    return Encoder(path or os.environ.get("MATCHER_MODEL") or DEFAULT_MODEL_DIR)
