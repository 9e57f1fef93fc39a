"""Configuration picks the search backend."""
import pytest

from core.search import NullBackend
from indexer.search.elastic import ElasticsearchBackend
from indexer.search.embedded import EmbeddedBackend
from indexer.search.factory import make_backend


def test_embedded_is_the_default_and_lives_in_the_configured_folder(tmp_path):
    b = make_backend({"SEARCH_INDEX_DIR": str(tmp_path / "idx")})
    assert isinstance(b, EmbeddedBackend) and b.root == tmp_path / "idx"


def test_null_and_elasticsearch(tmp_path):
    assert isinstance(make_backend({"SEARCH_BACKEND": "null"}), NullBackend)
    es = make_backend({"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": "http://127.0.0.1:9",
                       "ELASTICSEARCH_PREFIX": "jl", "SEARCH_VECTOR_DIMS": "8"})
    assert isinstance(es, ElasticsearchBackend) and es.alias("postings") == "jl-postings"
    assert es.vector_dims == {"postings": 8, "seekers": 8}


@pytest.mark.parametrize("config", [{"SEARCH_BACKEND": "elasticsearch"}, {"SEARCH_BACKEND": "solr"}])
def test_misconfiguration_is_reported(config):
    with pytest.raises(RuntimeError):
        make_backend(config)
