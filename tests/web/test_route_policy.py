"""Every registered route — of every blueprint present, found from the app's URL map, never from a
hard-coded list — is either public by declaration, or refuses anonymous users (302 to the login page,
or 401 JSON under /api/) and refuses every role it does not name (403)."""
from __future__ import annotations

from core.enums import Role
from webapp.auth.policy import declared_access

from .routes import rule_values

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _open(client, url, method):
    return client.open(url, method=method)


def _routes(app):
    """(endpoint, method, url, access) for every rule of the app except static files."""
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        values = rule_values(rule)
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


def test_enterprise_routes_hide_other_enterprises_objects(app, client, make_user, sign_in, db_session):
    """Every enterprise route about one posting or one submission, asked by another enterprise about a
    real object of the first: never answered; 404 (as if missing) where the rule says it hides foreign
    objects (the posting life-cycle routes: edit, copy, undo a merge)."""
    from sqlalchemy import select

    from core.postings.models import PostingSource

    owner = make_user("enterprise")
    sign_in(owner)
    form = {"title": "叉车司机", "pay_min": "5000", "pay_unit": "month", "region_code": "兰山区",
            "description": "驾驶叉车装卸货物，持有叉车证。", "headcount": "2"}
    for _ in range(2):  # the second is merged into the first: one posting, a merged submission
        assert client.post("/enterprise/postings/new", data=form).status_code == 302
    sources = db_session.scalars(select(PostingSource).order_by(PostingSource.id)).all()[-2:]
    ids = {"posting_id": sources[0].posting_id, "source_id": sources[1].id}
    client.post("/logout")
    sign_in(make_user("enterprise"))

    adapter = app.url_map.bind("localhost")
    checked, failures = 0, []
    for rule in app.url_map.iter_rules():
        rule_fn = getattr(app.view_functions[rule.endpoint], "_joblink_owner_rule", None)
        if not rule.endpoint.startswith("enterprise.") or rule_fn is None or not set(rule.arguments) <= set(ids):
            continue
        url = adapter.build(rule.endpoint, {a: ids[a] for a in rule.arguments})
        want = {404} if getattr(rule_fn, "hides_foreign", False) else {403, 404}
        for method in sorted(rule.methods - IGNORED_METHODS):
            checked += 1
            status = client.open(url, method=method).status_code
            if status not in want:
                failures.append((rule.endpoint, method, url, status))
    assert checked >= 4 and failures == []
