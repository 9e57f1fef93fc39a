"""HTTP hardening applied to the whole app: which proxies' forwarded headers are trusted, integer
URL segments bounded to what the database can hold, JSON that is always valid (never ``Infinity``),
and the security headers on every response."""
from __future__ import annotations

import builtins

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.serving import WSGIRequestHandler

from core.numbers import setting_count

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger id can name no row, so the route answers 404.
MAX_ROW_ID = 2**31 - 1

# No inline scripts, styles or handlers anywhere (they live in webapp/static), so no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
SERVER_NAME = "JobLink"


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's handler without ``Server: Werkzeug/… Python/…``: the server writes
    that header itself (an app cannot replace it), and software versions are nobody's business."""

    def version_string(self) -> str:
        return SERVER_NAME


class RowIdConverter(IntegerConverter):
    """``<int:…>`` that never matches a number beyond ``MAX_ROW_ID`` (404 instead of an overflow)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_ROW_ID if max is None else builtins.min(max, MAX_ROW_ID), signed=signed)


class StrictJSONProvider(DefaultJSONProvider):
    """``Infinity``/``NaN`` are not JSON: refusing to write them turns a bad value into a logged
    server error instead of a response no client can parse."""

    def dumps(self, obj, **kwargs) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def trusted_proxy_count(app: Flask) -> int:
    return setting_count("TRUSTED_PROXIES", app.config.get("TRUSTED_PROXIES"), 0, "proxies")


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered (their ``<int:>`` rules use the converter)."""
    app.url_map.converters["int"] = RowIdConverter
    app.json = StrictJSONProvider(app)
    proxies = trusted_proxy_count(app)
    if proxies:
        # Only the last ``proxies`` hops are ours; anything a client wrote further left is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response
