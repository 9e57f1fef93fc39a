"""The statistics JSON API for partner systems and apps: the published shortage catalogue
(``/api/v1/shortage-catalogue``), the open change feed of postings (``/api/v1/stream?since=<cursor>``)
and one published posting (``/api/v1/postings/<id>``). Documented in docs/openapi.yaml."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from core.channels.services import source_links
from core.enums import PostingStatus
from core.postings.models import Posting
from core.postings.services import format_pay
from core.reference.services import occupation_directory
from core.statistics import catalogue as cat
from core.statistics import feed

from ..auth.policy import public
from ..extensions import db, limiter
from .catalogue_views import is_shortage

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


# --- the change feed and one posting -----------------------------------------------------------------------

def _rate_key() -> str:
    """A verified channel key draws on its own budget; without one (or with a wrong one), the address's."""
    from core.channels.services import channel_for_api_key

    key = request.headers.get("X-API-Key")
    channel = channel_for_api_key(db.session, key) if key else None
    return f"stream:channel:{channel.id}" if channel else f"stream:addr:{request.remote_addr or '?'}"


_stream_limit = limiter.shared_limit(lambda: current_app.config["STREAM_RATE_LIMIT"], scope="stream-api",
                                     key_func=_rate_key)


def posting_json(p: Posting) -> dict:
    """The public record of a published posting (no contact data: that stays on the posting's page)."""
    occupation = occupation_directory(db.session).get(p.occupation_code)
    return {
        "id": p.id, "version": p.version, "title": p.title, "description": p.description,
        "enterprise": p.enterprise.name if p.enterprise else None,
        "region_code": p.region_code, "region": p.region.full_name if p.region else None,
        "address": p.address, "lat": p.lat, "lon": p.lon,
        "occupation_code": p.occupation_code, "occupation": occupation.name if occupation else None,
        "shortage": is_shortage(p.occupation_code),
        "employment_type": str(p.employment_type) if p.employment_type else None,
        "headcount": p.headcount, "pay": format_pay(p), "pay_unit": str(p.pay_unit) if p.pay_unit else None,
        "pay_min": p.pay_min, "pay_max": p.pay_max,
        "pay_monthly_min": p.pay_monthly_min, "pay_monthly_max": p.pay_monthly_max,
        "education": str(p.education) if p.education else None, "experience_years": p.experience_years,
        "skills": list(p.skills or []), "welfare_tags": list(p.welfare_tags or []),
        "target_groups": list(p.target_groups or []),
        "valid_until": p.valid_until.isoformat() if p.valid_until else None,
        "published_at": _iso(p.published_at), "updated_at": _iso(p.updated_at),
        "url": url_for("public.posting_detail", posting_id=p.id),
        "sources": [s.as_dict() for s in source_links(p)],
    }


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def _int_arg(name: str, default: int, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not low <= int(raw) <= high:
        return None
    return int(raw)


@bp.get("/api/v1/stream")
@public
@_stream_limit
def stream():
    since = _int_arg("since", 0, 0, 10**18)
    if since is None:
        return error(400, "invalid_cursor", "游标应为上一次返回的 next 值（非负整数）", "since")
    limit = _int_arg("limit", feed.DEFAULT_LIMIT, 1, feed.MAX_LIMIT)
    if limit is None:
        return error(400, "invalid_limit", f"每次最多取 {feed.MAX_LIMIT} 条，请填写 1 到 {feed.MAX_LIMIT} 之间的整数",
                     "limit")
    page = feed.read_feed(db.session, since, limit)
    events = []
    for ev in page.events:
        item = {"cursor": str(ev.cursor), "type": ev.type, "posting_id": ev.posting_id, "at": _iso(ev.at)}
        if ev.posting is not None:
            item["posting"] = posting_json(ev.posting)
        else:
            item["status"] = ev.status
        events.append(item)
    return jsonify({"events": events, "next": str(page.next_cursor), "has_more": page.has_more})


@bp.get("/api/v1/postings/<int:posting_id>")
@public
@_stream_limit
def posting(posting_id: int):
    found = db.session.get(Posting, posting_id)
    if found is None or found.status != PostingStatus.PUBLISHED:
        return error(404, "not_found", "该岗位不存在或已下线")
    return jsonify(posting_json(found))
