"""Channels: the "1+1+N" sources postings come from."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column, utcnow
from core.enums import ChannelKind, TrustLevel

# Channel kinds whose operator must hold a human-resources service licence (人力资源服务许可证).
LICENSED_KINDS = {ChannelKind.HR_FIRM}


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # slug used by the CLI and API
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[ChannelKind] = mapped_column(enum_column(ChannelKind))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    trust_level: Mapped[TrustLevel] = mapped_column(enum_column(TrustLevel), default=TrustLevel.STANDARD)
    licence_number: Mapped[str | None] = mapped_column(String(64))
    # Only a hash of the partner's API key is stored; the prefix lets an admin tell keys apart.
    api_key_hash: Mapped[str | None] = mapped_column(String(128))
    api_key_prefix: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # When and by whom the channel's qualifications (licence, operator) were last checked: due again
    # after six months (core/enterprises/requalification.py). New channels count from their creation.
    qualified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)
    qualified_by_user_id: Mapped[int | None] = mapped_column(Integer)   # a users.id
