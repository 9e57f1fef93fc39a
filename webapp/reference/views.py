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
    raw = request.args.get("q") or ""
    q = raw.strip()
    if not q:
        return _bad("q", "请填写联想词 q（地区名称或代码）")
    if len(raw) > MAX_Q:  # the documented limit is on what is sent, spaces included
        return _bad("q", f"联想词 q 不能超过{MAX_Q}个字")
    raw_limit = request.args.get("limit")
    if raw_limit is None:
        limit = DEFAULT_LIMIT
    elif raw_limit.isascii() and raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_LIMIT:
        limit = int(raw_limit)
    else:
        return _bad("limit", f"limit 应为 1 到 {MAX_LIMIT} 之间的整数")
    hits = region_directory(db.session).suggest(q, limit)
    return jsonify([{"code": r.code, "name": r.name, "full_name": r.full_name, "level": r.level} for r in hits])
