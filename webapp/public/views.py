"""Public pages: home and posting detail (search lives in webapp/search)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, render_template

from core.channels.services import source_links
from core.enterprises.requalification import badge_current
from core.postings.services import get_public_posting, latest_postings

from ..auth.policy import public
from ..extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home():
    return render_template("public/home.html", postings=latest_postings(db.session))


@bp.get("/postings/<int:posting_id>")
@public
def posting_detail(posting_id: int):
    posting = get_public_posting(db.session, posting_id)
    return render_template("public/posting_detail.html", posting=posting, sources=source_links(posting))


@bp.app_template_global()
def verified_badge(enterprise) -> bool:
    """Whether pages show "已认证" for the enterprise: verified, and requalified within six months.
    A result page asks for 20 enterprises; the date is read once per request (``date.today()`` asks
    the system for the local time zone each time: 20 µs)."""
    today = g.get("_badge_today")
    if today is None:
        today = g._badge_today = dt.date.today()
    return badge_current(enterprise, today)


@bp.get("/healthz")
@public
def healthz():
    from sqlalchemy import text

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

# /search is served by webapp/search (the index-backed search page).
