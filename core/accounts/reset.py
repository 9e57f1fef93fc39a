"""Password reset: an admin resets any account (a temporary password the person replaces at the next
sign-in), and jobseekers and enterprises reset their own with a one-time code sent to them.

Neither path tells anyone whether an account exists: ``request_reset_code`` returns nothing the
caller could show, and every failure of ``reset_with_code`` is the same "code wrong or expired"."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.audit.services import record_access
from core.db import utcnow
from core.enums import NotificationKind, Role
from core.errors import DomainError, NotFound
from core.notifications.delivery import queue_delivery
from core.notifications.services import notify

from .models import PasswordResetCode, User
from .services import end_sessions, hash_password, validate_password

CODE_DIGITS = 6
MAX_CODE_ATTEMPTS = 5  # wrong guesses before a code stops working (1 in 200,000 chance at most)
SELF_SERVICE_ROLES = frozenset({Role.JOBSEEKER, Role.ENTERPRISE})  # staff ask an admin
WRONG_CODE = "验证码不正确或已过期，请重新获取验证码"
# letters and digits nobody confuses when reading them aloud or off a screen (no 0/O, 1/l/I)
_TEMPORARY_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lIo")


def normalise_target(target: str) -> str:
    """A username or a mobile number as typed: spaces and dashes in a number do not matter."""
    t = "".join((target or "").split()).strip()
    digits = t.replace("-", "")
    return digits if digits.isdigit() else t


def code_digest(key: bytes, user_id: int, code: str) -> str:
    """Keyed hash of a code (the database never holds a code a reader could use)."""
    return hmac.new(key, f"reset:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_account(session: Session, target: str) -> User | None:
    """The account a username or a jobseeker's mobile number names (only when exactly one does)."""
    from core.seekers.models import Jobseeker

    t = normalise_target(target)
    if not t:
        return None
    user = session.scalar(select(User).where(func.lower(User.username) == t.lower()))
    if user is None and t.isdigit() and len(t) == 11:
        ids = set(session.scalars(select(Jobseeker.user_id).where(Jobseeker.phone == t, Jobseeker.user_id.is_not(None)).limit(2)))
        ids |= set(session.scalars(select(User.id).where(User.recovery_phone == t).limit(2)))
        user = session.get(User, ids.pop()) if len(ids) == 1 else None
    return user


def _expire_open_codes(session: Session, user_id: int, now: dt.datetime) -> None:
    session.execute(update(PasswordResetCode)
                    .where(PasswordResetCode.user_id == user_id, PasswordResetCode.used_at.is_(None),
                           PasswordResetCode.expires_at > now)
                    .values(expires_at=now))


def request_reset_code(session: Session, target: str, *, key: bytes, ttl: dt.timedelta,
                       now: dt.datetime | None = None) -> None:
    """Send a new one-time code to the account ``target`` names, if it is a jobseeker's or an
    enterprise's that is open; an earlier code stops working. Returns nothing either way."""
    now = now or utcnow()
    user = find_account(session, target)
    if user is None or not user.is_active or Role(user.role) not in SELF_SERVICE_ROLES:
        return None
    _expire_open_codes(session, user.id, now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    session.add(PasswordResetCode(user_id=user.id, code_hash=code_digest(key, user.id, code), created_at=now,
                                  expires_at=now + ttl))
    minutes = max(1, int(ttl.total_seconds() // 60))
    # By SMS through the notifications' delivery outbox (its adapter: a bureau's gateway, or the local
    # log by default), to the mobile number on the account; the inbox keeps the record.
    note = notify(session, user_id=user.id, kind=NotificationKind.ACCOUNT, title="找回密码验证码",
                  body=f"您的验证码是 {code}，{minutes}分钟内有效，只能用一次。请勿告诉他人；如不是您本人操作，请忽略。")
    queue_delivery(session, note, channel="sms", address=mobile_of(session, user))
    return None


def mobile_of(session: Session, user: User) -> str | None:
    """The mobile number a code for ``user`` goes to: a jobseeker's profile phone, else the number the
    account gave for this (an enterprise's contact mobile)."""
    from core.seekers.models import Jobseeker

    return session.scalar(select(Jobseeker.phone).where(Jobseeker.user_id == user.id)) or user.recovery_phone


def _open_code(session: Session, user: User | None, now: dt.datetime) -> PasswordResetCode | None:
    if user is None:
        return None
    return session.scalar(select(PasswordResetCode)
                          .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None),
                                 PasswordResetCode.expires_at > now,
                                 PasswordResetCode.failed_attempts < MAX_CODE_ATTEMPTS)
                          .order_by(PasswordResetCode.id.desc()).limit(1))


def reset_with_code(session: Session, target: str, code: str, new: str, confirm: str, *, key: bytes,
                    ip: str | None = None, now: dt.datetime | None = None) -> User:
    """Set a new password with a code from ``request_reset_code``. The code works once; every session
    of the account ends. Raises DomainError (the same one for an unknown account and a wrong code)."""
    now = now or utcnow()
    user = find_account(session, target)
    if user is not None and (not user.is_active or Role(user.role) not in SELF_SERVICE_ROLES):
        user = None
    pending = _open_code(session, user, now)
    typed = "".join((code or "").split())
    if pending is None or not hmac.compare_digest(pending.code_hash, code_digest(key, user.id, typed)):
        if pending is not None:
            pending.failed_attempts = (pending.failed_attempts or 0) + 1
            session.flush()
        raise DomainError("invalid_code", WRONG_CODE, "code")
    validate_password(new, user.username, field="new_password")
    if new != confirm:
        raise DomainError("password_mismatch", "两次输入的新密码不一致", "new_password_confirm")
    pending.used_at = now
    _set_password(session, user, new, must_change=False)
    record_access(session, actor_user_id=user.id, actor_role=Role(user.role).value, action="password_reset",
                  subject_type="user", subject_id=user.id, purpose="本人用验证码找回密码", fields=["password"], ip=ip)
    return user


def _set_password(session: Session, user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    _expire_open_codes(session, user.id, utcnow())
    end_sessions(session, user.id)


def temporary_password(username: str) -> str:
    """A random password the policy accepts (14 characters from an unambiguous alphabet)."""
    while True:
        candidate = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(14))
        try:
            validate_password(candidate, username)
        except DomainError:
            continue
        return candidate


def admin_reset_password(session: Session, *, admin_id: int, user_id: int, ip: str | None = None) -> tuple[User, str]:
    """An admin gives an account a temporary password (shown once to the admin), to be replaced at
    the next sign-in; every session of the account ends; audited and told to the person."""
    admin = session.get(User, admin_id)
    if admin is None or Role(admin.role) != Role.ADMIN:
        raise DomainError("not_admin", "只有管理员可以重置他人密码")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("该账号")
    if user.id == admin.id:
        raise DomainError("own_account", "不能在这里重置自己的密码，请使用“修改密码”")
    password = temporary_password(user.username)
    _set_password(session, user, password, must_change=True)
    record_access(session, actor_user_id=admin.id, actor_role=Role.ADMIN.value, action="password_reset",
                  subject_type="user", subject_id=user.id, purpose="管理员重置密码", fields=["password"], ip=ip)
    notify(session, user_id=user.id, kind=NotificationKind.ACCOUNT, title="您的密码已由管理员重置",
           body="请用管理员告诉您的临时密码登录，登录后需要设置新密码。如不是您本人申请的，请联系当地人社部门。")
    session.flush()
    return user, password
