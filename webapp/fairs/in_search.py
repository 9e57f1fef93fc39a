"""Job fairs on the search page and in the search API: the 招聘会 block above the posts (up to three
upcoming fairs when the words or the filters ask for them) and the fairs-only list (``show=fairs``).
The fairs come from the ``fairs`` collection of the search index (core.fairs.search)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template, request, url_for

from core.fairs.search import FairHit, fair_query, find_fairs, split_fair_words
from core.fairs.services import KIND_LABELS, THEMES
from core.reference.services import occupation_directory, region_directory
from core.search import InvalidQuery, SearchError

from ..extensions import db
from ..search.query import MAX_PAGE, parse_search

SHOW = {"all": "岗位和招聘会", "fairs": "只看招聘会"}
BLOCK_SIZE = 3
PAGE_SIZE = 20


@dataclass
class FairBlock:
    asked: bool  # the words asked for fairs (招聘会, 现场招聘…)
    only: bool   # the fairs-only list
    total: int = 0
    items: list[FairHit] = field(default_factory=list)
    page: int = 1
    size: int = BLOCK_SIZE


def show_param(args) -> str:
    value = (args.get("show") or "").strip() or "all"
    if value not in SHOW:
        raise InvalidQuery("show", "只能选看全部或只看招聘会")
    return value


def without_fair_words(args):
    """The request's parameters with the fair words taken out of ``q`` (the posts are searched with
    the rest), and whether there were any."""
    asked, rest = split_fair_words(args.get("q") or "")
    if not asked:
        return args, False
    changed = args.copy()
    changed["q"] = rest
    return changed, True


def find_fair_block(backend, args, parsed, *, only: bool = False, page: int = 1) -> FairBlock | None:
    """Upcoming fairs for the search ``parsed`` from ``args``: their words (fair words aside), the
    region (chosen or named in the words) and the place for 附近. ``None`` when nothing asks for fairs
    (no fair word, no word, no region, no place) or, outside the fairs-only list, nothing matched
    words that did not ask for fairs. Raises ``SearchError`` when the engine fails."""
    asked = without_fair_words(args)[1]
    words = " ".join(parsed.understood.words) if parsed.understood else ""
    region = parsed.region.code if parsed.region is not None else None
    geo = parsed.query.geo
    if not (only or asked or words or region or geo):
        return None
    size = PAGE_SIZE if only else BLOCK_SIZE
    found = find_fairs(db.session, backend, fair_query(words, region, geo, page=page, size=size))
    if not (only or asked or found.items):
        return None
    return FairBlock(asked=asked, only=only, total=found.total, items=found.items, page=page, size=size)


def fair_block_or_none(backend, args, parsed) -> FairBlock | None:
    """The block for the search page and the API: a failing fairs search never costs the posts."""
    if backend is None or parsed is None:
        return None
    try:
        return find_fair_block(backend, args, parsed)
    except (SearchError, InvalidQuery):
        current_app.logger.exception("fair search failed; the posts are shown without the fairs")
        return None


def fair_json(hit: FairHit) -> dict:
    f = hit.fair
    ref = region_directory(db.session).get(f.region_code)
    return {
        "id": f.id, "title": f.title, "date": f.date.isoformat(), "start_time": f.start_time,
        "end_time": f.end_time, "theme": f.theme, "kind": f.kind, "target_groups": list(f.target_groups or []),
        "region_code": f.region_code, "region": ref.full_name if ref else None, "venue": f.venue,
        "status": f.status,
        "distance_km": round(hit.distance_km, 2) if hit.distance_km is not None else None,
        "url": url_for("fairs.detail", fair_id=f.id),
    }


def fairs_json(block: FairBlock | None) -> dict:
    """The search API's ``fairs``: the same fairs the page's block shows."""
    if block is None:
        return {"total": 0, "items": []}
    return {"total": block.total, "items": [fair_json(h) for h in block.items]}


def fairs_page(backend, home):
    """/search?show=fairs: upcoming fairs only, soonest (or nearest) first, twenty a page."""
    args = request.args
    ctx = {"q": (args.get("q") or "")[:100], "args": args, "block": None, "error": None, "unavailable": False,
           "show": SHOW, "kinds": KIND_LABELS, "themes": THEMES, "has_home": home is not None}
    status = 200
    try:
        parsed = parse_search(without_fair_words(args)[0], region_directory(db.session),
                              occupation_directory(db.session), request.query_string, home=home)
        page = parsed.query.page
        if backend is None:
            raise SearchError("search backend not configured")
        ctx["block"] = find_fair_block(backend, args, parsed, only=True, page=page)
        ctx["parsed"], ctx["max_page"] = parsed, MAX_PAGE
    except InvalidQuery as exc:
        ctx["error"], status = exc, 400
    except SearchError:
        current_app.logger.exception("fair search failed")
        ctx["unavailable"] = True
    return render_template("fairs/search.html", **ctx), status
