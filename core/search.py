"""The search port: what the domain needs from a search engine, whatever engine serves it.

``SearchBackend`` is implemented by the embedded engine and by Elasticsearch (``indexer.search``);
``NullBackend`` is for code paths and tests that run without an index. Collections and their fields
are declared here (``COLLECTIONS``) so every backend builds the same index and answers the same
structured query (``SearchQuery``) the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Protocol, Sequence, runtime_checkable

# ---------------------------------------------------------------------------------------------
# Collections and their fields
# ---------------------------------------------------------------------------------------------

FieldKind = Literal["text", "keyword", "number", "geo", "stored"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    #: text fields: relevance weight; keyword fields: may hold several values (paths, tags).
    boost: float = 1.0
    multi: bool = False


@dataclass(frozen=True)
class CollectionSpec:
    name: str
    fields: tuple[FieldSpec, ...]
    vector_dims: int | None = None

    def by_kind(self, kind: FieldKind) -> list[FieldSpec]:
        return [f for f in self.fields if f.kind == kind]

    def get(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise UnknownField(name)


POSTINGS = CollectionSpec(
    name="postings",
    fields=(
        FieldSpec("title", "text", boost=3.0),
        FieldSpec("body", "text", boost=1.0),  # description, occupation, enterprise, skills
        # region_path: province, city and county codes, so a filter at any level is one term.
        FieldSpec("region_path", "keyword", multi=True),
        FieldSpec("occupation_path", "keyword", multi=True),
        FieldSpec("employment_type", "keyword"),
        FieldSpec("education", "keyword"),
        FieldSpec("pay_unit", "keyword"),
        FieldSpec("channel", "keyword"),
        FieldSpec("enterprise_id", "keyword"),
        FieldSpec("target_groups", "keyword", multi=True),
        FieldSpec("pay_monthly_min", "number"),
        FieldSpec("pay_monthly_max", "number"),
        FieldSpec("pay_min", "number"),
        FieldSpec("pay_max", "number"),
        FieldSpec("experience_years", "number"),
        FieldSpec("education_rank", "number"),
        FieldSpec("published_ts", "number"),  # seconds since the epoch, UTC
        FieldSpec("location", "geo"),
        FieldSpec("title_text", "stored"),
        FieldSpec("description_text", "stored"),
    ),
    vector_dims=None,
)

SEEKERS = CollectionSpec(
    name="seekers",
    fields=(
        FieldSpec("title", "text", boost=2.0),  # desired jobs
        FieldSpec("body", "text", boost=1.0),   # skills, experience summary
        FieldSpec("region_path", "keyword", multi=True),
        FieldSpec("occupation_path", "keyword", multi=True),
        FieldSpec("priority_groups", "keyword", multi=True),
        FieldSpec("availability", "keyword"),
        FieldSpec("education", "keyword"),
        FieldSpec("education_rank", "number"),
        FieldSpec("experience_years", "number"),
        FieldSpec("expected_pay_monthly", "number"),
        FieldSpec("location", "geo"),
    ),
    vector_dims=None,
)

#: public job fairs (core.fairs.search decides which; indexer.search.fairs builds the documents)
FAIRS = CollectionSpec(
    name="fairs",
    fields=(
        FieldSpec("title", "text", boost=3.0),
        FieldSpec("body", "text", boost=1.0),  # theme, kind, target groups, venue, organiser, place
        FieldSpec("theme", "keyword"),
        FieldSpec("kind", "keyword"),  # onsite, online, both
        FieldSpec("target_groups", "keyword", multi=True),
        FieldSpec("region_path", "keyword", multi=True),
        FieldSpec("starts_ts", "number"),  # the fair's day and start time, seconds since the epoch
        FieldSpec("location", "geo"),
        FieldSpec("title_text", "stored"),
        FieldSpec("description_text", "stored"),  # the venue
    ),
    vector_dims=None,
)

COLLECTIONS: dict[str, CollectionSpec] = {c.name: c for c in (POSTINGS, SEEKERS, FAIRS)}

# ---------------------------------------------------------------------------------------------
# Documents and queries
# ---------------------------------------------------------------------------------------------

#: A document is a plain dict: ``id`` (int), ``version`` (int, the database row's version), the
#: collection's fields by name (``location`` as ``{"lat": .., "lon": ..}``), optionally ``vector``.
Document = dict[str, Any]

MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # page * size beyond this is refused, as Elasticsearch does
MAX_MUST_NOT = 10
#: in a relaxed query each matched word is worth this much before BM25 breaks ties, so the
#: number of matched words ranks first on every backend
MATCH_COUNT_WEIGHT = 1000.0


@dataclass(frozen=True)
class Terms:
    """Matches documents having any of ``values`` in keyword field ``field``."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    """Numeric range, both ends inclusive and optional; documents without a value never match."""

    field: str
    gte: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class GeoRadius:
    lat: float
    lon: float
    radius_km: float


#: "soonest": earliest ``starts_ts`` first (events: the fairs collection)
Sort = Literal["relevance", "newest", "pay", "distance", "soonest"]


_SORT_FIELDS = {"newest": "published_ts", "pay": "pay_monthly_max", "soonest": "starts_ts"}


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: tuple[Terms | Range, ...] = ()
    geo: GeoRadius | None = None
    facets: tuple[str, ...] = ()
    sort: Sort = "relevance"
    page: int = 1
    size: int = 20
    highlight: bool = True
    #: sort origin for "distance" when no radius filter is given
    origin: tuple[float, float] | None = None
    #: words whose presence in any text field excludes a document ("-夜班", "不要夜班")
    must_not: tuple[str, ...] = ()
    #: None: every word of ``text`` must match (strict). k: at least k of them must match, and
    #: documents matching more of them rank first (then by BM25) — the relaxed query.
    minimum_should_match: int | None = None
    #: the query's meaning as a unit vector of the documents' encoder: with ``sort="relevance"`` and
    #: words, the engine's word ranking is fused with the nearest documents (indexer.search.fusion)
    vector: tuple[float, ...] | None = None

    def validate(self, spec: CollectionSpec) -> None:
        if self.page < 1 or self.size < 1 or self.size > MAX_PAGE_SIZE:
            raise InvalidQuery("page", "页码或每页条数超出范围")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise InvalidQuery("page", "页码过大")
        for f in self.filters:
            kind = spec.get(f.field).kind
            if isinstance(f, Terms) and kind != "keyword":
                raise InvalidQuery(f.field, "不能按此字段筛选")
            if isinstance(f, Range) and kind != "number":
                raise InvalidQuery(f.field, "不能按此字段限定范围")
        for name in self.facets:
            if spec.get(name).kind != "keyword":
                raise InvalidQuery(name, "不能按此字段分组统计")
        if self.geo is not None:
            check_point(self.geo.lat, self.geo.lon, "geo")
            if not (0 < self.geo.radius_km <= 500):
                raise InvalidQuery("radius_km", "距离范围应在 0 到 500 公里之间")
        if self.sort == "distance" and self.geo is None and self.origin is None:
            raise InvalidQuery("sort", "按距离排序需要位置")
        if self.sort in _SORT_FIELDS and _SORT_FIELDS[self.sort] not in {f.name for f in spec.fields}:
            raise InvalidQuery("sort", "不能这样排序")
        if self.minimum_should_match is not None and self.minimum_should_match < 1:
            raise InvalidQuery("minimum_should_match", "至少要符合一个词")
        if len(self.must_not) > MAX_MUST_NOT:
            raise InvalidQuery("q", f"排除的词最多 {MAX_MUST_NOT} 个")


@dataclass
class Hit:
    id: int
    score: float = 0.0
    distance_km: float | None = None
    highlights: dict[str, str] = field(default_factory=dict)
    #: found by meaning alone (semantic retrieval): the query's words do not match the document
    related: bool = False


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [h.id for h in self.hits]


@dataclass
class BulkResult:
    """Per-document outcome of a write: a failed item never hides behind a successful batch."""

    ok: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)  # refused: the index holds a newer version
    failed: dict[int, str] = field(default_factory=dict)

    def merge(self, other: "BulkResult") -> "BulkResult":
        self.ok += other.ok
        self.stale += other.stale
        self.failed.update(other.failed)
        return self


@dataclass
class Health:
    ok: bool
    backend: str
    detail: str = ""
    counts: dict[str, int] = field(default_factory=dict)


class SearchError(Exception):
    """The engine could not do what was asked (unreachable, refused); retry may help."""


class InvalidQuery(ValueError):
    """A query the caller must fix; ``field`` names the offending parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownField(InvalidQuery):
    def __init__(self, name: str):
        super().__init__(name, "未知字段")


def check_point(lat: float, lon: float, field_name: str = "location") -> None:
    if not (isinstance(lat, (int, float)) and isinstance(lon, (int, float))):
        raise InvalidQuery(field_name, "坐标格式不正确")
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidQuery(field_name, "坐标超出范围")


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance; works on floats and on numpy arrays alike."""
    import numpy as np

    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


# ---------------------------------------------------------------------------------------------
# The port
# ---------------------------------------------------------------------------------------------


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def upsert(self, collection: str, docs: Sequence[Document]) -> BulkResult:
        """Write documents; a document whose ``version`` is older than the indexed one is refused."""

    def delete(self, collection: str, items: Sequence[tuple[int, int]]) -> BulkResult:
        """Remove ``(id, version)`` pairs; the version keeps a late stale upsert from resurrecting it."""

    def search(self, collection: str, query: SearchQuery) -> SearchResult: ...

    def knn(self, collection: str, vector: Sequence[float], k: int = 10,
            filters: tuple[Terms | Range, ...] = ()) -> list[Hit]:
        """Nearest documents by cosine similarity of their ``vector``."""

    def versions(self, collection: str) -> dict[int, int]:
        """Every indexed id with its version (for reconcile)."""

    def rebuild(self, collection: str, docs: Iterable[Document]) -> int:
        """Build a fresh index from ``docs`` beside the live one, then swap; returns the count."""

    def health(self) -> Health: ...


class NullBackend:
    """Accepts writes and finds nothing: for tests and deployments without search."""

    name = "null"

    def upsert(self, collection, docs):
        return BulkResult(ok=[int(d["id"]) for d in docs])

    def delete(self, collection, items):
        return BulkResult(ok=[int(i) for i, _ in items])

    def search(self, collection, query):
        query.validate(COLLECTIONS[collection])
        return SearchResult(total=0, hits=[], facets={f: {} for f in query.facets})

    def knn(self, collection, vector, k=10, filters=()):
        return []

    def versions(self, collection):
        return {}

    def rebuild(self, collection, docs):
        return sum(1 for _ in docs)

    def health(self):
        return Health(ok=True, backend=self.name, detail="search disabled")
