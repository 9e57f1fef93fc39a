"""Every response of every route (walked from the app's URL map, as anonymous and as each role)
carries the security headers, names no server software, and every page works under a
Content-Security-Policy without 'unsafe-inline': no inline script, style or event handler."""
from __future__ import annotations

import re
import threading
import urllib.request


from core.enums import Role

from .routes import rule_values

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
INLINE = [
    # a JSON data block (<script type="application/json">, e.g. a chart's figures) is data, never run:
    # CSP does not apply to it, and |tojson escapes < > & so it cannot end the element
    ("inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/json[\"'])[^>]*>", re.I)),
    ("inline style element", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)),
    ("event-handler attribute", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)),
]


def _urls(app):
    """(endpoint, method, url) for every rule, ids filled with 1; static files by a real file."""
    adapter = app.url_map.bind("localhost")
    out = [("static", "GET", "/static/css/joblink.css")]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        url = adapter.build(rule.endpoint, rule_values(rule), force_external=False)
        out += [(rule.endpoint, m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


def _problems(resp) -> list[str]:
    found = []
    csp = resp.headers.get("Content-Security-Policy", "")
    if "default-src 'self'" not in csp or "frame-ancestors 'none'" not in csp or "unsafe-inline" in csp:
        found.append(f"CSP {csp!r}")
    for name, value in EXPECTED.items():
        if resp.headers.get(name) != value:
            found.append(f"{name}={resp.headers.get(name)!r}")
    server = resp.headers.get("Server", "")
    if re.search(r"werkzeug|python", server, re.I):
        found.append(f"Server={server!r}")
    if resp.mimetype == "text/html":
        html = resp.get_data(as_text=True)
        found += [what for what, pattern in INLINE if pattern.search(html)]
    return found


def _signed_in_clients(app, make_user) -> dict:
    clients = {"anonymous": app.test_client()}
    for role in Role:
        c = app.test_client()
        user = make_user(role.value)
        assert c.post("/login", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"}).status_code == 302
        clients[role.value] = c
    return clients


def test_every_route_answers_with_the_security_headers(app, db_session, make_user, make_posting):
    make_posting()  # some pages have something to show
    urls = _urls(app)
    assert len(urls) > 50 and any(e.startswith("partner.") for e, *_ in urls)
    failures = []
    for who, c in _signed_in_clients(app, make_user).items():
        for endpoint, method, url in urls:
            if endpoint == "auth.logout":
                continue  # would end the session the walk goes on with; checked below
            resp = c.open(url, method=method)
            failures += [(who, method, url, resp.status_code, p) for p in _problems(resp)]
            resp.close()  # static files answer with an open file
    resp = app.test_client().post("/logout")
    failures += [("anonymous", "POST", "/logout", resp.status_code, p) for p in _problems(resp)]
    assert failures == []


def test_error_responses_carry_the_headers_too(client):
    for resp in (client.get("/no/such/page"), client.get("/api/v1/nothing-here"),
                 client.post("/api/v1/partner/postings", json={"postings": []})):
        assert resp.status_code >= 400
        assert _problems(resp) == []


def test_the_development_server_does_not_name_its_software(app, db_session):
    """Werkzeug writes ``Server: Werkzeug/… Python/…`` itself; ``joblink serve --dev`` uses the quiet handler."""
    from werkzeug.serving import make_server

    from webapp.auth.hardening import QuietRequestHandler

    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/static/css/joblink.css", timeout=10) as r:
            headers = r.headers
            r.read()  # the whole answer: a client hanging up early leaves the server's file open (ResourceWarning)
    finally:
        server.shutdown()
        thread.join(5)
    assert headers.get_all("Server") == ["JobLink"]
    assert headers["X-Frame-Options"] == "DENY" and "script-src 'self'" in headers["Content-Security-Policy"]


def test_no_template_has_inline_script_style_or_handler():
    """Pages the walk cannot reach with sample ids (detail pages) are covered by their templates."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "webapp" / "templates"
    found = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [(str(path.relative_to(root)), what) for what, pattern in INLINE if pattern.search(text)]
    assert found == []
