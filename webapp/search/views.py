"""Jobseekers' search: the page (/search), the JSON API (/api/v1/postings/search) and typeahead.

The index returns ids in ranked order; rows are loaded from the database in that order (the
database is the system of record). If the index is unavailable the page falls back to a plain
database search and says so; the API answers 503.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from core.channels.services import source_links
from core.enums import ChannelKind, Education, EmploymentType, PriorityGroup, label
from core.postings.cards import PostingCard, published_cards
from core.postings.services import format_pay, simple_text_search
from core.reference.services import occupation_directory, region_directory
from core.search import InvalidQuery, SearchError, SearchQuery
from indexer.search import fusion
from indexer.search.semantic import query_encoder
from indexer.search.understand import search_understood

from ..auth.policy import public
from ..extensions import db, limiter
from ..fairs.in_search import fair_block_or_none, fairs_json, fairs_page, show_param, without_fair_words
from .query import POSTED_WITHIN, SORTS, parse_search

bp = Blueprint("search", __name__)


def _backend():
    return current_app.extensions.get("search")


def _home() -> tuple[float, float] | None:
    """The signed-in jobseeker's home: their coordinates, else their region's."""
    if not current_user.is_authenticated or str(current_user.role) != "jobseeker":
        return None
    from core.applications.services import seeker_for_user

    seeker = seeker_for_user(db.session, current_user.id)
    if seeker is None:
        return None
    if seeker.lat is not None and seeker.lon is not None:
        return seeker.lat, seeker.lon
    ref = region_directory(db.session).get(seeker.region_code)
    if ref is not None and ref.lat is not None:
        return ref.lat, ref.lon
    return None


def _load(ids: list[int]) -> dict[int, PostingCard]:
    """The hits' cards from the database (the system of record), withdrawn ones left out; cards this
    process read lately and that did not change since are not read again."""
    return published_cards(db.session, ids, current_app.extensions["joblink_cards"])


def _run(api: bool):
    regions, occupations = region_directory(db.session), occupation_directory(db.session)
    args = without_fair_words(request.args)[0]  # 招聘会 and the like ask for fairs, not for posts
    parsed = parse_search(args, regions, occupations, request.query_string, home=_home(), api=api)
    backend = _backend()
    if backend is None:
        raise SearchError("search backend not configured")
    result = _search_understood(backend, parsed)
    rows = _load(result.ids)
    items = []
    for hit in result.hits:
        p = rows.get(hit.id)
        if p is None:  # withdrawn since it was indexed; the relay will catch up
            continue
        items.append((p, hit))
    return parsed, result, items, regions, occupations


def _search_understood(backend, parsed):
    """indexer.search.understand.search_understood: strict, corrected, relaxed, then the filters
    alone (only when the person chose no filter on the form: the page then suggests widening them);
    in relevance order with words and a model, fused with the words' meaning (indexer.search.fusion)."""
    out = search_understood(lambda q: backend.search("postings", q), parsed.query, parsed.understood,
                            browse_when_nothing=not parsed.applied)
    parsed.query, parsed.did_you_mean, parsed.relaxed = out.query, out.did_you_mean, out.relaxed
    parsed.notices += out.notices
    q = parsed.query
    vector = _query_vector(q.text) if fusion.applies(replace(q, vector=(1.0,)), out.result.total) else None
    if vector is not None and fusion.applies(replace(q, vector=vector), out.result.total):
        # the words' meaning too: postings that say it in other words (indexer/search/fusion.py)
        return backend.search("postings", replace(q, vector=vector))
    return out.result


def _query_vector(text: str) -> tuple[float, ...] | None:
    """The meaning of the understood words, by the matcher's model (loaded once per process; no
    model, no vector: the words alone, as before)."""
    from ..matching.runtime import model_path

    path = model_path()
    marker = os.path.join(path, "modules.json")
    stamp = os.path.getmtime(marker) if os.path.exists(marker) else None
    ext = current_app.extensions.setdefault("joblink_search_meaning", {})
    if ext.get("key") != (path, stamp):
        ext.update(key=(path, stamp), encoder=query_encoder(path) if stamp is not None else None)
    encoder = ext["encoder"]
    return encoder(text) if encoder is not None else None


def _facet_view(parsed, facets, regions, occupations) -> dict[str, list[dict]]:
    """Facet counts as the UI shows them: the level below the current region/occupation filter."""
    out: dict[str, list[dict]] = {}
    region_counts = facets.get("region_path", {})
    if parsed.region is not None:
        kids = regions.children(parsed.region.code)
    else:
        kids = regions.all(level=1)
    out["region"] = sorted(({"value": r.code, "label": r.name, "count": region_counts[r.code]}
                            for r in kids if region_counts.get(r.code)), key=lambda x: -x["count"])[:30]
    occ_counts = facets.get("occupation_path", {})
    level = (parsed.occupation.level + 1) if parsed.occupation is not None else 1
    prefix = parsed.occupation.code + "-" if parsed.occupation is not None else ""
    occ = []
    for code, n in occ_counts.items():
        if code.startswith(prefix) and code.count("-") == level - 1:
            ref = occupations.get(code)
            occ.append({"value": code, "label": ref.name if ref else code, "count": n})
    out["occupation"] = sorted(occ, key=lambda x: -x["count"])[:30]
    for name, param in (("employment_type", "type"), ("education", "education"), ("channel", "channel"),
                        ("target_groups", "group")):
        out[param] = sorted(({"value": v, "label": label(v), "count": n} for v, n in facets.get(name, {}).items()),
                            key=lambda x: -x["count"])
    return out


def _understood_json(parsed) -> list[dict]:
    """What the words were read as: ``kind`` (place, type, benefit, exclude, near), the words typed
    (``source``) and what the page shows (``label``)."""
    u = parsed.understood
    return [{"kind": c.kind, "source": c.source, "label": c.label} for c in (u.concepts if u else [])]


def _error(exc: InvalidQuery, status=400):
    return jsonify({"error": {"code": "invalid_query", "message": exc.message, "field": exc.field}}), status


def _item_json(p: PostingCard, hit) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "title_html": hit.highlights.get("title"),
        "snippet_html": hit.highlights.get("description"),
        "enterprise": p.enterprise.name if p.enterprise else None,
        "region_code": p.region_code,
        "region": p.region.full_name if p.region else None,
        "occupation_code": p.occupation_code,
        "employment_type": str(p.employment_type) if p.employment_type else None,
        "pay": format_pay(p),
        "pay_monthly_min": p.pay_monthly_min,
        "pay_monthly_max": p.pay_monthly_max,
        "education": str(p.education) if p.education else None,
        "experience_years": p.experience_years,
        "target_groups": list(p.target_groups or []),
        "published_at": p.published_at.isoformat() + "Z" if p.published_at else None,
        "distance_km": round(hit.distance_km, 2) if hit.distance_km is not None else None,
        "score": round(hit.score, 4),
        "related": hit.related,
        "url": posting_url(p.id),
        "sources": [s.as_dict() for s in source_links(p)],
    }


@bp.get("/api/v1/postings/search")
@public
@limiter.limit("120 per minute")
def api_search():
    if (request.args.get("near") or "").strip() == "home" and not current_user.is_authenticated:
        # "near my home" needs to know whose home: a sign-in problem (401), not a bad parameter
        return jsonify({"error": {"code": "login_required", "message": "按住址附近搜索请先登录", "field": "near"}}), 401
    try:
        parsed, result, items, regions, occupations = _run(api=True)
    except InvalidQuery as exc:
        return _error(exc)
    except SearchError:
        current_app.logger.exception("search backend failed")
        return jsonify({"error": {"code": "search_unavailable", "message": "搜索服务暂时不可用，请稍后再试"}}), 503
    return jsonify({
        "total": result.total,
        "page": parsed.query.page,
        "size": parsed.query.size,
        "sort": parsed.query.sort,
        "applied": parsed.applied,
        "understood": _understood_json(parsed),
        "notices": parsed.notices,
        "did_you_mean": parsed.did_you_mean,
        "relaxed": parsed.relaxed,
        "items": [_item_json(p, h) for p, h in items],
        "facets": _facet_view(parsed, result.facets, regions, occupations),
        "fairs": fairs_json(fair_block_or_none(_backend(), request.args, parsed)),
    })


@bp.get("/api/v1/search/suggest")
@public
@limiter.limit("300 per minute")
def api_suggest():
    """Typeahead: job titles from the index and occupations from the classification."""
    raw = request.args.get("q") or ""
    q = raw.strip()
    if len(raw) > 30:  # the documented limit is on what is sent, spaces included
        return _error(InvalidQuery("q", "联想词过长"))
    if not q:
        return jsonify({"titles": [], "occupations": []})
    titles: list[str] = []
    backend = _backend()
    if backend is not None:
        try:
            res = backend.search("postings", SearchQuery(text=q, size=30, highlight=False))
            for p in _load(res.ids).values():
                if p.title not in titles:
                    titles.append(p.title)
        except (SearchError, InvalidQuery):
            pass
    titles.sort(key=lambda t: (not t.startswith(q), len(t)))
    occs = occupation_directory(db.session).search(q, 8)
    return jsonify({"titles": titles[:8],
                    "occupations": [{"code": o.code, "name": o.name} for o in occs]})


class _PageArgs(dict):
    """The request's parameters as the page's form reads them (``get``, ``getlist``, iteration), held in a
    plain dict of lists: werkzeug's MultiDict builds an HTTP exception for every absent key it is asked
    for, and the form asks for dozens."""

    def get(self, key, default=None):
        values = dict.get(self, key)
        return values[0] if values else default

    def getlist(self, key) -> list[str]:
        return dict.get(self, key, [])


@bp.get("/search")
@public
def search_page():
    args = request.args
    ctx = {
        "q": (args.get("q") or "")[:100], "args": _PageArgs(args.to_dict(flat=False)), "sorts": SORTS, "posted_within": POSTED_WITHIN,
        "types": list(EmploymentType), "educations": list(Education), "groups": list(PriorityGroup),
        "channels": list(ChannelKind), "has_home": _home() is not None, "fallback": False,
        "error": None, "items": [], "total": 0, "facets": {}, "applied": {}, "parsed": None,
    }
    status = 200
    try:
        if show_param(args) == "fairs":
            return fairs_page(_backend(), _home())
        parsed, result, items, regions, occupations = _run(api=False)
        ctx.update(items=items, total=result.total, parsed=parsed, applied=parsed.applied,
                   facets=_facet_view(parsed, result.facets, regions, occupations),
                   fair_block=fair_block_or_none(_backend(), args, parsed))
    except InvalidQuery as exc:
        ctx["error"] = exc
        status = 400
    except SearchError:
        current_app.logger.exception("search backend failed; falling back to the database")
        rows = simple_text_search(db.session, ctx["q"]) if ctx["q"] else []
        ctx.update(fallback=True, items=[(p, None) for p in rows], total=len(rows))
    return render_template("search/search.html", **ctx), status


@bp.app_template_global()
def posting_url(posting_id: int) -> str:
    """A posting's page. A result page links 20 of them: the route is built once per request (most of
    a url_for's cost) and the id put at its end."""
    prefix = g.get("_posting_url_prefix")
    if prefix is None:
        prefix = g._posting_url_prefix = url_for("public.posting_detail", posting_id=0).removesuffix("0")
    return prefix + str(posting_id)


@bp.app_template_global()
def search_url(drop: str | None = None, **changes) -> str:
    """The current search with ``changes`` applied (``None`` removes a parameter), page reset. A page
    has dozens of these links (one per facet): the request's parameters and the path are read once."""
    base = g.get("_search_url_base")
    if base is None:
        base = g._search_url_base = ({k: request.args.getlist(k) for k in request.args if k != "page"},
                                     url_for("search.search_page"))
    params, path = dict(base[0]), base[1]
    if drop:
        params.pop(drop, None)
        if drop == "near":
            for k in ("lat", "lon", "radius"):
                params.pop(k, None)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v if isinstance(v, list) else [str(v)]
    pairs = [(k, v) for k, vs in params.items() for v in vs if v != ""]
    return path + ("?" + urlencode(pairs) if pairs else "")


@bp.app_template_global()
def q_without(source: str) -> str:
    """The current search with the words ``source`` taken out of the query (a chip's ✕)."""
    q = request.args.get("q") or ""
    if source in q:
        q = q.replace(source, " ", 1)
    return search_url(q=" ".join(q.split()) or None)


@bp.app_template_filter("safe_highlight")
def safe_highlight(html: str | None) -> Markup:
    """Highlights come from the shared analyser, which escapes the text before adding <mark>."""
    return Markup(html or "")


@bp.app_template_filter("ago")
def ago(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    delta = dt.datetime.now(dt.UTC).replace(tzinfo=None) - value
    if delta.days >= 30:
        return value.strftime("%Y-%m-%d")
    if delta.days >= 1:
        return f"{delta.days}天前"
    hours = delta.seconds // 3600
    return f"{hours}小时前" if hours else "刚刚"
