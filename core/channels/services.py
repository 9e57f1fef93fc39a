"""Channels (the "1+1+N" sources postings come from): creating and finding them, the built-in
channels for enterprises' own postings and major projects, and partner API keys."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import ChannelKind, TrustLevel
from core.errors import DomainError, NotFound

from .models import Channel

ENTERPRISE_DIRECT_CODE = "enterprise-direct"
MAJOR_PROJECT_CODE = "major-project"
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_WEB_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def hash_api_key(key: str) -> str:
    """API keys are long random tokens, so a plain SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_channel(session: Session, code: str, name: str, kind: str, *, region_code: str | None = None,
                   trust_level: str = TrustLevel.STANDARD, licence_number: str | None = None,
                   is_demo: bool = False) -> Channel:
    code = (code or "").strip().lower()
    if not _CODE_RE.match(code):
        raise DomainError("invalid_channel_code", "渠道代码只能包含小写字母、数字、连字符和下划线（2-64位）", "code")
    try:
        kind_v = ChannelKind(kind)
    except ValueError:
        raise DomainError("invalid_channel_kind", "渠道类型无效：" + "、".join(k.value for k in ChannelKind), "kind") from None
    try:
        trust_v = TrustLevel(trust_level)
    except ValueError:
        raise DomainError("invalid_trust_level", "可信级别无效：trusted / standard / low", "trust_level") from None
    if session.scalar(select(Channel).where(Channel.code == code)):
        raise DomainError("channel_exists", f"渠道代码 {code} 已存在", "code")
    ch = Channel(code=code, name=name or code, kind=kind_v, region_code=region_code, trust_level=trust_v,
                 licence_number=licence_number, is_demo=is_demo)
    session.add(ch)
    session.flush()
    return ch


def get_channel(session: Session, code: str) -> Channel:
    ch = session.scalar(select(Channel).where(Channel.code == (code or "").strip().lower()))
    if ch is None:
        raise NotFound("渠道", f"渠道 {code} 不存在（可用 joblink channel list 查看）")
    return ch


def ensure_channel(session: Session, code: str, name: str, kind: str, **kwargs) -> Channel:
    ch = session.scalar(select(Channel).where(Channel.code == code))
    return ch if ch is not None else create_channel(session, code, name, kind, **kwargs)


def ensure_enterprise_direct_channel(session: Session) -> Channel:
    return ensure_channel(session, ENTERPRISE_DIRECT_CODE, "用人单位自主发布", ChannelKind.ENTERPRISE_DIRECT)


def ensure_major_project_channel(session: Session) -> Channel:
    return ensure_channel(session, MAJOR_PROJECT_CODE, "重大项目用工需求", ChannelKind.MAJOR_PROJECT,
                          trust_level=TrustLevel.TRUSTED)


def list_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.code)))


def issue_api_key(session: Session, channel: Channel) -> str:
    """A new partner API key for the channel (shown once; only its hash is stored). Replaces any old key."""
    key = "jl_" + secrets.token_urlsafe(32)
    channel.api_key_hash = hash_api_key(key)
    channel.api_key_prefix = key[:10]
    session.flush()
    return key


def channel_for_api_key(session: Session, key: str | None) -> Channel | None:
    if not key or not key.startswith("jl_") or len(key) > 200:
        return None
    digest = hash_api_key(key)
    ch = session.scalar(select(Channel).where(Channel.api_key_prefix == key[:10], Channel.active.is_(True)))
    if ch is None or not ch.api_key_hash or not hmac.compare_digest(ch.api_key_hash, digest):
        return None
    return ch


@dataclass(frozen=True)
class SourceLink:
    """Where a posting was published before JobLink carried it: the channel's name, and the original
    page when the channel gave a web address (http/https only: nothing else is a link to follow)."""

    channel: str
    url: str | None

    def as_dict(self) -> dict:
        return {"channel": self.channel, "url": self.url}


def source_links(posting) -> list[SourceLink]:
    """Every source of a posting, one per channel record kept in ``PostingSource``, in the order they
    arrived, without repeats. The January 2026 notice: a posting republished from another channel names
    its source."""
    out: list[SourceLink] = []
    for s in posting.sources:
        url = (s.source_url or "").strip()
        link = SourceLink(s.channel.name if s.channel else "", url if _WEB_URL.match(url) else None)
        if link not in out:
            out.append(link)
    return out
