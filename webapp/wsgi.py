"""WSGI entry point for gunicorn: ``gunicorn -c python:webapp.gunicorn_conf webapp.wsgi:app``
(what ``joblink serve`` and the Dockerfile run).

Each gunicorn worker imports this module before it takes a request, so it warms up here: the
region and occupation directories are read and one search opens the index and loads the Chinese
analyser's dictionary. Otherwise the first visitor each worker serves waits seconds for that.
"""
import logging

from core.reference.services import occupation_directory, region_directory
from core.search import SearchError, SearchQuery
from webapp import create_app
from webapp.extensions import db

log = logging.getLogger("joblink.wsgi")


def warm_up(app) -> None:
    with app.app_context():
        region_directory(db.session)
        occupation_directory(db.session)
        backend = app.extensions.get("search")
        if backend is not None:
            try:
                backend.search("postings", SearchQuery(text="普工", size=1))
            except SearchError:  # no index yet (e.g. before `joblink setup`): the first search retries
                log.warning("search index not ready at start-up", exc_info=True)


app = create_app()
warm_up(app)
