"""WSGI entry point for gunicorn: ``gunicorn -c python:webapp.gunicorn_conf webapp.wsgi:app``
(what ``joblink serve`` and the Dockerfile run).

Each gunicorn worker imports this module before it takes a request, so it warms up here: the
region and occupation directories are read and one search opens the index and loads the Chinese
analyser's dictionary. Otherwise the first visitor each worker serves waits seconds for that.
"""
import logging

from sqlalchemy.exc import OperationalError

from core.db import reading
from core.reference.services import occupation_directory, region_directory
from core.search import SearchError, SearchQuery
from webapp import create_app
from webapp.extensions import db

log = logging.getLogger("joblink.wsgi")


def warm_up(app) -> None:
    """Only reads (a worker starting while the relay or an import writes must not queue for the write
    lock), and never stops the worker: gunicorn shuts the whole server down when a worker fails to
    boot, and what is not warmed here is loaded by the first request instead."""
    with app.app_context(), reading():
        try:
            region_directory(db.session)
            occupation_directory(db.session)
        except OperationalError:
            log.warning("reference data not read at start-up; the first request reads it", exc_info=True)
            return
        finally:
            db.session.remove()
        backend = app.extensions.get("search")
        if backend is not None:
            try:
                backend.search("postings", SearchQuery(text="普工", size=1))
            except SearchError:  # no index yet (e.g. before `joblink setup`): the first search retries
                log.warning("search index not ready at start-up", exc_info=True)


app = create_app()
warm_up(app)
