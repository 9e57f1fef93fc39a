"""Writing index work into the outbox, inside the caller's transaction."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy.orm import Session

from core.db import utcnow

from .models import OutboxEvent


def emit(session: Session, entity: str, entity_id: int, operation: str = "upsert") -> None:
    """Record that ``entity`` ``entity_id`` changed. Call in the same transaction as the change, so the
    index is told exactly when the change commits (never before, never lost)."""
    session.add(OutboxEvent(entity=entity, entity_id=entity_id, operation=operation))


def emit_many(session: Session, entity: str, entity_ids: list[int], operation: str = "upsert") -> None:
    """``emit`` for many entities at once, in one statement."""
    emit_changes(session, entity, [(i, operation) for i in entity_ids])


def emit_changes(session: Session, entity: str, changes: Iterable[tuple[int, str]],
                 now: dt.datetime | None = None) -> None:
    """Record many changes, each (entity id, operation), in one statement and in this order (the
    intake pipeline's batches: new postings upserted, withdrawn ones deleted)."""
    changes = list(changes)
    if not changes:
        return
    now = now or utcnow()
    session.execute(
        OutboxEvent.__table__.insert(),  # Core, not ORM bulk insert: intake writes thousands a second
        [
            {"entity": entity, "entity_id": i, "operation": operation, "created_at": now,
             "available_at": now, "attempts": 0, "state": "pending"}
            for i, operation in changes
        ],
    )
