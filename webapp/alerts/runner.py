"""The alert runner and the delivery step as the scheduler runs them: alerts search through the app's
``SearchBackend`` (the database answers when there is no index), texts leave through the adapter
``NOTIFY_ADAPTER`` names."""
from __future__ import annotations

import dataclasses
import datetime as dt

from werkzeug.datastructures import MultiDict

from core.alerts.models import SavedSearch
from core.alerts.services import AlertRun, run_alerts, sql_matches
from core.notifications.delivery import DeliveryRun, deliver_pending, make_adapter, requeue_stuck
from core.reference.services import occupation_directory, region_directory
from core.search import MAX_PAGE_SIZE, NullBackend, Range, SearchError
from core.seekers.models import Jobseeker

from ..search.query import parse_search


def _home(session, user_id: int) -> tuple[float, float] | None:
    from sqlalchemy import select

    seeker = session.scalar(select(Jobseeker).where(Jobseeker.user_id == user_id))
    if seeker is None:
        return None
    if seeker.lat is not None and seeker.lon is not None:
        return seeker.lat, seeker.lon
    ref = region_directory(session).get(seeker.region_code)
    return (ref.lat, ref.lon) if ref is not None and ref.lat is not None else None


def finder(session, backend):
    """``find_ids`` for ``run_alerts``: the alert's search, newest first, published since it was saved."""
    regions, occupations = region_directory(session), occupation_directory(session)

    def find(ss: SavedSearch) -> list[int]:
        since = ss.created_at
        if backend is None or isinstance(backend, NullBackend):
            return sql_matches(session, ss.query, since=since)
        args = MultiDict([(k, v) for k, values in ss.query.items() for v in values])
        home = _home(session, ss.user_id) if args.get("near") == "home" else None
        query = parse_search(args, regions, occupations, home=home).query
        fresh = Range("published_ts", gte=since.replace(tzinfo=dt.UTC).timestamp())
        query = dataclasses.replace(query, filters=query.filters + (fresh,), sort="newest", page=1,
                                    size=MAX_PAGE_SIZE, facets=(), highlight=False)
        try:
            return backend.search("postings", query).ids
        except SearchError:
            return sql_matches(session, ss.query, since=since)

    return find


def unsubscribe_url(app):
    base = (app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return lambda token: f"{base}/alerts/unsubscribe/{token}"


def run_due_alerts(session, app) -> AlertRun:
    return run_alerts(session, finder(session, app.extensions.get("search")), unsubscribe_url=unsubscribe_url(app))


_started: set[int] = set()  # apps whose stuck copies this process has put back (once, at its first run)


def deliver(session, app) -> DeliveryRun:
    """Send the outbox; the first run in a process first requeues what a stopped one left "sending"
    (only the scheduler runs this, one process at a time)."""
    if id(app) not in _started:
        requeue_stuck(session)
        _started.add(id(app))
    return deliver_pending(session, make_adapter(app.config, app.instance_path))
