"""The app's ranker: the encoder named by MATCHER_MODEL and the weights of MATCHER_WEIGHTS, loaded
once per process and handed to core's matching services."""
from __future__ import annotations

import os
import threading

from flask import current_app

_lock = threading.Lock()


def model_path(app=None) -> str:
    app = app or current_app
    return app.config.get("MATCHER_MODEL") or os.path.join(app.instance_path, "models", "joblink-zh")


def get_ranker(app=None):
    """A ``matching.ranker.Ranker`` for this app (raises ``ModelNotFound`` when no model is there)."""
    app = app or current_app
    ext = app.extensions.setdefault("joblink_matching", {})
    path = model_path(app)
    with _lock:
        cached = ext.get("ranker")
        if cached is not None and ext.get("path") == path:
            return cached
        ranker = build_ranker(app, path)
        ext.update(ranker=ranker, path=path)
        return ranker


def build_ranker(app, path: str, learned: bool = True):
    """A new ranker over the model at ``path`` with the app's weights; ``learned=False`` leaves the
    learned order out (what learns it needs only the rest)."""
    from matching.encoder import load_encoder
    from matching.profiles import MatchWeights
    from matching.ranker import Ranker

    ranker = Ranker(load_encoder(path), weights=MatchWeights.from_config(app.config.get("MATCHER_WEIGHTS")))
    ranker.interpret = occupation_reader()
    ranker.learned = learned_ranker(app, path) if learned else None
    return ranker


def learned_ranker(app, path: str):
    """The learned ranking saved beside the model when MATCHER_RANKER is ``learned`` (the default);
    else, or when none is saved (or it was trained on other features), None: the hand-set score
    orders the list."""
    from matching.ltr import LearnedRanker

    choice = (app.config.get("MATCHER_RANKER") or "learned").strip().lower()
    if choice not in ("score", "learned"):
        raise ValueError(f"MATCHER_RANKER 只能是 score 或 learned，而不是 {choice!r}")
    if choice == "score":
        return None
    model = LearnedRanker.load(path)
    if model is None:
        app.logger.warning("MATCHER_RANKER=learned, but no usable ranker is saved in %s (run joblink ranker "
                           "train --data DIR); 为我推荐 is ordered by the hand-set score", path)
    return model


def optional_ranker(app=None):
    """The app's ranker, or None when no model is there yet (work that only helps, like storing a
    profile's embedding ahead of its first recommendations, is then skipped)."""
    from matching.encoder import ModelNotFound

    try:
        return get_ranker(app)
    except ModelNotFound:
        return None


def reset_ranker(app=None) -> None:
    from core.matching.pool import clear_pools

    app = app or current_app
    app.extensions.get("joblink_matching", {}).pop("ranker", None)
    clear_pools()


def occupation_reader():
    """``interpret(text) -> [(occupation code, evidence words)]`` for the ranker: the normaliser's
    title classifier (the one postings go through), kept to what it reads with confidence — a
    dictionary word or a classification name — so a vague text adds nothing rather than a guess."""
    from indexer.normalise.occupation import REVIEW_THRESHOLD, default_classifier

    classifier = default_classifier()

    def interpret(text: str) -> list[tuple[str, list[str]]]:
        result = classifier.classify(text[:300])
        if result.code is None or (result.method not in ("exact", "dictionary")
                                   and result.confidence < REVIEW_THRESHOLD):
            return []
        return [(result.code, list(result.evidence) or [result.name or ""])]

    return interpret
