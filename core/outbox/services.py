"""Writing index work into the outbox, inside the caller's transaction."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.db import utcnow

from .models import OutboxEvent


def emit(session: Session, entity: str, entity_id: int, operation: str = "upsert") -> None:
    """Record that ``entity`` ``entity_id`` changed. Call in the same transaction as the change, so the
    index is told exactly when the change commits (never before, never lost)."""
    session.add(OutboxEvent(entity=entity, entity_id=entity_id, operation=operation))


def emit_many(session: Session, entity: str, entity_ids: list[int], operation: str = "upsert") -> None:
    """Bulk form for the ingestion pipeline."""
    if not entity_ids:
        return
    now = utcnow()
    session.execute(
        insert(OutboxEvent),
        [
            {"entity": entity, "entity_id": i, "operation": operation, "created_at": now,
             "available_at": now, "attempts": 0, "state": "pending"}
            for i in entity_ids
        ],
    )
