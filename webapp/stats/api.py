"""The statistics JSON API for partner systems and apps: the published shortage catalogue
(``/api/v1/shortage-catalogue``), the open change feed of postings (``/api/v1/stream?since=<cursor>``)
and one published posting (``/api/v1/postings/<id>``). Documented in docs/openapi.yaml."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.statistics import catalogue as cat

from ..auth.policy import public
from ..extensions import db

bp = Blueprint("stats_api", __name__)


def error(status: int, code: str, message: str, field: str | None = None):
    err = {"code": code, "message": message}
    if field:
        err["field"] = field
    return jsonify({"error": err}), status


@bp.get("/api/v1/shortage-catalogue")
@public
def shortage_catalogue():
    version = request.args.get("version")
    if version is not None and (not version.isdigit() or len(version) > 6 or int(version) < 1):
        return error(400, "invalid_version", "版本号应为正整数", "version")
    found = cat.published(db.session, int(version) if version else None)
    if found is None:
        return error(404, "not_found", "目录尚未发布或没有该版本")
    return jsonify(cat.catalogue_json(found))
