"""Public pages: home, posting detail, and a plain database search used until the index serves."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from core.postings.services import get_public_posting, latest_postings, simple_text_search

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
    return render_template("public/posting_detail.html", posting=posting)


@bp.get("/healthz")
@public
def healthz():
    from sqlalchemy import text

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/search")
@public
def search():
    """Plain database search (placeholder until webapp/search serves from the index)."""
    q = (request.args.get("q") or "").strip()[:100]
    results = simple_text_search(db.session, q) if q else latest_postings(db.session, 20)
    return render_template("public/search.html", q=q, results=results)
