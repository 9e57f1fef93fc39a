"""``GET /api/v1/regions/suggest`` and ``/api/v1/occupations/suggest``: the typeaheads (地区联想, 职业联想)
for every form field that asks for a place or a kind of work.

Public and rate-limited like the search typeahead. The region answer lists full names (山东省临沂市兰山区)
so same-named districts (鼓楼区) can be told apart; the occupation answer accepts everyday names
(电焊工 -> 焊工) and says which one matched. The forms resolve a picked name back to its code.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.reference.services import occupation_directory, region_directory

from ..auth.policy import public
from ..extensions import db, limiter

bp = Blueprint("reference", __name__)

MAX_Q = 50
MAX_LIMIT = 20
DEFAULT_LIMIT = 10


def _bad(field: str, message: str):
    return jsonify({"error": {"code": "invalid_query", "message": message, "field": field}}), 400


def _suggest_args(what: str):
    """(q, limit) of a typeahead request, or the 400 answer naming the bad parameter."""
    raw = request.args.get("q") or ""
    q = raw.strip()
    if not q:
        return None, _bad("q", f"请填写联想词 q（{what}）")
    if len(raw) > MAX_Q:  # the documented limit is on what is sent, spaces included
        return None, _bad("q", f"联想词 q 不能超过{MAX_Q}个字")
    raw_limit = request.args.get("limit")
    if raw_limit is None:
        return (q, DEFAULT_LIMIT), None
    if raw_limit.isascii() and raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_LIMIT:
        return (q, int(raw_limit)), None
    return None, _bad("limit", f"limit 应为 1 到 {MAX_LIMIT} 之间的整数")


@bp.get("/api/v1/regions/suggest")
@public
@limiter.limit("300 per minute")
def api_regions_suggest():
    args, refusal = _suggest_args("地区名称或代码")
    if refusal:
        return refusal
    hits = region_directory(db.session).suggest(*args)
    return jsonify([{"code": r.code, "name": r.name, "full_name": r.full_name, "level": r.level} for r in hits])


@bp.get("/api/v1/occupations/suggest")
@public
@limiter.limit("300 per minute")
def api_occupations_suggest():
    args, refusal = _suggest_args("职业名称、常用叫法或代码")
    if refusal:
        return refusal
    directory = occupation_directory(db.session)
    return jsonify([
        {"code": m.occupation.code, "name": m.occupation.name, "level": m.occupation.level, "matched": m.matched,
         "category": _category(directory, m.occupation)}
        for m in directory.suggest(*args)
    ])


def _category(directory, occupation) -> str | None:
    """The 中类 an occupation belongs to (生产制造及有关人员 is too broad to tell 焊工s apart)."""
    chain = directory.ancestors(occupation.code)
    return chain[1].name if len(chain) > 2 else None
