"""Flask-Login glue: the signed-in user is a small snapshot of the account, not an ORM row.

The session stores ``"<user id>:<session version>"``; the account's version is checked on every
request, so signing out or changing the password ends sessions server-side, not only in the
browser that asked."""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import UserMixin

from core.accounts.models import User
from core.enums import Role, label


@dataclass
class AuthUser(UserMixin):
    id: int
    username: str
    display_name: str
    role: Role
    region_code: str | None
    enterprise_id: int | None
    active: bool = True
    session_version: int = 0
    must_change_password: bool = False
    large_text: bool = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def role_label(self) -> str:
        return label(self.role)

    @classmethod
    def from_user(cls, user: User) -> "AuthUser":
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            region_code=user.region_code,
            enterprise_id=user.enterprise_id,
            active=user.is_active,
            session_version=user.session_version or 0,
            must_change_password=bool(user.must_change_password),
            large_text=bool(user.large_text),
        )


def load_user(session_id: str):
    """The account for a session's stored id, or None (signed out) when the account is closed or
    the session belongs to an earlier session version."""
    from webapp.extensions import db

    user_id, sep, version = (session_id or "").partition(":")
    try:
        user = db.session.get(User, int(user_id)) if sep else None
        current = user is not None and user.is_active and int(version) == (user.session_version or 0)
    except (TypeError, ValueError, OverflowError):
        return None
    return AuthUser.from_user(user) if current else None
