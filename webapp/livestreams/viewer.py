"""The public side of a livestream (/live/<id>/…): the listing page viewers keep open, the stream
overlay (transparent, for streaming software's browser source), the carousel for a hall screen or an
unattended stream, the replay with chapters, the QR codes, and the apply links that carry the session.

Pages follow the pointer by polling ``state.json`` once a second with ``If-None-Match``: the answer is
a 304 (no body; at most one small query per worker every quarter second) until something a viewer
sees changes. Gunicorn's workers here have one thread each (WEB_THREADS), so a server-sent-events
stream would hold a whole worker per viewer; a poll holds one for a few milliseconds."""
from __future__ import annotations

import hashlib
import io
import json
import threading
import time

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.applications.services import seeker_for_user
from core.db import begin_write
from core.enums import Role
from core.errors import NotFound
from core.livestreams import services as svc

from ..auth.inputs import commit_or_flash
from ..auth.policy import public, roles_required
from ..extensions import db
from .views import bp

POLL_MS = 1000  # the viewer pages' poll interval: a pointer move shows within about a second
CAROUSEL_SECONDS = 12
# A worker asks the database for a session's fingerprint at most once per FINGERPRINT_TTL_S, however
# many viewers poll it: with 1,000 viewers polling every second that is 4 queries a second per worker
# instead of 1,000, for at most a quarter of a second more delay.
FINGERPRINT_TTL_S = 0.25
_fingerprints: dict[int, tuple[float, str | None]] = {}  # session id -> (when asked, fingerprint)
_bodies: dict[int, tuple[str, bytes]] = {}  # session id -> (etag, JSON body): built once per change per worker
_lock = threading.Lock()


def fresh_fingerprint(session_id: int) -> str | None:
    """The fingerprint this worker learnt less than FINGERPRINT_TTL_S ago, else None (no query)."""
    cached = _fingerprints.get(session_id)  # a dict read is atomic; the entry is replaced whole
    if cached and time.monotonic() - cached[0] < FINGERPRINT_TTL_S:
        return cached[1]
    return None


def _fingerprint(session_id: int) -> str | None:
    now = time.monotonic()
    with _lock:
        cached = _fingerprints.get(session_id)
    if cached and now - cached[0] < FINGERPRINT_TTL_S:
        return cached[1]
    fingerprint = svc.state_fingerprint(db.session, session_id)
    with _lock:
        if len(_fingerprints) > 1000:  # sessions come and go; the cache never grows without bound
            _fingerprints.clear()
        _fingerprints[session_id] = (now, fingerprint)
    return fingerprint


def _links(session_id: int, posting_id: int) -> dict:
    return {"apply_url": url_for("livestreams.apply", session_id=session_id, posting_id=posting_id),
            "qr_url": url_for("livestreams.qr", session_id=session_id, posting_id=posting_id)}


def _state_body(session_id: int, etag: str) -> bytes:
    with _lock:
        cached = _bodies.get(session_id)
    if cached and cached[0] == etag:
        return cached[1]
    state = svc.viewer_state(db.session, session_id)
    for item in state["items"]:
        item.update(_links(session_id, item["posting_id"]))
    body = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
    with _lock:
        _bodies[session_id] = (etag, body)
    return body


@bp.get("/<int:session_id>/state.json", endpoint="state")
@public
def state(session_id: int):
    """What the viewer pages show, with an ETag; a 304 when the page has it already."""
    fingerprint = _fingerprint(session_id)
    if fingerprint is None:
        abort(404)
    etag = f'"{fingerprint}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(_state_body(session_id, etag), mimetype="application/json", headers=headers)


def _page(template: str, session_id: int, **extra):
    live = svc.public_session(db.session, session_id)
    state = svc.viewer_state(db.session, session_id)
    for item in state["items"]:
        item.update(_links(session_id, item["posting_id"]))
    return render_template(template, live=live, state=state, poll_ms=POLL_MS,
                           state_url=url_for("livestreams.state", session_id=session_id), **extra)


@bp.get("/<int:session_id>", endpoint="watch")
@public
def watch(session_id: int):
    """The listing page a viewer keeps open on a phone: every post, the current one highlighted."""
    return _page("livestreams/watch.html", session_id)


@bp.get("/<int:session_id>/overlay", endpoint="overlay")
@public
def overlay(session_id: int):
    """For streaming software (OBS "browser source"): the current post on a transparent background."""
    return _page("livestreams/overlay.html", session_id)


@bp.get("/<int:session_id>/carousel", endpoint="carousel")
@public
def carousel(session_id: int):
    """A hall screen or an unattended stream: the open posts one after another on a timer."""
    seconds = request.args.get("seconds", CAROUSEL_SECONDS, type=int)
    return _page("livestreams/carousel.html", session_id, seconds=min(max(seconds or CAROUSEL_SECONDS, 4), 120),
                 heading=svc.public_session(db.session, session_id).title)


@bp.get("/carousel", endpoint="theme_carousel")
@public
def theme_carousel():
    """A theme's carousel (?theme=…): the posts of every session of that theme not yet ended; without
    a theme, the themes to choose from."""
    theme = (request.args.get("theme") or "").strip()[:200]
    seconds = request.args.get("seconds", CAROUSEL_SECONDS, type=int)
    if not theme:
        return render_template("livestreams/themes.html", themes=svc.current_themes(db.session))
    state = svc.theme_state(db.session, theme)
    for item in state["items"]:
        item.update(_links(item["session_id"], item["posting_id"]))
    return render_template("livestreams/carousel.html", live=None, heading=theme, state=state, poll_ms=POLL_MS,
                           state_url=url_for("livestreams.theme_state", theme=theme),
                           seconds=min(max(seconds or CAROUSEL_SECONDS, 4), 120))


@bp.get("/carousel/state.json", endpoint="theme_state")
@public
def theme_state():
    theme = (request.args.get("theme") or "").strip()[:200]
    etag = f'"{svc.theme_fingerprint(db.session, theme)}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    state = svc.theme_state(db.session, theme)
    for item in state["items"]:
        item.update(_links(item["session_id"], item["posting_id"]))
    return Response(json.dumps(state, ensure_ascii=False, separators=(",", ":")), mimetype="application/json",
                    headers=headers)


@bp.get("/<int:session_id>/replay", endpoint="replay")
@public
def replay(session_id: int):
    live = svc.public_session(db.session, session_id)
    return render_template("livestreams/replay.html", live=live, chapters=svc.chapters(db.session, live),
                           items=[(i, _links(session_id, i.posting_id)) for i in live.items])


@bp.get("/<int:session_id>/qr/<int:posting_id>.svg", endpoint="qr")
@public
def qr(session_id: int, posting_id: int):
    """The apply link as a QR code, made here (segno, no image service); cached by the browser."""
    import segno

    if posting_id not in {i.posting_id for i in svc.public_session(db.session, session_id).items}:
        abort(404)
    link = url_for("livestreams.apply", session_id=session_id, posting_id=posting_id, _external=True)
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="svg", scale=8, border=2, dark="#000", light="#fff")
    data = buf.getvalue()
    return Response(data, mimetype="image/svg+xml", headers={
        "Cache-Control": "public, max-age=86400", "ETag": f'"{hashlib.sha1(data).hexdigest()[:16]}"'})


@bp.get("/<int:session_id>/apply/<int:posting_id>", endpoint="apply")
@public
def apply(session_id: int, posting_id: int):
    """Where an apply link or QR code lands: counted, then the post and one button to apply."""
    live = svc.public_session(db.session, session_id)
    if request.args.get("done") == "1":  # back here after applying: not a new open
        item = next((i for i in live.items if i.posting_id == posting_id), None)
        if item is None:
            abort(404)
    else:
        begin_write(db.session)
        try:
            item = svc.count_link_open(db.session, session_id, posting_id)
        except NotFound:
            abort(404)
        db.session.commit()
    applied = None
    if current_user.is_authenticated and current_user.role == Role.JOBSEEKER:
        from core.applications.services import find_application

        seeker = seeker_for_user(db.session, current_user.id)
        applied = find_application(db.session, seeker.id, posting_id) if seeker else None
    return render_template("livestreams/apply.html", live=live, item=item, posting=item.posting,
                           place=svc.place_of(db.session, item.posting), open=svc.is_open(item.posting),
                           applied=applied)


@bp.post("/<int:session_id>/apply/<int:posting_id>/send", endpoint="apply_submit")
@roles_required(Role.JOBSEEKER)
def apply_submit(session_id: int, posting_id: int):
    seeker = seeker_for_user(db.session, current_user.id)
    if seeker is None:
        flash("请先填写求职档案，再投递岗位", "error")
        return redirect(url_for("seeker.profile_edit"))
    done = commit_or_flash(lambda: svc.apply_from_live(db.session, session_id, posting_id, seeker.id),
                           lambda _: "投递成功。用人单位可以看到您的联系方式，将直接与您联系。",
                           answered={400, 403})
    if not done.ok and done.refusal.field == "phone":
        return redirect(url_for("seeker.profile_edit"))
    return redirect(url_for("livestreams.apply", session_id=session_id, posting_id=posting_id, done=1), code=303)


from .fastpath import install as _install_shortcut  # noqa: E402  (it reads this module's cache)

bp.record_once(_install_shortcut)
