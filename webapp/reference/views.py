"""``GET /api/v1/regions/suggest``: region typeahead (地区联想) for every form field that asks for a place.

Public and rate-limited like the search typeahead. The answer lists full names (山东省临沂市兰山区)
so same-named districts (鼓楼区) can be told apart; the forms resolve a full name back to its code.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.reference.services import region_directory

from ..auth.policy import public
from ..extensions import db, limiter

bp = Blueprint("reference", __name__)

MAX_Q = 50
MAX_LIMIT = 20
DEFAULT_LIMIT = 10


def _bad(field: str, message: str):
    return jsonify({"error": {"code": "invalid_query", "message": message, "field": field}}), 400


@bp.get("/api/v1/regions/suggest")
@public
@limiter.limit("300 per minute")
def api_regions_suggest():
    q = (request.args.get("q") or "").strip()
    if not q:
        return _bad("q", "请填写联想词 q（地区名称或代码）")
    if len(q) > MAX_Q:
        return _bad("q", f"联想词 q 不能超过{MAX_Q}个字")
    raw_limit = (request.args.get("limit") or "").strip()
    if raw_limit:
        try:
            limit = int(raw_limit)
        except ValueError:
            return _bad("limit", f"limit 应为 1 到 {MAX_LIMIT} 之间的整数")
        if not 1 <= limit <= MAX_LIMIT:
            return _bad("limit", f"limit 应为 1 到 {MAX_LIMIT} 之间的整数")
    else:
        limit = DEFAULT_LIMIT
    hits = region_directory(db.session).suggest(q, limit)
    return jsonify([{"code": r.code, "name": r.name, "full_name": r.full_name, "level": r.level} for r in hits])
