"""Stored embeddings keyed by model version and row version."""
from __future__ import annotations

import json

from sqlalchemy import func, select


def test_embed_command_stores_vectors_and_recomputes_only_changed_rows(runner, matcher, make_posting, make_seeker,
                                                                       db_session):
    from core.matching.models import StoredEmbedding
    from core.matching.services import mark_embeddings_stale

    make_posting(title="电焊工", region_code="440106")
    seeker = make_seeker(titles=["电焊工"])
    first = json.loads(runner.invoke(args=["matcher", "embed", "--json"]).output)
    assert first["postings_embedded"] >= 1 and first["seekers_embedded"] >= 1
    version = first["model_version"]
    rows = db_session.scalars(select(StoredEmbedding)).all()
    assert rows and {r.model_version for r in rows} == {version} and all(len(r.vector) == 4 * r.dim for r in rows)
    again = json.loads(runner.invoke(args=["matcher", "embed", "--json"]).output)
    assert again["postings_embedded"] == 0 and again["seekers_embedded"] == 0
    seeker.version += 1  # a changed profile
    db_session.commit()
    assert json.loads(runner.invoke(args=["matcher", "embed", "--json"]).output)["seekers_embedded"] == 1
    # a new model: the old vectors are stale and re-computed
    assert mark_embeddings_stale(db_session, "another-model") == db_session.scalar(
        select(func.count()).select_from(StoredEmbedding))
    db_session.commit()
    redo = json.loads(runner.invoke(args=["matcher", "embed", "--json"]).output)
    assert redo["postings_embedded"] >= 1 and redo["seekers_embedded"] >= 1
