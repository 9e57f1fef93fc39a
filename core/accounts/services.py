"""Accounts: password policy and hashing, creating users, authenticating."""
from __future__ import annotations

import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enums import Role
from core.errors import DomainError, NotFound, PermissionDenied
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


# Rows a person runs a finger along: a step to the neighbouring key is as guessable as 1→2 or a→b.
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# A password may break its sequences at most this often and still count as one (12345678abcd: one break).
_MAX_SEQUENCE_BREAKS = 2


def normalise_password(password: str) -> str:
    """The form guessers try: full-width characters as ASCII (ＡＢＣ１２３ → abc123), lower case, no spaces."""
    return "".join(unicodedata.normalize("NFKC", password or "").lower().split())


def _predictable_step(a: str, b: str) -> bool:
    """The same key again, the next/previous letter or digit (9→0 too), or the neighbouring keyboard key."""
    if a == b:
        return True
    if a.isdigit() and b.isdigit():
        return (int(b) - int(a)) % 10 in (1, 9)
    if a.isascii() and b.isascii() and a.isalpha() and b.isalpha() and abs(ord(a) - ord(b)) == 1:
        return True
    return any(a in row and b in row and abs(row.index(a) - row.index(b)) == 1 for row in _KEYBOARD_ROWS)


def is_sequence_or_repeat(password: str) -> bool:
    """123456789012, abcdefghijkl, qwertyuiop12, aaaaaa111111, abc123abc123 and the like."""
    p = normalise_password(password)
    if len(p) < 2:
        return True
    for size in range(1, len(p) // 2 + 1):
        if len(p) % size == 0 and p[:size] * (len(p) // size) == p:
            return True
    breaks = sum(not _predictable_step(a, b) for a, b in zip(p, p[1:]))
    return breaks <= _MAX_SEQUENCE_BREAKS


def _is_common(normalised: str) -> bool:
    """In the list as typed, or once the digits and symbols people tack on at either end are removed
    (password2026!, 2026password)."""
    common = _common_passwords()
    core = normalised.strip("0123456789!@#$%^&*()-_=+.,;:?~`'\"/\\|[]{}<> ")
    return normalised in common or (len(core) >= 4 and core in common)


def validate_password(password: str, username: str | None = None, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError("weak_password", f"密码至少需要{MIN_PASSWORD_LENGTH}个字符", field)
    normalised = normalise_password(password)
    if _is_common(normalised):
        raise DomainError("common_password", "该密码过于常见，容易被猜中，请换一个", field)
    if len(set(normalised)) < 4:
        raise DomainError("weak_password", "密码字符过于单一，请混合使用不同字符", field)
    if is_sequence_or_repeat(normalised):
        raise DomainError("sequence_password",
                          "密码是连续或重复的字符（如 123456、abcdef、qwerty、aaaa），很容易被猜中，请换一个", field)
    if username and normalise_password(username) in normalised:
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


def end_sessions(session: Session, user_id: int) -> None:
    """Sign the account out everywhere: every session carrying the current session version stops
    working on its next request (a saved cookie replayed later included)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version = (user.session_version or 0) + 1
        session.flush()


def change_password(session: Session, user_id: int, current: str, new: str, confirm: str) -> User:
    """Set a new password after checking the current one; every other session of the account ends
    (the caller signs the current one in again with the new session version)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or not verify_password(user.password_hash, current or ""):
        raise DomainError("wrong_password", "当前密码不正确", "current_password")
    validate_password(new, user.username, field="new_password")
    if new != confirm:
        raise DomainError("password_mismatch", "两次输入的新密码不一致", "new_password_confirm")
    if verify_password(user.password_hash, new):
        raise DomainError("same_password", "新密码不能与当前密码相同", "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(session, user.id)
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


def in_jurisdiction(user, region_code: str | None) -> bool:
    """Whether ``region_code`` lies inside ``user``'s jurisdiction (``commissioner_jurisdiction``).
    Every read and every write of a regional object asks it of the object's OWN region (a demand
    line's work place, not only its project's); an object without a region is inside only for admins."""
    prefix = commissioner_jurisdiction(user)
    return prefix is None or bool(region_code and region_code.startswith(prefix))


def jurisdiction_clause(user, region_column):
    """The SQL condition "``region_column`` lies in ``user``'s jurisdiction" (``commissioner_jurisdiction``);
    None for admins, who need none. The query form of ``in_jurisdiction``."""
    prefix = commissioner_jurisdiction(user)
    return None if prefix is None else region_column.like(f"{prefix}%")


def get_in_jurisdiction(session: Session, model, object_id: int, user, what: str, sees=None):
    """The ``model`` row ``object_id`` if ``user`` may see it: by default when its own ``region_code``
    lies in their jurisdiction (``in_jurisdiction``: admins everywhere, commissioners in theirs, any
    other role nowhere), else as ``sees(user, row)`` says. 404 when there is none, 403
    「{what}不在您的管辖范围内」 when it is not theirs to see."""
    row = session.get(model, object_id)
    if row is None:
        raise NotFound(what)
    if not (sees(user, row) if sees is not None else in_jurisdiction(user, row.region_code)):
        raise PermissionDenied(f"{what}不在您的管辖范围内")
    return row


def require_jurisdiction(user, region_code: str | None, what: str) -> None:
    """Refuse (403) when ``region_code`` lies outside ``user``'s jurisdiction; ``what`` names the object."""
    if not in_jurisdiction(user, region_code):
        raise PermissionDenied(f"{what}不在您的管辖范围内")
