"""Backends the search contract runs against: the embedded engine always, Elasticsearch when
``ELASTICSEARCH_URL`` points at a cluster (``docker compose up elasticsearch``)."""
from __future__ import annotations

import os
import uuid

import pytest

from indexer.search.embedded import EmbeddedBackend

BACKENDS = ["embedded", "elasticsearch"]


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    if request.param == "embedded":
        yield EmbeddedBackend(tmp_path / "search")
        return
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.skip("ELASTICSEARCH_URL not set: the contract runs against the embedded engine only")
    from indexer.search.elastic import ElasticsearchBackend

    prefix = f"joblink-test-{uuid.uuid4().hex[:8]}"
    es = ElasticsearchBackend.from_url(url, prefix=prefix, refresh="wait_for", vector_dims={"seekers": 4, "postings": 4})
    try:
        yield es
    finally:
        es.drop_all()
