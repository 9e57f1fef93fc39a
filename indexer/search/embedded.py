"""The embedded search backend: no server, files in a directory (the app's instance folder).

Layout, per collection::

    <root>/<collection>/CURRENT          name of the live generation (swapped atomically)
    <root>/<collection>/NEXT             a generation being rebuilt (writes go to both)
    <root>/<collection>/gen-<n>/docs.sqlite   the document store: id, version, change seq,
                                              tombstone, stored fields, analysed form
    <root>/<collection>/gen-<n>/base-<seq>/   a columnar snapshot of the store up to <seq>
    <root>/<collection>/gen-<n>/BASE          name of the current snapshot

Writes go to the SQLite store only (any process, serialised by SQLite), each with a change sequence
number; a write whose version is not newer than the stored one is refused as stale. Every process
that searches keeps the snapshot memory-mapped plus small in-memory segments for changes after it,
and catches up from the change sequence before answering (at most ``refresh_seconds`` behind other
processes, never behind its own writes). ``compact`` folds the changes into a new snapshot;
``rebuild`` builds a new generation beside the live one and swaps ``CURRENT``.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from core.search import (
    COLLECTIONS,
    BulkResult,
    CollectionSpec,
    Health,
    Hit,
    SearchError,
    SearchQuery,
    SearchResult,
)
from indexer.search import fusion
from indexer.search.analyzer import Analyzer, default_analyzer
from indexer.search.columnar import (
    AnalysedDoc,
    GlobalStats,
    Segment,
    knn_segments,
    merge_candidates,
    search_segment,
    word_matches,
)
from indexer.search.documents import analyse, stored_fields
from indexer.search.result_cache import DEFAULT_SIZE, ResultCache

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    stored TEXT,
    analysed BLOB
);
CREATE INDEX IF NOT EXISTS docs_seq ON docs(seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
MAX_SMALL_SEGMENTS = 6


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Store:
    """One generation's SQLite document store."""

    def __init__(self, gen_dir: Path):
        self.dir = gen_dir
        gen_dir.mkdir(parents=True, exist_ok=True)
        self.conn = _connect(gen_dir / "docs.sqlite")
        self.lock = threading.Lock()

    def close(self):
        self.conn.close()

    def write(self, items: list[tuple[int, int | None, str | None, str | None]]) -> BulkResult:
        """``(id, version, stored_json, AnalysedDoc)``; ``None`` instead of the document = delete."""
        result = BulkResult()
        if not items:
            return result
        with self.lock:
            c = self.conn
            c.execute("BEGIN IMMEDIATE")
            try:
                row = c.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
                seq = int(row[0]) if row else 0
                ids = [i for i, *_ in items]
                existing = {}
                for chunk in range(0, len(ids), 900):
                    part = ids[chunk:chunk + 900]
                    q = f"SELECT id, version FROM docs WHERE id IN ({','.join('?' * len(part))})"
                    existing.update(dict(c.execute(q, part).fetchall()))
                for doc_id, version, stored, analysed in items:
                    old = existing.get(doc_id)
                    if version is not None and old is not None and version <= old:
                        result.stale.append(doc_id)
                        continue
                    seq += 1
                    if analysed is None:
                        if old is None and version is None:
                            result.ok.append(doc_id)  # nothing to delete
                            continue
                        c.execute(
                            "INSERT INTO docs(id, version, seq, deleted, stored, analysed) VALUES (?,?,?,1,NULL,NULL) "
                            "ON CONFLICT(id) DO UPDATE SET version=excluded.version, seq=excluded.seq, "
                            "deleted=1, stored=NULL, analysed=NULL",
                            # An unversioned delete forgets the version: any later write may win.
                            (doc_id, version if version is not None else 0, seq))
                    else:
                        c.execute(
                            "INSERT INTO docs(id, version, seq, deleted, stored, analysed) VALUES (?,?,?,0,?,?) "
                            "ON CONFLICT(id) DO UPDATE SET version=excluded.version, seq=excluded.seq, "
                            "deleted=0, stored=excluded.stored, analysed=excluded.analysed",
                            (doc_id, version, seq, stored, analysed.to_json()))
                    existing[doc_id] = version if version is not None else old
                    result.ok.append(doc_id)
                c.execute("INSERT INTO meta(key, value) VALUES ('seq', ?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (str(seq),))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return result

    def max_seq(self) -> int:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
        return int(row[0]) if row else 0

    def changes_since(self, seq: int):
        with self.lock:
            return self.conn.execute(
                "SELECT id, deleted, analysed, seq FROM docs WHERE seq > ? ORDER BY seq", (seq,)).fetchall()

    def stored(self, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        try:
            with self.lock:
                rows = self.conn.execute(
                    f"SELECT id, stored FROM docs WHERE deleted=0 AND id IN ({','.join('?' * len(ids))})", ids
                ).fetchall()
        except (sqlite3.ProgrammingError, sqlite3.OperationalError):
            return {}  # the generation was swapped under us: results without highlights, not an error
        return {i: json.loads(s) for i, s in rows if s}

    def analysed(self, ids: list[int]) -> list[AnalysedDoc]:
        out = []
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            with self.lock:
                rows = self.conn.execute(
                    f"SELECT analysed FROM docs WHERE deleted=0 AND id IN ({','.join('?' * len(part))})", part
                ).fetchall()
            out += [AnalysedDoc.from_json(r[0]) for r in rows]
        return out

    def versions(self) -> dict[int, int]:
        with self.lock:
            return dict(self.conn.execute("SELECT id, version FROM docs WHERE deleted=0").fetchall())

    def count(self) -> int:
        with self.lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM docs WHERE deleted=0").fetchone()[0])

    def live_docs(self, max_seq: int | None = None) -> Iterable[AnalysedDoc]:
        with self.lock:
            sql = "SELECT analysed FROM docs WHERE deleted=0"
            args: tuple = ()
            if max_seq is not None:
                sql += " AND seq <= ?"
                args = (max_seq,)
            rows = self.conn.execute(sql, args).fetchall()
        for (raw,) in rows:
            yield AnalysedDoc.from_json(raw)


class CollectionIndex:
    """A process's view of one collection: the live generation's snapshot plus recent changes."""

    def __init__(self, root: Path, spec: CollectionSpec, analyzer: Analyzer, refresh_seconds: float):
        self.root = root
        self.spec = spec
        self.analyzer = analyzer
        self.refresh_seconds = refresh_seconds
        self.lock = threading.RLock()
        self.gen: str | None = None
        self.store: Store | None = None
        self.next_store: tuple[str, Store] | None = None
        self.base: Segment | None = None
        self.base_name: str | None = None
        self.small: list[Segment] = []
        self.seq = 0
        self.checked_at = 0.0
        self.dirty = True
        root.mkdir(parents=True, exist_ok=True)

    # -- generations ------------------------------------------------------------------------

    def _current_name(self) -> str:
        cur = self.root / "CURRENT"
        if not cur.exists():
            name = "gen-000001"
            (self.root / name).mkdir(parents=True, exist_ok=True)
            Store(self.root / name).close()
            try:  # two processes may race to create the first generation; first one wins
                fd = os.open(cur, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, name.encode())
                os.close(fd)
            except FileExistsError:
                pass
        return cur.read_text(encoding="utf-8").strip()

    def _open(self, name: str) -> None:
        if self.store is not None:
            self.store.close()
        self.gen = name
        self.store = Store(self.root / name)
        self.base, self.base_name, self.small, self.seq = None, None, [], 0
        self._load_base()

    def _load_base(self) -> None:
        marker = self.root / self.gen / "BASE"
        if marker.exists():
            name = marker.read_text(encoding="utf-8").strip()
            if name != self.base_name:
                self.base = Segment.load(self.spec, self.root / self.gen / name)
                self.base_name = name
                self.seq = int(name.split("-")[1])
                self.small = []

    def _writable_stores(self) -> list[Store]:
        stores = [self._store()]
        nxt = self.root / "NEXT"
        if nxt.exists():
            name = nxt.read_text(encoding="utf-8").strip()
            if name and name != self.gen and (self.root / name).exists():
                if self.next_store is None or self.next_store[0] != name:
                    self.next_store = (name, Store(self.root / name))
                stores.append(self.next_store[1])
        return stores

    def _store(self) -> Store:
        name = self._current_name()
        if name != self.gen:
            self._open(name)
        return self.store

    # -- writing ----------------------------------------------------------------------------

    def write(self, items) -> BulkResult:
        with self.lock:
            stores = self._writable_stores()
            result = stores[0].write(items)
            for extra in stores[1:]:
                extra.write(items)
            self.dirty = True
            return result

    # -- reading ----------------------------------------------------------------------------

    def refresh(self, force: bool = False) -> list[Segment]:
        with self.lock:
            now = time.monotonic()
            if not (force or self.dirty or now - self.checked_at >= self.refresh_seconds):
                return self.segments
            self.checked_at = now
            self.dirty = False
            store = self._store()
            self._load_base()
            if store.max_seq() > self.seq:
                rows = store.changes_since(self.seq)
                new_docs = []
                for doc_id, deleted, analysed, seq in rows:
                    for seg in self.segments:
                        seg.kill(doc_id)
                    if not deleted:
                        new_docs.append(AnalysedDoc.from_json(analysed))
                    self.seq = max(self.seq, seq)
                # A document changed twice in this batch appears once, in its latest form.
                latest = {d.id: d for d in new_docs}
                if latest:
                    self.small.append(Segment.build(self.spec, list(latest.values()), keep_docs=True))
                if len(self.small) > MAX_SMALL_SEGMENTS:
                    docs = {}
                    for seg in self.small:
                        for i, d in enumerate(seg.docs):
                            if seg.live[seg.slot(d.id)]:
                                docs[d.id] = d
                    self.small = [Segment.build(self.spec, list(docs.values()), keep_docs=True)]
            return self.segments

    @property
    def state(self) -> tuple:
        """What this process reads now: generation, snapshot and the last change it applied (every
        write, deletion, compaction and rebuild moves one of them)."""
        return self.gen, self.base_name, self.seq

    @property
    def segments(self) -> list[Segment]:
        return ([self.base] if self.base is not None else []) + self.small

    def tail_size(self) -> int:
        return sum(s.n for s in self.small)

    def compact(self) -> None:
        """Fold every change into a new snapshot (readers switch to it on their next refresh)."""
        with self.lock:
            store = self._store()
            seq = store.max_seq()
            docs = list(store.live_docs(max_seq=seq))
            self._write_base(self.root / self.gen, Segment.build(self.spec, docs), seq)
            self.dirty = True

    def _write_base(self, gen_dir: Path, seg: Segment, seq: int) -> None:
        name = f"base-{seq:012d}"
        tmp = gen_dir / (name + f".tmp{os.getpid()}")
        if tmp.exists():
            shutil.rmtree(tmp)
        seg.save(tmp)
        if (gen_dir / name).exists():
            shutil.rmtree(gen_dir / name)
        os.replace(tmp, gen_dir / name)
        old = (gen_dir / "BASE").read_text().strip() if (gen_dir / "BASE").exists() else None
        _write_atomic(gen_dir / "BASE", name)
        if old and old != name:
            shutil.rmtree(gen_dir / old, ignore_errors=True)


class EmbeddedBackend:
    """``core.search.SearchBackend`` on local files; see the module docstring for the layout."""

    name = "embedded"

    def __init__(self, path: str | os.PathLike, analyzer: Analyzer | None = None,
                 refresh_seconds: float = 0.5, compact_threshold: int = 20_000,
                 result_cache_size: int = DEFAULT_SIZE):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.analyzer = analyzer or default_analyzer()
        self.refresh_seconds = refresh_seconds
        self.compact_threshold = compact_threshold
        self._collections: dict[str, CollectionIndex] = {}
        self._lock = threading.Lock()
        # answers to repeated queries while the index has not changed (indexer/search/result_cache.py)
        self.results = ResultCache(result_cache_size)

    def _col(self, collection: str) -> CollectionIndex:
        if collection not in COLLECTIONS:
            raise SearchError(f"unknown collection {collection!r}")
        with self._lock:
            if collection not in self._collections:
                self._collections[collection] = CollectionIndex(
                    self.root / collection, COLLECTIONS[collection], self.analyzer, self.refresh_seconds)
            return self._collections[collection]

    # -- writes -----------------------------------------------------------------------------

    def _prepare(self, spec, docs) -> tuple[list, BulkResult]:
        items, result = [], BulkResult()
        for doc in docs:
            try:
                a = analyse(spec, doc, self.analyzer)
            except (ValueError, KeyError, TypeError) as exc:
                result.failed[int(doc.get("id") or 0)] = str(exc)
                continue
            stored = json.dumps(stored_fields(spec, doc), ensure_ascii=False)
            items.append((a.id, a.version, stored, a))
        return items, result

    def upsert(self, collection: str, docs: Sequence[dict]) -> BulkResult:
        col = self._col(collection)
        items, result = self._prepare(col.spec, docs)
        try:
            result.merge(col.write(items))
        except sqlite3.Error as exc:
            raise SearchError(f"embedded index write failed: {exc}") from exc
        if col.tail_size() > max(self.compact_threshold, (col.base.n if col.base else 0) // 10):
            col.compact()
        return result

    def delete(self, collection: str, items: Sequence[tuple[int, int | None]]) -> BulkResult:
        col = self._col(collection)
        try:
            return col.write([(int(i), None if v is None else int(v), None, None) for i, v in items])
        except sqlite3.Error as exc:
            raise SearchError(f"embedded index write failed: {exc}") from exc

    # -- reads ------------------------------------------------------------------------------

    def search(self, collection: str, query: SearchQuery) -> SearchResult:
        if fusion.applies(query):  # words and their meaning: indexer.search.fusion, as on Elasticsearch
            col = self._col(collection)
            query.validate(col.spec)
            return fusion.fused_search(query, lambda q: self._search_words(col, q),
                                       lambda q, k: self._nearest(col, q, k),
                                       lambda hits, q: self._highlight(col.store, hits, q))
        return self._search_words(self._col(collection), query)

    def _search_words(self, col: CollectionIndex, query: SearchQuery) -> SearchResult:
        query.validate(col.spec)
        key = (col.spec.name, query)
        with col.lock:
            segments = col.refresh()
            state = col.state
            cached = self.results.get(key, state)
            if cached is not None:
                return cached
            # only punctuation or stop words: no terms, treated as no text rather than "match everything"
            terms = self.analyzer.query_tokens(query.text) if query.text else []
            not_terms = self.analyzer.query_tokens(" ".join(query.must_not)) if query.must_not else []
            stats = GlobalStats(segments, col.spec, terms) if terms else None
            facets: dict[str, dict[str, int]] = {name: {} for name in query.facets}
            cands = []
            for seg in segments:
                c = search_segment(seg, query, terms, stats, facets, not_terms)
                if c is not None:
                    cands.append(c)
            total = sum(c.total for c in cands)
            page = merge_candidates(cands, query.page, query.size)
            store = col.store
        hits = [Hit(id=i, score=s, distance_km=d) for i, s, d in page]
        self._highlight(store, hits, query, terms)
        result = SearchResult(total=total, hits=hits, facets=facets)
        self.results.put(key, state, result)
        return result

    def _highlight(self, store: Store, hits: list[Hit], query: SearchQuery, terms: list[str] | None = None) -> None:
        if not (query.highlight and hits):
            return
        if terms is None:
            terms = self.analyzer.query_tokens(query.text) if query.text else []
        self.analyzer.highlight_hits(hits, store.stored([h.id for h in hits]), terms)

    def _nearest(self, col: CollectionIndex, query: SearchQuery, k: int) -> list[Hit]:
        """The documents nearest to ``query.vector`` under its filters, radius and exclusions."""
        not_terms = self.analyzer.query_tokens(" ".join(query.must_not)) if query.must_not else []
        terms = self.analyzer.query_tokens(query.text)
        at_least = len(terms) if query.minimum_should_match is None else min(query.minimum_should_match, len(terms))
        with col.lock:
            segments = col.refresh()
            found = knn_segments(segments, np.asarray(query.vector), k, query.filters, query.geo, not_terms)
            matched = word_matches(segments, [i for i, _ in found], terms, at_least)
        return [Hit(id=i, score=s, related=i not in matched) for i, s in found]

    def knn(self, collection, vector, k=10, filters=()):
        col = self._col(collection)
        with col.lock:
            segments = col.refresh()
            return [Hit(id=i, score=s) for i, s in knn_segments(segments, np.asarray(vector), k, filters)]

    def versions(self, collection: str) -> dict[int, int]:
        return self._col(collection)._store().versions()

    def count(self, collection: str) -> int:
        return self._col(collection)._store().count()

    def compact(self, collection: str) -> None:
        self._col(collection).compact()

    def rebuild(self, collection: str, docs: Iterable[dict], batch_size: int = 5000) -> int:
        """Build a new generation from ``docs`` while the live one serves, then swap ``CURRENT``.

        Writes made meanwhile (by the relay, in any process) go to both generations; versions
        make the order irrelevant: the newer of the rebuild's copy and the relay's copy wins.
        """
        col = self._col(collection)
        spec = col.spec

        def items():
            batch = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= batch_size:
                    yield self._prepare(spec, batch)[0]
                    batch = []
            if batch:
                yield self._prepare(spec, batch)[0]

        return self.rebuild_prepared(collection, items())

    def rebuild_prepared(self, collection: str, batches: Iterable[list]) -> int:
        """``rebuild`` from already analysed ``(id, version, stored_json, analysed)`` batches."""
        col = self._col(collection)
        spec = col.spec
        col._store()
        existing = sorted(p.name for p in col.root.glob("gen-*") if p.is_dir())
        number = int(existing[-1].split("-")[1]) + 1 if existing else 1
        name = f"gen-{number:06d}"
        gen_dir = col.root / name
        store = Store(gen_dir)
        _write_atomic(col.root / "NEXT", name)
        count = 0
        written: dict[int, AnalysedDoc] = {}
        try:
            for items in batches:
                result = store.write(items)
                count += len(result.ok)
                ok = set(result.ok)
                for item in items:
                    if item[0] in ok and item[3] is not None:
                        written[item[0]] = item[3]
            # The snapshot is built from the documents in hand; only those the relay replaced
            # meanwhile (newer version in the store) are read back from the store.
            seq = store.max_seq()
            versions = store.versions()
            docs = [d for i, d in written.items() if versions.get(i) == d.version]
            others = [i for i in versions if i not in written or written[i].version != versions[i]]
            docs += store.analysed(others)
            del written
            col._write_base(gen_dir, Segment.build(spec, docs), seq)
            del docs
            old = col.gen
            _write_atomic(col.root / "CURRENT", name)
        finally:
            (col.root / "NEXT").unlink(missing_ok=True)
            store.close()
        with col.lock:
            col.refresh(force=True)
        # Keep the previous generation (a reader in another process may still be on it).
        for p in sorted(col.root.glob("gen-*")):
            if p.is_dir() and p.name not in (name, old):
                shutil.rmtree(p, ignore_errors=True)
        return count

    def health(self) -> Health:
        try:
            counts = {c: self.count(c) for c in COLLECTIONS}
            probe = self.root / ".health"
            probe.write_text(str(time.time()))
            probe.unlink()
            return Health(ok=True, backend=self.name, detail=str(self.root), counts=counts)
        except (OSError, sqlite3.Error) as exc:
            return Health(ok=False, backend=self.name, detail=str(exc))

