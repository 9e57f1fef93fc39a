"""Every view declares who may use it: ``@public`` or ``@roles_required(...)``.

A request to a view that declares neither is refused (fail closed), and
``tests/web/test_route_policy.py`` enumerates every registered route to prove each one is either
public by declaration or refuses a wrong role. Ownership (an enterprise's own postings, a
commissioner's jurisdiction) is checked inside the view with the helpers below.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from core.enums import Role

PUBLIC_ATTR = "_joblink_public"
ROLES_ATTR = "_joblink_roles"
ALL_ROLES = frozenset(Role)


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, signed in or not."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _deny_anonymous():
    if wants_json():
        resp = jsonify({"error": {"code": "login_required", "message": "请先登录"}})
        resp.status_code = 401
        return resp
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def roles_required(*roles: Role | str) -> Callable:
    """Allow signed-in users having one of ``roles``; anonymous users are sent to log in, others get 403."""
    allowed = frozenset(Role(r) for r in roles) if roles else ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _deny_anonymous()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ROLES_ATTR, allowed)
        return wrapped

    return decorator


def login_required(view: Callable) -> Callable:
    """Any signed-in user."""
    return roles_required()(view)


def declared_access(view: Callable) -> str | frozenset:
    if getattr(view, PUBLIC_ATTR, False):
        return "public"
    return getattr(view, ROLES_ATTR, frozenset())


def enforce_declarations() -> None:
    """``before_request`` hook: refuse any endpoint that declares no access rule."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    if not getattr(view, PUBLIC_ATTR, False) and not getattr(view, ROLES_ATTR, None):
        current_app.logger.error("view %s declares no access rule; refused", endpoint)
        abort(403)
    return None


# --- ownership and jurisdiction -------------------------------------------------------------------

def in_jurisdiction(region_code: str | None, user=None) -> bool:
    """Whether a region lies inside the user's jurisdiction (commissioners, reviewers bound to one).
    Admins and unbound reviewers see everything."""
    from core.reference.services import RegionDirectory

    user = user or current_user
    if user.role == Role.ADMIN:
        return True
    if not user.region_code:
        return user.role == Role.REVIEWER
    return bool(region_code) and region_code.startswith(RegionDirectory.code_prefix(user.region_code))


def owns_enterprise(enterprise_id: int | None, user=None) -> bool:
    user = user or current_user
    return user.role == Role.ENTERPRISE and enterprise_id is not None and user.enterprise_id == enterprise_id


def owner_required(is_owner: Callable[..., bool]) -> Callable:
    """Declare an ownership rule on a view: ``is_owner(user, **view_args)`` must hold, else 403.

    Goes under ``@roles_required`` (which decides who may ask at all); ``is_owner`` may abort(404)
    when the object does not exist, so a missing object and a foreign one are told apart only to
    those entitled to ask. The services check ownership again: this is the edge's first line.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _deny_anonymous()
            if not is_owner(current_user, **kwargs):
                abort(403)
            return view(*args, **kwargs)

        wrapped._joblink_owner_rule = is_owner  # type: ignore[attr-defined]
        return wrapped

    return decorator
