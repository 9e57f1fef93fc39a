"""Accounts: password policy and hashing, creating users, authenticating."""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enums import Role
from core.errors import DomainError
from core.identity import validate_region_code

from .models import User

MIN_PASSWORD_LENGTH = 12
# Argon2id with OWASP's recommended minimum: 19 MiB memory, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
_COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "data" / "security" / "common-passwords.txt.gz"
# Verified against when the username is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("joblink-timing-equaliser")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def validate_password(password: str, username: str | None = None, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError("weak_password", f"密码至少需要{MIN_PASSWORD_LENGTH}个字符", field)
    lowered = password.lower()
    if lowered in _common_passwords():
        raise DomainError("common_password", "该密码过于常见，容易被猜中，请换一个", field)
    if len(set(password)) < 4:
        raise DomainError("weak_password", "密码字符过于单一，请混合使用不同字符", field)
    if username and username.lower() in lowered:
        raise DomainError("weak_password", "密码不能包含用户名", field)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def validate_username(username: str, field: str = "username") -> str:
    u = (username or "").strip()
    if not (3 <= len(u) <= 64) or any(c.isspace() for c in u):
        raise DomainError("invalid_username", "用户名应为3-64个字符，不含空格", field)
    return u


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | str,
    display_name: str | None = None,
    region_code: str | None = None,
    enterprise_id: int | None = None,
    is_demo: bool = False,
) -> User:
    """Create an account after validating every field; raises DomainError naming the field."""
    role = Role(role)
    username = validate_username(username)
    validate_password(password, username)
    if role == Role.COMMISSIONER:
        if not region_code:
            raise DomainError("missing_region", "人社服务专员必须绑定所辖行政区划代码", "region_code")
    if region_code:
        region_code = validate_region_code(region_code)
        from core.reference.models import Region

        if session.get(Region, region_code) is None:
            raise DomainError("unknown_region", f"行政区划代码 {region_code} 不存在", "region_code")
    if session.scalar(select(func.count()).select_from(User).where(func.lower(User.username) == username.lower())):
        raise DomainError("username_taken", "该用户名已被注册", "username")
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        password_hash=hash_password(password),
        role=role,
        region_code=region_code,
        enterprise_id=enterprise_id,
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        return None
    if not user.is_active or not verify_password(user.password_hash, password or ""):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def commissioner_jurisdiction(user) -> str | None:
    """The region-code prefix a commissioner works in: ``None`` for admins (every region); a
    commissioner's city-level code covers its counties; anyone else, or a commissioner without a
    region, gets ``"-"``, which prefixes no region code."""
    from core.reference.services import RegionDirectory

    role = Role(user.role)
    if role == Role.ADMIN:
        return None
    if role != Role.COMMISSIONER or not user.region_code:
        return "-"
    return RegionDirectory.code_prefix(user.region_code)
