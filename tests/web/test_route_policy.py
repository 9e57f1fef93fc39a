"""Every registered route — of every blueprint present, found from the app's URL map, never from a
hard-coded list — is either public by declaration, or refuses anonymous users (302 to the login page,
or 401 JSON under /api/) and refuses every role it does not name (403)."""
from __future__ import annotations

import uuid

from werkzeug.routing import IntegerConverter

from core.enums import Role
from webapp.auth.policy import declared_access

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _open(client, url, method):
    return client.open(url, method=method)


def _sample_value(converter) -> object:
    name = type(converter).__name__
    if isinstance(converter, IntegerConverter):  # the app's bounded <int:> is a subclass
        return 1
    if name == "FloatConverter":
        return 1.0
    if name == "UUIDConverter":
        return uuid.uuid4()
    return "x"


def _routes(app):
    """(endpoint, method, url, access) for every rule of the app except static files."""
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        values = {arg: _sample_value(rule._converters[arg]) for arg in rule.arguments}
        url = adapter.build(rule.endpoint, values, force_external=False)
        access = declared_access(app.view_functions[rule.endpoint])
        for method in sorted(rule.methods - IGNORED_METHODS):
            out.append((rule.endpoint, method, url, access))
    return out


def test_every_route_declares_its_access(app):
    undeclared = [(e, m, u) for e, m, u, access in _routes(app) if access != "public" and not access]
    assert undeclared == []


def test_protected_routes_refuse_anonymous_and_wrong_roles(app, client, make_user):
    routes = _routes(app)
    protected = [r for r in routes if r[3] != "public"]
    # The check must have something to bite on: the foundation's own areas are all protected.
    areas = {e.split(".")[0] for e, *_ in protected}
    assert {"seeker", "enterprise", "admin"} <= areas, areas
    assert any(r[3] == "public" for r in routes)

    failures = []
    for endpoint, method, url, allowed in protected:
        resp = _open(client, url, method)
        if url.startswith("/api/"):
            ok = resp.status_code == 401 and (resp.get_json() or {}).get("error", {}).get("code") == "login_required"
        else:
            ok = resp.status_code == 302 and "/login" in resp.headers.get("Location", "")
        if not ok:
            failures.append((endpoint, method, url, "anonymous", resp.status_code))

    clients = {}
    for role in Role:
        c = app.test_client()
        user = make_user(role.value)
        _open(c, "/", "GET")
        resp = c.post("/login", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"})
        assert resp.status_code == 302
        clients[role] = c
    checked = 0
    for endpoint, method, url, allowed in protected:
        for role in set(Role) - set(allowed):
            resp = _open(clients[role], url, method)
            checked += 1
            if resp.status_code != 403:
                failures.append((endpoint, method, url, role.value, resp.status_code))
    assert checked > 0
    assert failures == []


def test_public_routes_do_not_demand_login(app, client):
    """Declared-public pages answer anonymous visitors themselves (no redirect to the login page)."""
    failures = []
    for endpoint, method, url, access in _routes(app):
        if access != "public" or method != "GET":
            continue
        resp = _open(client, url, "GET")
        if resp.status_code in (401, 403) or (resp.status_code == 302 and "/login" in resp.headers.get("Location", "")):
            failures.append((endpoint, url, resp.status_code))
        assert resp.status_code < 500, (endpoint, url, resp.get_data(as_text=True)[:500])
    assert failures == []
