"""The Elasticsearch backend's requests and its handling of responses, against a local HTTP server
that answers like Elasticsearch (no cluster on this machine; the contract suite covers a real one)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from elasticsearch import Elasticsearch

from core.search import POSTINGS, GeoRadius, Range, SearchQuery, SearchError, Terms
from indexer.search.elastic import ElasticsearchBackend, mappings


class FakeElasticsearch:
    """Records every request; answers from ``responses`` (a list of (method, path-prefix, status,
    body or callable)) or a default of ``{}``; the first matching entry is used and consumed."""

    def __init__(self):
        self.requests: list[tuple[str, str, object]] = []
        self.responses: list[list] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                if self.path.split("?")[0].endswith("/_bulk"):
                    body = [json.loads(line) for line in raw.splitlines() if line.strip()]
                else:
                    body = json.loads(raw) if raw else None
                outer.requests.append((self.command, self.path, body))
                status, payload = 200, {}
                for i, (method, prefix, st, pl) in enumerate(outer.responses):
                    if method == self.command and self.path.startswith(prefix):
                        status, payload = st, pl(body) if callable(pl) else pl
                        outer.responses.pop(i)
                        break
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def on(self, method, prefix, status=200, body=None):
        self.responses.append([method, prefix, status, body if body is not None else {}])

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def bulks(self):
        return [b for m, p, b in self.requests if p.split("?")[0].endswith("/_bulk")]


@pytest.fixture
def fake():
    f = FakeElasticsearch()
    yield f
    f.close()


@pytest.fixture
def es(fake):
    sleeps = []
    backend = ElasticsearchBackend(Elasticsearch(fake.url), prefix="jl", sleep=sleeps.append, backoff=0.5,
                                   max_retries=3)
    backend._ready.add("postings")  # template/alias setup is tested on its own below
    backend.sleeps = sleeps
    fake.on("HEAD", "/_alias/jl-postings-next", 404)
    return backend


def doc(id, title="招聘电焊工", version=1, **extra):
    d = {"id": id, "version": version, "title": title, "body": "深圳宝安区 日结", "region_path": ["440000", "440300"],
         "employment_type": "gig", "pay_monthly_max": 9000, "published_ts": 1_700_000_000,
         "location": {"lat": 22.55, "lon": 113.88}, "title_text": title, "description_text": "深圳宝安区 日结"}
    d.update(extra)
    return d


def items(*statuses, op="index"):
    out = []
    for i, st in enumerate(statuses):
        body = {"_id": str(i), "status": st}
        if st == 409:
            body["error"] = {"type": "version_conflict_engine_exception", "reason": "current version [5] is higher"}
        elif st == 400:
            body["error"] = {"type": "document_parsing_exception", "reason": "failed to parse field [location]"}
        elif st == 429:
            body["error"] = {"type": "es_rejected_execution_exception", "reason": "queue full"}
        out.append({op: body})
    return {"took": 1, "errors": any(s >= 300 for s in statuses), "items": out}


def test_mappings_follow_the_collection_spec():
    m = mappings(POSTINGS, vector_dims=384)["properties"]
    assert m["title"] == {"type": "text", "analyzer": "whitespace", "similarity": "BM25"}
    assert m["region_path"] == {"type": "keyword"}
    assert m["location"] == {"type": "geo_point"}
    assert m["pay_monthly_max"] == {"type": "double"}
    assert m["vector"] == {"type": "dense_vector", "dims": 384, "index": True, "similarity": "cosine"}
    assert m["doc_id"] == {"type": "long"}
    assert "vector" not in mappings(POSTINGS)["properties"]


def test_upsert_sends_versioned_presegmented_documents(fake, es):
    fake.on("PUT", "/_bulk", body=items(201))
    r = es.upsert("postings", [doc(7, version=4)])
    assert r.ok == [7]
    action, source = fake.bulks()[0]
    assert action == {"index": {"_id": "7", "version": 4, "version_type": "external", "_index": "jl-postings"}}
    assert "电焊工" in source["title"].split(" ")
    assert source["region_path"] == ["440000", "440300"] and source["employment_type"] == "gig"
    assert source["location"] == {"lat": 22.55, "lon": 113.88} and source["doc_id"] == 7


def test_each_item_is_checked_and_only_429s_are_retried(fake, es):
    fake.on("PUT", "/_bulk", body=items(201, 409, 429, 400))
    fake.on("PUT", "/_bulk", body=items(201))
    r = es.upsert("postings", [doc(1), doc(2), doc(3), doc(4)])
    assert sorted(r.ok) == [1, 3]
    assert r.stale == [2]
    assert list(r.failed) == [4] and "document_parsing_exception" in r.failed[4]
    retried = fake.bulks()[1]
    assert [a["index"]["_id"] for a in retried[::2]] == ["3"]  # only the refused item, once more
    assert es.sleeps == [0.5]


def test_gives_up_after_the_retries_and_keeps_the_error(fake, es):
    for _ in range(4):
        fake.on("PUT", "/_bulk", body=items(429))
    r = es.upsert("postings", [doc(1)])
    assert r.ok == [] and "queue full" in r.failed[1]
    assert es.sleeps == [0.5, 1.0, 2.0]
    assert len(fake.bulks()) == 4


def test_a_whole_request_refused_with_429_is_retried(fake, es):
    fake.on("PUT", "/_bulk", 429, {"error": {"type": "circuit_breaking_exception"}, "status": 429})
    fake.on("PUT", "/_bulk", body=items(201, 201))
    r = es.upsert("postings", [doc(1), doc(2)])
    assert sorted(r.ok) == [1, 2] and len(fake.bulks()) == 2


def test_deletes_carry_the_version_and_not_found_is_fine(fake, es):
    fake.on("PUT", "/_bulk", body=items(200, 404, 409, op="delete"))
    r = es.delete("postings", [(1, 3), (2, None), (3, 1)])
    assert sorted(r.ok) == [1, 2] and r.stale == [3]
    ops = fake.bulks()[0]
    assert ops[0] == {"delete": {"_id": "1", "version": 3, "version_type": "external", "_index": "jl-postings"}}
    assert ops[1] == {"delete": {"_id": "2", "_index": "jl-postings"}}


def test_writes_during_a_rebuild_go_to_both_indexes(fake, es):
    fake.responses.clear()
    fake.on("HEAD", "/_alias/jl-postings-next", 200)
    fake.on("PUT", "/_bulk", body=items(201))
    fake.on("PUT", "/_bulk", body=items(409))  # the rebuild already holds a newer copy
    r = es.upsert("postings", [doc(1)])
    assert r.ok == [1]
    assert [b[0]["index"]["_index"] for b in fake.bulks()] == ["jl-postings", "jl-postings-next"]


def test_search_request(fake, es):
    fake.on("POST", "/jl-postings/_search", body={"hits": {"total": {"value": 0}, "hits": []}})
    es.search("postings", SearchQuery(
        text="焊工 深圳", filters=(Terms("region_path", ("440300",)), Range("pay_monthly_max", gte=6000)),
        geo=GeoRadius(22.5, 113.9, 10), facets=("employment_type",), sort="distance", page=2, size=10))
    body = fake.requests[-1][2]
    must = body["query"]["bool"]["must"]
    assert [m["multi_match"]["query"] for m in must] == ["电焊工", "深圳"]  # canonical synonyms
    assert must[0]["multi_match"]["fields"] == ["title^3", "body^1"]
    assert must[0]["multi_match"]["type"] == "most_fields"
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"region_path": ["440300"]}}, {"range": {"pay_monthly_max": {"gte": 6000}}},
        {"geo_distance": {"distance": "10km", "location": {"lat": 22.5, "lon": 113.9}}}]
    assert body["sort"][0]["_geo_distance"]["order"] == "asc" and body["sort"][1] == {"doc_id": "asc"}
    assert body["from"] == 10 and body["size"] == 10 and body["track_total_hits"] is True
    assert body["aggs"] == {"employment_type": {"terms": {"field": "employment_type", "size": 5000}}}


def test_relaxed_query_counts_matched_words_and_excludes(fake, es):
    fake.on("POST", "/jl-postings/_search", body={"hits": {"total": {"value": 0}, "hits": []}})
    es.search("postings", SearchQuery(text="焊工 深圳 包吃住", minimum_should_match=1, must_not=("夜班",)))
    q = fake.requests[-1][2]["query"]["bool"]
    counted = q["must"][0]["bool"]
    assert counted["minimum_should_match"] == 1
    assert [c["constant_score"]["boost"] for c in counted["should"]] == [1000.0] * len(counted["should"])
    assert [c["constant_score"]["filter"]["multi_match"]["query"] for c in counted["should"]][:2] == ["电焊工", "深圳"]
    assert [m["multi_match"]["query"] for m in q["should"]][:2] == ["电焊工", "深圳"]  # BM25 breaks ties
    assert q["must_not"] == [{"multi_match": {"query": "夜班", "fields": ["title^3", "body^1"]}}]


def test_browsing_without_text_sorts_newest(fake, es):
    fake.on("POST", "/jl-postings/_search", body={"hits": {"total": {"value": 0}, "hits": []}})
    es.search("postings", SearchQuery())
    body = fake.requests[-1][2]
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"] == [{"published_ts": {"order": "desc", "missing": "_last"}}, {"doc_id": "asc"}]


def test_search_response_becomes_hits_with_highlights_facets_and_distance(fake, es):
    fake.on("POST", "/jl-postings/_search", body={
        "hits": {"total": {"value": 42, "relation": "eq"}, "hits": [
            {"_id": "7", "_score": 3.5, "_source": {"doc_id": 7, "title_text": "急招焊工<b>",
                                                     "description_text": "宝安", "location": {"lat": 22.55, "lon": 113.88}}}]},
        "aggregations": {"employment_type": {"buckets": [{"key": "gig", "doc_count": 40}, {"key": "full_time", "doc_count": 2}]}}})
    r = es.search("postings", SearchQuery(text="电焊工", facets=("employment_type",), origin=(22.555, 113.885)))
    assert r.total == 42 and r.ids == [7]
    assert r.hits[0].highlights["title"] == "急招<mark>焊工</mark>&lt;b&gt;"
    assert r.hits[0].distance_km == pytest.approx(0.76, abs=0.05)
    assert r.facets == {"employment_type": {"gig": 40, "full_time": 2}}


def test_unreachable_cluster_is_a_search_error_and_unhealthy():
    es = ElasticsearchBackend(Elasticsearch("http://127.0.0.1:9", max_retries=0, request_timeout=1), prefix="jl")
    with pytest.raises(SearchError):
        es.search("postings", SearchQuery(text="电工"))
    assert es.health().ok is False


def test_first_use_creates_template_and_aliased_index(fake):
    es = ElasticsearchBackend(Elasticsearch(fake.url), prefix="jl")
    fake.on("HEAD", "/_alias/jl-postings", 404)
    fake.on("HEAD", "/_alias/jl-postings-next", 404)
    fake.on("PUT", "/_bulk", body=items(201))
    es.upsert("postings", [doc(1)])
    methods = [(m, p.split("?")[0]) for m, p, _ in fake.requests]
    assert methods[0] == ("PUT", "/_index_template/jl-postings")
    tmpl = fake.requests[0][2]
    assert tmpl["index_patterns"] == ["jl-postings-*"]
    assert tmpl["template"]["mappings"]["properties"]["location"] == {"type": "geo_point"}
    create = next(r for r in fake.requests if r[0] == "PUT" and r[1].startswith("/jl-postings-2"))
    assert create[2]["aliases"] == {"jl-postings": {"is_write_index": True}}


def test_rebuild_fills_a_new_index_then_swaps_the_alias_atomically(fake, es):
    fake.on("PUT", "/_bulk", body=items(201, 201))
    fake.on("GET", "/_alias/jl-postings", body={"jl-postings-old": {"aliases": {"jl-postings": {}}}})
    n = es.rebuild("postings", [doc(1), doc(2)])
    assert n == 2
    reqs = [(m, p.split("?")[0], b) for m, p, b in fake.requests]
    create = next(r for r in reqs if r[0] == "PUT" and r[1].startswith("/jl-postings-2"))
    new_index = create[1].strip("/")
    assert create[2]["aliases"] == {"jl-postings-next": {}}
    bulk = next(r for r in reqs if r[1] == "/_bulk")
    assert bulk[2][0]["index"]["_index"] == new_index
    swap = next(r for r in reqs if r[1] == "/_aliases")
    assert swap[2]["actions"] == [
        {"remove": {"index": "jl-postings-old", "alias": "jl-postings"}},
        {"add": {"index": new_index, "alias": "jl-postings", "is_write_index": True}},
        {"remove": {"index": new_index, "alias": "jl-postings-next"}}]
    # the old index is deleted only after the swap
    order = [r[1] for r in reqs]
    assert order.index("/jl-postings-old") > order.index("/_aliases")


def test_knn_returns_cosine(fake):
    es = ElasticsearchBackend(Elasticsearch(fake.url), prefix="jl", vector_dims={"seekers": 4})
    es._ready.add("seekers")
    fake.on("POST", "/jl-seekers/_search", body={"hits": {"total": {"value": 2}, "hits": [
        {"_id": "2", "_score": 0.9, "_source": {"doc_id": 2}}, {"_id": "1", "_score": 1.0, "_source": {"doc_id": 1}}]}})
    hits = es.knn("seekers", [1, 0, 0, 0], k=2, filters=(Terms("region_path", ("440300",)),))
    assert [h.id for h in hits] == [1, 2] and hits[0].score == pytest.approx(1.0) and hits[1].score == pytest.approx(0.8)
    body = fake.requests[-1][2]
    assert body["knn"]["k"] == 2 and body["knn"]["filter"] == [{"terms": {"region_path": ["440300"]}}]


def test_fairs_have_their_own_index_and_sort_soonest_first(fake, es):
    from core.search import FAIRS

    m = mappings(FAIRS)["properties"]
    assert m["starts_ts"] == {"type": "double"} and m["theme"] == {"type": "keyword"}
    assert "pay_monthly_max" not in m and "published_ts" not in m
    es._ready.add("fairs")
    fake.on("POST", "/jl-fairs/_search", body={"hits": {"total": {"value": 1}, "hits": [
        {"_id": "3", "_score": None, "_source": {"doc_id": 3, "title_text": "退役军人专场招聘会", "description_text": ""}}]}})
    r = es.search("fairs", SearchQuery(text="退役军人", filters=(Range("starts_ts", gte=1_800_000_000),),
                                       sort="soonest", size=3, highlight=False))
    method, path, body = fake.requests[-1]
    assert path.startswith("/jl-fairs/_search")
    assert body["sort"] == [{"starts_ts": {"order": "asc", "missing": "_last"}}, {"doc_id": "asc"}]
    assert body["query"]["bool"]["filter"] == [{"range": {"starts_ts": {"gte": 1_800_000_000}}}]
    assert r.ids == [3]


def test_fused_search_sends_words_then_knn_under_the_same_conditions(fake, es):
    """Words and meaning (indexer.search.fusion): the word query, the kNN with the same filters,
    radius and exclusions, which of its hits the words match, then the page's highlights by id."""
    def src(i, title):
        return {"_id": str(i), "_score": 1.0, "_source": {"doc_id": i, "title_text": title, "description_text": ""}}

    es.vector_dims = {"postings": 4}

    fake.on("POST", "/jl-postings/_search", body={"hits": {"total": {"value": 2}, "hits": [src(1, "电焊工"), src(2, "焊工")]}})
    fake.on("POST", "/jl-postings/_search", body={"hits": {"hits": [
        {"_id": "7", "_score": 0.99, "_source": {"doc_id": 7}}, {"_id": "2", "_score": 0.95, "_source": {"doc_id": 2}}]}})
    fake.on("POST", "/jl-postings/_search", body={"hits": {"hits": [src(2, "焊工")]}})
    fake.on("POST", "/jl-postings/_search", body={"hits": {"hits": [src(1, "电焊工"), src(2, "焊工"), src(7, "钢结构师傅")]}})
    r = es.search("postings", SearchQuery(text="焊工", vector=(1.0, 0.0, 0.0, 0.0), must_not=("夜班",),
                                          filters=(Terms("region_path", ("440300",)),), geo=GeoRadius(22.5, 113.9, 10)))
    assert r.ids == [2, 1, 7] and [h.related for h in r.hits] == [False, False, True] and r.total == 3
    assert r.hits[2].highlights["title"] == "钢结构师傅"  # no word claimed
    words, knn, matches, marks = (b for _m, _p, b in fake.requests[-4:])
    assert words["size"] == 100 and "knn" not in words
    assert knn["knn"]["filter"]["bool"]["filter"] == [
        {"terms": {"region_path": ["440300"]}}, {"geo_distance": {"distance": "10km", "location": {"lat": 22.5, "lon": 113.9}}}]
    assert knn["knn"]["filter"]["bool"]["must_not"] == [{"multi_match": {"query": "夜班", "fields": ["title", "body"]}}]
    assert {"ids": {"values": ["7", "2"]}} in matches["query"]["bool"]["filter"]
    assert marks["query"] == {"ids": {"values": ["2", "1", "7"]}}


def test_without_a_vector_field_the_words_alone(fake, es):
    for _ in range(2):  # the fused head's word list, then the words alone
        fake.on("POST", "/jl-postings/_search", body={"hits": {"total": {"value": 1}, "hits": [
            {"_id": "1", "_score": 1.0, "_source": {"doc_id": 1, "title_text": "焊工", "description_text": ""}}]}})
    r = es.search("postings", SearchQuery(text="焊工", vector=(1.0, 0.0, 0.0, 0.0)))
    assert r.ids == [1] and not r.hits[0].related
    assert not any("knn" in (b or {}) for _m, _p, b in fake.requests)
