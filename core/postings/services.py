"""Use cases on postings that do not belong to the intake pipeline: reading, formatting, lifecycle."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.enums import PayUnit, PostingStatus
from core.errors import NotFound

from .models import Posting

PUBLIC_STATUSES = (PostingStatus.PUBLISHED,)


def _yuan(v: float) -> str:
    if v >= 10000 and v % 1000 == 0:
        return f"{v / 10000:g}万"
    if v >= 1000 and v % 100 == 0:
        return f"{v / 1000:g}千"
    return f"{v:g}"


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None and lo != hi:
        return f"{_yuan(lo)}-{_yuan(hi)}元"
    if lo is not None and hi is None:
        return f"{_yuan(lo)}元起"
    return f"{_yuan(hi if lo is None else lo)}元"


def _piece_pay(posting: Posting) -> str:
    """"2元/件", "0.06-0.15元/件，月收入8千-1万元", "计件工资，月收入5千-7千元", "计件工资，多劳多得": a piece
    rate is never shown as a month's pay, nor an unknown rate as 0; the monthly figure is the posting's own."""
    lo, hi, mlo, mhi = posting.pay_min, posting.pay_max, posting.pay_monthly_min, posting.pay_monthly_max
    if lo is None and hi is None:
        rate = "计件工资"
    elif lo is not None and hi is not None and lo != hi:
        rate = f"{lo:g}-{hi:g}元/件"
    else:
        rate = f"{(hi if lo is None else lo):g}元/件" + ("起" if hi is None else "")
    if mlo is None and mhi is None:
        return rate if lo is not None or hi is not None else rate + "，多劳多得"
    return f"{rate}，月收入{_range(mlo, mhi)}"


def format_pay(posting: Posting) -> str:
    """Pay as people read it: "6千-8千元/月", "150元/天", "2元/件", "面议"."""
    if posting.pay_unit == PayUnit.PIECE:
        return _piece_pay(posting)
    lo, hi = posting.pay_min, posting.pay_max
    unit = {PayUnit.MONTH: "月", PayUnit.DAY: "天", PayUnit.HOUR: "小时"}.get(posting.pay_unit, "月")
    if lo is None and hi is None:
        return posting.pay_text or "面议"
    if lo is not None and hi is not None and lo != hi:
        return f"{_yuan(lo)}-{_yuan(hi)}元/{unit}"
    if lo is not None and hi is None:
        return f"{_yuan(lo)}元/{unit}起"
    return f"{_yuan(hi if lo is None else lo)}元/{unit}"


def get_public_posting(session: Session, posting_id: int) -> Posting:
    posting = session.get(Posting, posting_id)
    if posting is None or posting.status not in PUBLIC_STATUSES:
        raise NotFound("该岗位", "该岗位不存在或已下线")
    return posting


def latest_postings(session: Session, limit: int = 12) -> list[Posting]:
    stmt = (
        select(Posting)
        .where(Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.published_at.desc().nullslast(), Posting.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt).unique())


def simple_text_search(session: Session, text: str, limit: int = 20, offset: int = 0) -> list[Posting]:
    """A plain database LIKE search; the search index serves real queries when it is configured."""
    stmt = select(Posting).where(Posting.status == PostingStatus.PUBLISHED)
    for term in (text or "").split()[:5]:
        like = f"%{term}%"
        stmt = stmt.where(or_(Posting.title.like(like), Posting.description.like(like)))
    stmt = stmt.order_by(Posting.published_at.desc().nullslast(), Posting.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt).unique())
