"""The Elasticsearch backend (8.x/9.x, official client): for deployments that scale past one machine.

- One index template per collection (mappings from ``core.search.COLLECTIONS``), concrete indexes
  ``<prefix>-<collection>-<timestamp>`` behind the alias ``<prefix>-<collection>``.
- ``rebuild`` fills a new index while the alias serves, then moves the alias in one atomic
  ``_aliases`` call; while it runs the alias ``<prefix>-<collection>-next`` marks the new index and
  every write goes to both.
- Bulk writes check every item: 409 (version conflict) means the index holds a newer version
  (stale), 429/503 are retried for the failed items only, with exponential back-off; anything else
  is reported per document. Writes carry the database version with ``version_type=external``.
- Text is pre-segmented by the shared analyser and indexed with the ``whitespace`` analyser, so
  matching and BM25 statistics are over the same tokens as the embedded engine.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace
from typing import Any, Callable, Iterable, Sequence

from core.search import (
    COLLECTIONS,
    MATCH_COUNT_WEIGHT,
    BulkResult,
    CollectionSpec,
    Health,
    Hit,
    Range,
    SearchError,
    SearchQuery,
    SearchResult,
    Terms,
    haversine_km,
)
from indexer.search import fusion
from indexer.search.analyzer import Analyzer, default_analyzer
from indexer.search.documents import analyse, stored_fields

log = logging.getLogger(__name__)
RETRYABLE = {429, 502, 503, 504}


def mappings(spec: CollectionSpec, vector_dims: int | None = None) -> dict:
    props: dict[str, Any] = {"doc_id": {"type": "long"}}
    for f in spec.fields:
        if f.kind == "text":
            props[f.name] = {"type": "text", "analyzer": "whitespace", "similarity": "BM25"}
        elif f.kind == "keyword":
            props[f.name] = {"type": "keyword"}
        elif f.kind == "number":
            props[f.name] = {"type": "double"}
        elif f.kind == "geo":
            props[f.name] = {"type": "geo_point"}
        elif f.kind == "stored":
            props[f.name] = {"type": "text", "index": False}
    if vector_dims:
        props["vector"] = {"type": "dense_vector", "dims": vector_dims, "index": True, "similarity": "cosine"}
    return {"dynamic": "strict", "properties": props}


def template(prefix: str, spec: CollectionSpec, vector_dims: int | None = None) -> dict:
    return {
        "index_patterns": [f"{prefix}-{spec.name}-*"],
        "template": {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0,
                         # BM25 like the embedded engine: k1=1.2, b=0.75 (Lucene's defaults)
                         "index": {"max_result_window": 10_000}},
            "mappings": mappings(spec, vector_dims),
        },
        "priority": 100,
    }


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, client, prefix: str = "joblink", analyzer: Analyzer | None = None,
                 refresh: bool | str = False, vector_dims: dict[str, int] | None = None,
                 max_retries: int = 5, backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self.prefix = prefix
        self.analyzer = analyzer or default_analyzer()
        self.refresh = refresh
        self.vector_dims = vector_dims or {}
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self._ready: set[str] = set()

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "ElasticsearchBackend":
        from elasticsearch import Elasticsearch

        return cls(Elasticsearch(url, request_timeout=30), **kwargs)

    # -- names and setup --------------------------------------------------------------------

    def alias(self, collection: str) -> str:
        return f"{self.prefix}-{collection}"

    def next_alias(self, collection: str) -> str:
        return f"{self.prefix}-{collection}-next"

    def _spec(self, collection: str) -> CollectionSpec:
        if collection not in COLLECTIONS:
            raise SearchError(f"unknown collection {collection!r}")
        return COLLECTIONS[collection]

    def _call(self, fn, *args, **kwargs):
        from elasticsearch import ApiError, TransportError

        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            raise SearchError(f"elasticsearch: {exc}") from exc
        except TransportError as exc:
            raise SearchError(f"elasticsearch unreachable: {exc}") from exc

    def ensure(self, collection: str) -> None:
        """Template and a first index behind the alias, created if missing."""
        if collection in self._ready:
            return
        spec = self._spec(collection)
        self._call(self.client.indices.put_index_template, name=f"{self.prefix}-{collection}",
                   **template(self.prefix, spec, self.vector_dims.get(collection)))
        if not self._call(self.client.indices.exists_alias, name=self.alias(collection)):
            index = self._new_index_name(collection)
            self._call(self.client.indices.create, index=index,
                       aliases={self.alias(collection): {"is_write_index": True}})
        self._ready.add(collection)

    def _new_index_name(self, collection: str) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.prefix}-{collection}-{stamp}"

    # -- writing ----------------------------------------------------------------------------

    def _source(self, spec: CollectionSpec, doc: dict) -> dict:
        a = analyse(spec, doc, self.analyzer)
        src: dict[str, Any] = {"doc_id": a.id}
        for name, toks in a.tokens.items():
            src[name] = " ".join(toks)
        for name, vals in a.keywords.items():
            f = spec.get(name)
            src[name] = vals if f.multi else (vals[0] if vals else None)
        src.update(a.numbers)
        if a.lat is not None:
            src["location"] = {"lat": a.lat, "lon": a.lon}
        src.update(stored_fields(spec, doc))
        if a.vector and self.vector_dims.get(spec.name):
            src["vector"] = a.vector
        return src

    def _targets(self, collection: str) -> list[str]:
        targets = [self.alias(collection)]
        if self._call(self.client.indices.exists_alias, name=self.next_alias(collection)):
            targets.append(self.next_alias(collection))
        return targets

    def upsert(self, collection: str, docs: Sequence[dict]) -> BulkResult:
        spec = self._spec(collection)
        self.ensure(collection)
        result = BulkResult()
        actions = []
        for doc in docs:
            try:
                src = self._source(spec, doc)
            except (ValueError, KeyError, TypeError) as exc:
                result.failed[int(doc.get("id") or 0)] = str(exc)
                continue
            actions.append((int(doc["id"]), {"index": {"_id": str(doc["id"]), "version": int(doc.get("version") or 1),
                                                       "version_type": "external"}}, src))
        return result.merge(self._bulk_all(collection, actions))

    def delete(self, collection: str, items: Sequence[tuple[int, int | None]]) -> BulkResult:
        self._spec(collection)
        self.ensure(collection)
        actions = []
        for doc_id, version in items:
            meta: dict[str, Any] = {"_id": str(int(doc_id))}
            if version is not None:
                meta.update(version=int(version), version_type="external")
            actions.append((int(doc_id), {"delete": meta}, None))
        return self._bulk_all(collection, actions)

    def _bulk_all(self, collection: str, actions) -> BulkResult:
        result = BulkResult()
        if not actions:
            return result
        targets = self._targets(collection)
        primary = self._bulk(targets[0], actions)
        for extra in targets[1:]:
            self._bulk(extra, actions)  # the rebuild's copy: its own outcome does not decide
        return result.merge(primary)

    def _bulk(self, index: str, actions) -> BulkResult:
        """One logical bulk: retry only the items refused with 429/5xx, with back-off."""
        result = BulkResult()
        pending = list(actions)
        attempt = 0
        while pending:
            ops: list[dict] = []
            for _id, action, src in pending:
                (op, meta), = action.items()
                ops.append({op: dict(meta, _index=index)})
                if src is not None:
                    ops.append(src)
            from elasticsearch import ApiError, TransportError

            try:
                resp = self.client.bulk(operations=ops, refresh=self.refresh)
                items = resp["items"]
            except (ApiError, TransportError) as exc:  # the whole request failed
                status = getattr(getattr(exc, "meta", None), "status", None)
                if status is not None and status not in RETRYABLE:
                    for doc_id, *_ in pending:
                        result.failed[doc_id] = f"{status}: {exc}"
                    return result
                items = None
                retry = pending
                last_error = str(exc)
            if items is not None:
                retry = []
                for (doc_id, action, src), item in zip(pending, items):
                    (op, body), = item.items()
                    status = int(body.get("status", 500))
                    if 200 <= status < 300 or (op == "delete" and status == 404):
                        result.ok.append(doc_id)
                    elif status == 409:
                        result.stale.append(doc_id)
                    elif status in RETRYABLE:
                        retry.append((doc_id, action, src))
                        last_error = f"{status}: {body.get('error')}"
                    else:
                        err = body.get("error") or {}
                        reason = err.get("reason") if isinstance(err, dict) else str(err)
                        result.failed[doc_id] = f"{status}: {err.get('type') if isinstance(err, dict) else ''} {reason}".strip()
            if not retry:
                break
            attempt += 1
            if attempt > self.max_retries:
                for doc_id, *_ in retry:
                    result.failed[doc_id] = f"gave up after {self.max_retries} retries: {last_error}"
                break
            delay = self.backoff * (2 ** (attempt - 1))
            log.warning("elasticsearch refused %d items (%s); retrying in %.1fs", len(retry), last_error, delay)
            self.sleep(delay)
            pending = retry
        return result

    # -- reading ----------------------------------------------------------------------------

    def build_query(self, spec: CollectionSpec, query: SearchQuery, terms: list[str],
                    not_terms: list[str] = ()) -> dict:
        text_fields = [f"{f.name}^{f.boost:g}" for f in spec.by_kind("text")]
        matches = [{"multi_match": {"query": t, "fields": text_fields, "type": "most_fields"}} for t in terms]
        if terms and query.minimum_should_match is not None:
            # Relaxed: at least k words, ranked by how many match (a constant per word), then BM25,
            # as the embedded engine does.
            counted = [{"constant_score": {"filter": {"multi_match": {"query": t, "fields": text_fields}},
                                           "boost": MATCH_COUNT_WEIGHT}} for t in terms]
            at_least = min(query.minimum_should_match, len(terms))
            must = [{"bool": {"should": counted, "minimum_should_match": at_least}}]
            should = matches
        else:
            must, should = matches, []
        filters = [self._filter(f) for f in query.filters]
        if query.geo is not None:
            filters.append({"geo_distance": {"distance": f"{query.geo.radius_km}km",
                                             "location": {"lat": query.geo.lat, "lon": query.geo.lon}}})
        q: dict[str, Any] = {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}
        if should:
            q["bool"]["should"] = should
        if not_terms:
            q["bool"]["must_not"] = [{"multi_match": {"query": t, "fields": text_fields}} for t in not_terms]
        sort = query.sort
        if sort == "relevance" and not terms:
            sort = "newest"
        if sort == "relevance":
            order: list[Any] = ["_score"]
        elif sort == "newest":
            order = [{"published_ts": {"order": "desc", "missing": "_last"}}]
        elif sort == "pay":
            order = [{"pay_monthly_max": {"order": "desc", "missing": "_last"}}]
        elif sort == "soonest":
            order = [{"starts_ts": {"order": "asc", "missing": "_last"}}]
        else:
            lat, lon = (query.geo.lat, query.geo.lon) if query.geo else query.origin
            order = [{"_geo_distance": {"location": {"lat": lat, "lon": lon}, "order": "asc", "unit": "km",
                                        "distance_type": "arc"}}]
        order.append({"doc_id": "asc"})
        body: dict[str, Any] = {
            "query": q, "sort": order, "from": (query.page - 1) * query.size, "size": query.size,
            "track_total_hits": True,
            "_source": ["doc_id", "location"] + [f.name for f in spec.by_kind("stored")],
        }
        if query.facets:
            body["aggs"] = {name: {"terms": {"field": name, "size": 5000}} for name in query.facets}
        return body

    @staticmethod
    def _filter(f: Terms | Range) -> dict:
        if isinstance(f, Terms):
            return {"terms": {f.field: list(f.values)}}
        rng = {}
        if f.gte is not None:
            rng["gte"] = f.gte
        if f.lte is not None:
            rng["lte"] = f.lte
        return {"range": {f.field: rng}} if rng else {"exists": {"field": f.field}}

    def search(self, collection: str, query: SearchQuery) -> SearchResult:
        spec = self._spec(collection)
        query.validate(spec)
        self.ensure(collection)
        if fusion.applies(query):  # words and their meaning, fused as the embedded engine does
            return fusion.fused_search(query, lambda q: self._search_words(collection, spec, q),
                                       lambda q, k: self._nearest(collection, q, k),
                                       lambda hits, q: self._highlight(collection, spec, hits, q))
        return self._search_words(collection, spec, query)

    def _search_words(self, collection: str, spec: CollectionSpec, query: SearchQuery) -> SearchResult:
        terms = self.analyzer.query_tokens(query.text) if query.text else []
        not_terms = self.analyzer.query_tokens(" ".join(query.must_not)) if query.must_not else []
        body = self.build_query(spec, query, terms, not_terms)
        resp = self._call(self.client.search, index=self.alias(collection), **body)
        return self.parse_response(query, terms, resp)

    def parse_response(self, query: SearchQuery, terms: list[str], resp: dict) -> SearchResult:
        hits = []
        origin = (query.geo.lat, query.geo.lon) if query.geo else query.origin
        for h in resp["hits"]["hits"]:
            src = h.get("_source") or {}
            hit = Hit(id=int(src.get("doc_id", h["_id"])), score=float(h.get("_score") or 0.0))
            loc = src.get("location")
            if origin is not None and loc:
                hit.distance_km = float(haversine_km(origin[0], origin[1], loc["lat"], loc["lon"]))
            if query.highlight and "title_text" in src:
                hit.highlights["title"] = self.analyzer.highlight(src.get("title_text") or "", terms)
                hit.highlights["description"] = self.analyzer.highlight(
                    src.get("description_text") or "", terms, max_chars=120)
            hits.append(hit)
        facets = {}
        for name in query.facets:
            buckets = resp.get("aggregations", {}).get(name, {}).get("buckets", [])
            facets[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets}
        total = resp["hits"]["total"]
        return SearchResult(total=int(total["value"] if isinstance(total, dict) else total), hits=hits,
                            facets=facets)

    def _nearest(self, collection: str, query: SearchQuery, k: int) -> list[Hit]:
        """kNN under the query's filters, radius and exclusions (one ``bool`` filter on the kNN);
        nothing when the index has no vector field (``SEARCH_VECTOR_DIMS`` 0: the words alone)."""
        if not self.vector_dims.get(collection):
            return []
        flt: dict[str, Any] = {"filter": [self._filter(f) for f in query.filters]}
        if query.geo is not None:
            flt["filter"].append({"geo_distance": {"distance": f"{query.geo.radius_km}km",
                                                   "location": {"lat": query.geo.lat, "lon": query.geo.lon}}})
        not_terms = self.analyzer.query_tokens(" ".join(query.must_not)) if query.must_not else []
        if not_terms:
            fields = [f.name for f in self._spec(collection).by_kind("text")]
            flt["must_not"] = [{"multi_match": {"query": t, "fields": fields}} for t in not_terms]
        knn = {"field": "vector", "query_vector": [float(x) for x in query.vector], "k": k,
               "num_candidates": max(100, 10 * k), "filter": {"bool": flt}}
        resp = self._call(self.client.search, index=self.alias(collection), knn=knn, size=k, _source=["doc_id"])
        hits = [Hit(id=int(h["_source"]["doc_id"]), score=2 * float(h["_score"]) - 1) for h in resp["hits"]["hits"]]
        matched = self._word_matches(collection, query, [h.id for h in hits])
        for h in hits:
            h.related = h.id not in matched
        return hits

    def _word_matches(self, collection: str, query: SearchQuery, ids: list[int]) -> set[int]:
        """Which of ``ids`` the query's words match (the word query restricted to those ids)."""
        if not ids:
            return set()
        terms = self.analyzer.query_tokens(query.text)
        body = self.build_query(self._spec(collection), replace(query, vector=None, facets=(), page=1, size=len(ids)),
                                terms)
        body["query"]["bool"]["filter"].append({"ids": {"values": [str(i) for i in ids]}})
        body.update(_source=["doc_id"], track_total_hits=False)
        resp = self._call(self.client.search, index=self.alias(collection), **body)
        return {int(h["_source"].get("doc_id", h["_id"])) for h in resp["hits"]["hits"]}

    def _highlight(self, collection: str, spec: CollectionSpec, hits: list[Hit], query: SearchQuery) -> None:
        """The page's highlights, read by id (the fused page mixes two requests' hits)."""
        if not (query.highlight and hits):
            return
        terms = self.analyzer.query_tokens(query.text) if query.text else []
        resp = self._call(self.client.search, index=self.alias(collection), size=len(hits),
                          query={"ids": {"values": [str(h.id) for h in hits]}},
                          _source=["doc_id"] + [f.name for f in spec.by_kind("stored")])
        stored = {int(h["_source"].get("doc_id", h["_id"])): h["_source"] for h in resp["hits"]["hits"]}
        self.analyzer.highlight_hits(hits, stored, terms)

    def knn(self, collection, vector, k=10, filters=()):
        self._spec(collection)
        self.ensure(collection)
        knn = {"field": "vector", "query_vector": [float(x) for x in vector], "k": k,
               "num_candidates": max(100, 10 * k)}
        if filters:
            knn["filter"] = [self._filter(f) for f in filters]
        resp = self._call(self.client.search, index=self.alias(collection), knn=knn, size=k,
                          _source=["doc_id"])
        # Elasticsearch reports cosine similarity as (1 + cos) / 2; give back the cosine.
        hits = [Hit(id=int(h["_source"]["doc_id"]), score=2 * float(h["_score"]) - 1)
                for h in resp["hits"]["hits"]]
        return sorted(hits, key=lambda h: (-round(h.score, 6), h.id))

    def versions(self, collection: str) -> dict[int, int]:
        self.ensure(collection)
        out: dict[int, int] = {}
        after = None
        while True:
            kwargs: dict[str, Any] = dict(index=self.alias(collection), size=5000, version=True,
                                          _source=False, sort=[{"doc_id": "asc"}],
                                          query={"match_all": {}})
            if after is not None:
                kwargs["search_after"] = after
            resp = self._call(self.client.search, **kwargs)
            hits = resp["hits"]["hits"]
            if not hits:
                return out
            for h in hits:
                out[int(h["_id"])] = int(h["_version"])
            after = hits[-1]["sort"]

    def rebuild(self, collection: str, docs: Iterable[dict], batch_size: int = 1000) -> int:
        spec = self._spec(collection)
        self.ensure(collection)
        alias, nxt = self.alias(collection), self.next_alias(collection)
        index = self._new_index_name(collection)
        self._call(self.client.indices.create, index=index, aliases={nxt: {}},
                   settings={"refresh_interval": "-1"})
        count = 0
        try:
            batch: list[dict] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= batch_size:
                    count += self._rebuild_batch(spec, index, batch)
                    batch = []
            if batch:
                count += self._rebuild_batch(spec, index, batch)
            self._call(self.client.indices.put_settings, index=index, settings={"refresh_interval": "1s"})
            self._call(self.client.indices.refresh, index=index)
            old = list(self._call(self.client.indices.get_alias, name=alias).keys())
            actions = [{"remove": {"index": i, "alias": alias}} for i in old]
            actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
            actions.append({"remove": {"index": index, "alias": nxt}})
            self._call(self.client.indices.update_aliases, actions=actions)
        except BaseException:
            self.client.indices.delete(index=index, ignore_unavailable=True)
            raise
        for i in old:
            self._call(self.client.indices.delete, index=i, ignore_unavailable=True)
        return count

    def _rebuild_batch(self, spec, index, docs) -> int:
        actions = []
        for doc in docs:
            try:
                src = self._source(spec, doc)
            except (ValueError, KeyError, TypeError):
                continue
            actions.append((int(doc["id"]), {"index": {"_id": str(doc["id"]), "version": int(doc.get("version") or 1),
                                                       "version_type": "external"}}, src))
        r = self._bulk(index, actions)
        if r.failed:
            raise SearchError(f"rebuild: {len(r.failed)} documents failed, e.g. {next(iter(r.failed.items()))}")
        return len(r.ok)

    def health(self) -> Health:
        try:
            h = self.client.cluster.health()
            status = h.get("status")
            return Health(ok=status in ("green", "yellow"), backend=self.name, detail=f"cluster {status}")
        except Exception as exc:  # unreachable is a health answer, not an error
            return Health(ok=False, backend=self.name, detail=str(exc))

    def drop_all(self) -> None:
        """Delete every index of this prefix (tests)."""
        # Wildcard deletes are refused by default (action.destructive_requires_name): name each index.
        names = list(self.client.indices.get(index=f"{self.prefix}-*", allow_no_indices=True, expand_wildcards="all"))
        for name in names:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        for c in COLLECTIONS:
            try:
                self.client.indices.delete_index_template(name=f"{self.prefix}-{c}")
            except Exception:
                pass
        self._ready.clear()
