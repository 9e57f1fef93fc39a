"""Flask-Login glue: the signed-in user is a small snapshot of the account, not an ORM row."""
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
        )


def load_user(user_id: str):
    from webapp.extensions import db

    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return AuthUser.from_user(user) if user and user.is_active else None
