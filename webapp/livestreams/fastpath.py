"""The viewers' poll answered before Flask when nothing changed.

With 1,000 viewers polling once a second, almost every ``GET /live/<id>/state.json`` carries the
ETag the page already has, and this worker learnt the session's current fingerprint less than
``viewer.FINGERPRINT_TTL_S`` ago. Such a request is answered 304 here, in a few microseconds of
Python, without a request context, a database query or the hooks (the page is public, has no
session, and reads nothing). Anything else — first polls, a stale or expired fingerprint, another
path — goes to the app unchanged, which refreshes the fingerprint at most once per TTL per worker.
Measured by bench/livestreams.py (docs/livestreams.md)."""
from __future__ import annotations

import re

from ..auth.hardening import SECURITY_HEADERS
from . import viewer

_STATE_PATH = re.compile(r"^/live/(\d{1,10})/state\.json$")


class StatePollShortcut:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, wsgi_request, start_response):  # (not named environ: that is where settings are read)
        if wsgi_request.get("REQUEST_METHOD") == "GET" and (asked := wsgi_request.get("HTTP_IF_NONE_MATCH")):
            m = _STATE_PATH.match(wsgi_request.get("PATH_INFO") or "")
            fingerprint = viewer.fresh_fingerprint(int(m.group(1))) if m else None
            if fingerprint and f'"{fingerprint}"' in asked:
                start_response("304 Not Modified", [("ETag", f'"{fingerprint}"'), ("Cache-Control", "no-cache"),
                                                    *SECURITY_HEADERS.items()])
                return [b""]
        return self.wsgi_app(wsgi_request, start_response)


def install(state) -> None:
    """Blueprint registration hook: wrap the app's WSGI callable once."""
    app = state.app
    if not isinstance(app.wsgi_app, StatePollShortcut):
        app.wsgi_app = StatePollShortcut(app.wsgi_app)
