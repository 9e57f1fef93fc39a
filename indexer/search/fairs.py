"""Job fairs as search documents (the ``fairs`` collection): what of a ``JobFair`` is searchable, and
the documents (or deletions) the relay, the rebuild and reconcile write. Which fairs are searchable is
decided once, in ``core.fairs.search.fair_is_searchable``."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import label
from core.fairs.models import JobFair
from core.fairs.search import SEARCHABLE_STATUSES, fair_is_searchable, fair_version, starts_ts
from core.fairs.services import KIND_LABELS, THEMES
from core.reference.models import Region
from core.search import Document
from indexer.search.documents import region_path


def fair_document(fair: JobFair, place: str = "") -> Document:
    """The search document of a fair; ``place`` is its region's full name (山东省临沂市兰山区)."""
    groups = list(fair.target_groups or [])
    body_parts = [THEMES.get(fair.theme, ""), KIND_LABELS.get(fair.kind, ""), " ".join(label(g) for g in groups),
                  fair.venue or "", fair.organiser or "", place]
    location = None
    if fair.lat is not None and fair.lon is not None:
        location = {"lat": float(fair.lat), "lon": float(fair.lon)}
    return {
        "id": int(fair.id),
        "version": fair_version(fair),
        "title": fair.title or "",
        "body": "\n".join(p for p in body_parts if p),
        "theme": fair.theme,
        "kind": fair.kind,
        "target_groups": groups,
        "region_path": region_path(fair.region_code),
        "starts_ts": starts_ts(fair.date, fair.start_time),
        "location": location,
        "title_text": fair.title or "",
        "description_text": fair.venue or "",
    }


def _places(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(select(Region.code, Region.full_name).where(Region.code.in_(codes))).all())


def fair_documents(session: Session, ids: list[int],
                   today: dt.date | None = None) -> tuple[list[Document], list[tuple[int, int | None]]]:
    """Documents to write and ``(id, version)`` deletions for fairs ``ids``, from the rows as they are
    now (a fair gone from the database is deleted without a version)."""
    rows = {f.id: f for f in session.scalars(select(JobFair).where(JobFair.id.in_(ids)))}
    places = _places(session, {f.region_code for f in rows.values()})
    docs, deletes = [], []
    for i in ids:
        fair = rows.get(i)
        if fair is None:
            deletes.append((i, None))
        elif fair_is_searchable(fair, today):
            docs.append(fair_document(fair, places.get(fair.region_code, "")))
        else:
            deletes.append((i, fair_version(fair)))
    return docs, deletes


def searchable_fair_documents(session: Session, batch: int = 500,
                              today: dt.date | None = None) -> Iterator[Document]:
    """Every fair document the index should hold, read in pages by id (rebuild, reconcile)."""
    today = today or dt.date.today()
    last = 0
    while True:
        rows = list(session.scalars(select(JobFair).where(JobFair.status.in_(SEARCHABLE_STATUSES),
                                                          JobFair.date >= today, JobFair.id > last)
                                    .order_by(JobFair.id).limit(batch)))
        if not rows:
            return
        last = rows[-1].id
        places = _places(session, {f.region_code for f in rows})
        for fair in rows:
            if fair_is_searchable(fair, today):
                yield fair_document(fair, places.get(fair.region_code, ""))
