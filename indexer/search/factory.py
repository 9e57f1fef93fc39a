"""Chooses the concrete search backend from configuration (``create_app`` and the CLI call this)."""
from __future__ import annotations

from pathlib import Path

from core.numbers import setting_count
from core.search import NullBackend, SearchBackend


def make_backend(config) -> SearchBackend:
    """``SEARCH_BACKEND``: ``embedded`` (default; files in ``SEARCH_INDEX_DIR``, the instance
    folder's ``search/``), ``elasticsearch`` (``ELASTICSEARCH_URL``, index prefix
    ``ELASTICSEARCH_PREFIX``; ``SEARCH_VECTOR_DIMS`` maps a ``dense_vector`` field for kNN) or ``null``.
    The embedded backend keeps ``SEARCH_RESULT_CACHE`` answers per process (indexer/search/result_cache.py)."""
    kind = (config.get("SEARCH_BACKEND") or "embedded").lower()
    if kind == "null":
        return NullBackend()
    if kind == "elasticsearch":
        from indexer.search.elastic import ElasticsearchBackend

        url = config.get("ELASTICSEARCH_URL")
        if not url:
            raise RuntimeError("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL")
        dims = int(config.get("SEARCH_VECTOR_DIMS") or 0)  # dense_vector size when documents carry vectors
        return ElasticsearchBackend.from_url(url, prefix=config.get("ELASTICSEARCH_PREFIX") or "joblink",
                                             vector_dims={"postings": dims, "seekers": dims} if dims else None)
    if kind == "embedded":
        from indexer.search.embedded import EmbeddedBackend

        path = config.get("SEARCH_INDEX_DIR")
        if not path:
            raise RuntimeError("SEARCH_BACKEND=embedded needs SEARCH_INDEX_DIR (the app sets it to instance/search)")
        return EmbeddedBackend(Path(path), result_cache_size=_result_cache_size(config))
    raise RuntimeError(f"unknown SEARCH_BACKEND {kind!r} (embedded | elasticsearch | null)")


def _result_cache_size(config) -> int:
    from indexer.search.result_cache import DEFAULT_SIZE

    return setting_count("SEARCH_RESULT_CACHE", config.get("SEARCH_RESULT_CACHE"), DEFAULT_SIZE, "answers (0: none)")
