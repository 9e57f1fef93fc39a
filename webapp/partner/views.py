"""The partner channels' web surface: the key-authenticated push API
(``POST /api/v1/partner/postings``) and refresh API (``…/postings/<external_id>/refresh``, batch
``…/postings/refresh``), the spreadsheet template downloads, and a staff page to upload a channel's
spreadsheet. Thin: parse, call the pipeline or the validity rules, answer with per-record results."""
from __future__ import annotations

import datetime as dt
import json
import re

from flask import Blueprint, Response, current_app, flash, jsonify, render_template, request
from sqlalchemy import select

from core.channels.models import Channel
from core.enums import Role
from core.errors import DomainError
from core.numbers import finite_float
from core.channels.services import channel_for_api_key
from core.tabular import TabularError
from core.ingest.services import MERGED, answer_for_channel
from core.validity.services import (SourceRefreshed, postings_for_external_ids, refresh_channel_postings,
                                    refresh_posting)
from indexer.intake import IntakeOptions, Pipeline
from indexer.sources import partner as partner_source
from indexer.sources import spreadsheet

from ..auth.inputs import EVERY_REFUSAL, attempt
from ..auth.policy import public, roles_required
from ..extensions import csrf, db, limiter

bp = Blueprint("partner", __name__)
csrf.exempt(bp)  # the API is authenticated by a per-channel key, not a browser session


def _api_key() -> str | None:
    key = request.headers.get("X-API-Key")
    if not key:
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            key = auth[7:].strip()
    return key or None


def _verified_channel() -> Channel | None:
    """The channel whose key the request carries, or None for a missing or wrong key; looked up once
    per request (the rate limit needs it before the view does)."""
    env = request.environ
    if "joblink.partner_channel" not in env:
        env["joblink.partner_channel"] = channel_for_api_key(db.session, _api_key())
    return env["joblink.partner_channel"]


def _rate_key() -> str:
    """A verified channel draws on its own budget; a missing or wrong key on its address's budget, so
    forged keys can never use up a partner's allowance."""
    channel = _verified_channel()
    return f"partner:channel:{channel.id}" if channel else f"partner:unverified:{request.remote_addr or '?'}"


def _partner_rate() -> str:
    return current_app.config["PARTNER_RATE_LIMIT" if _verified_channel() else "PARTNER_UNVERIFIED_RATE_LIMIT"]


# One allowance per channel for the whole partner API (push and refresh draw on the same PARTNER_RATE_LIMIT).
_partner_limit = limiter.shared_limit(_partner_rate, scope="partner-api", key_func=_rate_key)


def _invalid_key():
    """The answer to a request without a valid channel key (every partner endpoint)."""
    return _error(401, "invalid_api_key", "API 密钥缺失或无效（请在请求头 X-API-Key 中提供渠道密钥）")


def _error(status: int, code: str, message: str, field: str | None = None):
    err = {"code": code, "message": message}
    if field:
        err["field"] = field
    return jsonify({"error": err}), status


@bp.post("/api/v1/partner/postings")
@public  # authenticated by the channel's API key below, not by a login
@_partner_limit
def push_postings():
    channel = _verified_channel()
    if channel is None:
        return _invalid_key()
    body, err = _json_body()
    if err:
        return err
    records = body.get("postings") if isinstance(body, dict) else body
    if not isinstance(records, list):
        return _error(400, "invalid_batch", "请求体应为 {\"postings\": [...]} 或岗位数组", "postings")
    if not records:
        return _error(400, "empty_batch", "批次为空", "postings")
    if len(records) > partner_source.MAX_BATCH:
        return _error(413, "batch_too_large",
                      f"每批最多 {partner_source.MAX_BATCH} 条，本批 {len(records)} 条，请拆分后重试", "postings")
    drafts = [partner_source.record_to_draft(rec, channel.code, i) for i, rec in enumerate(records)]
    pipe = Pipeline(db.session, IntakeOptions(run_kind="push", source_name=f"api:{channel.api_key_prefix}",
                                              format=partner_source.FORMAT, batch_size=partner_source.MAX_BATCH,
                                              dedup_mode="db"))
    summary = pipe.ingest(drafts, channel.code)
    d = summary.as_dict(with_results=True)
    d.pop("held_records", None)
    d.pop("rejected_records", None)
    d["results"] = answer_for_channel(db.session, channel.id, d["results"])  # never another channel's ids
    for r in d["results"]:
        r["index"] = r.pop("record")
    return jsonify(d), 200


# --- refreshing postings by the partner's own ids ----------------------------------------------------

MAX_REFRESH_BATCH = 1000
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A refusal because of the posting's state (filled, withdrawn, rejected) is a conflict with that state;
# the other refusals are bad input and keep the DomainError's own status (400), as elsewhere in the API.
_CONFLICT_CODES = {"cannot_refresh"}


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


def _json_body():
    """The request's JSON value, or an error response (415/400), for every partner endpoint. Refused:
    what is not UTF-8 JSON, NaN/Infinity and numbers beyond a float (1e400), nesting deeper than
    Python's parser goes, and lone surrogates (\\ud800), which no database or answer can carry."""
    if not request.is_json and not (request.content_type or "").startswith("text/plain"):
        return None, _error(415, "unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）")
    try:
        body = json.loads(request.get_data(as_text=False).decode("utf-8"), parse_constant=_not_json,
                          parse_float=finite_float)
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        return None, _error(400, "json_too_deep", "请求体嵌套层数过多")
    except ValueError:  # UnicodeDecodeError/UnicodeEncodeError included
        return None, _error(400, "malformed_json",
                            "请求体不是有效的 UTF-8 JSON（不接受 NaN、Infinity、超出范围的数字或不成对的 \\u 代理字符）")
    return body, None


def _valid_until(value, field: str) -> dt.date:
    if value is None or value == "":
        raise DomainError("missing_valid_until", "缺少 valid_until（新的有效期截止日期，格式 YYYY-MM-DD）", field)
    try:
        if not isinstance(value, str) or not _DATE_RE.fullmatch(value.strip()):
            raise ValueError
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError("invalid_valid_until",
                          f"valid_until 应为 YYYY-MM-DD 格式的有效日期，例如 2026-12-31（收到 {str(value)[:40]}）",
                          field) from None


def _refreshed(p) -> dict:
    if isinstance(p, SourceRefreshed):  # the channel's record of another channel's posting: no ids of it
        return {"status": MERGED, "valid_until": p.valid_until.isoformat()}
    return {"posting_id": p.id, "status": str(p.status), "valid_until": p.valid_until.isoformat(),
            "version": p.version}


def _status_of(exc: DomainError) -> int:
    if exc.code == "unknown_external_id":
        return 404
    return 409 if exc.code in _CONFLICT_CODES else exc.status


def _unknown_external_id(external_id: str) -> DomainError:
    return DomainError("unknown_external_id",
                       f"本渠道没有推送过编号为 {external_id[:128]} 的岗位（请使用推送时的 external_id）",
                       "external_id")


@bp.post("/api/v1/partner/postings/<path:external_id>/refresh")
@public  # authenticated by the channel's API key below, not by a login
@_partner_limit
def refresh_one(external_id: str):
    """Extend one posting's validity; an expired posting is published again."""
    channel = _verified_channel()
    if channel is None:
        return _invalid_key()
    body, err = _json_body()
    if err:
        return err
    if not isinstance(body, dict):
        return _error(400, "invalid_body", "请求体应为 {\"valid_until\": \"YYYY-MM-DD\"}", "valid_until")

    def refresh():  # which posting first (404: not this channel's), then the new date (400)
        posting_id = postings_for_external_ids(db.session, channel.id, [external_id]).get(external_id)
        if posting_id is None:
            raise _unknown_external_id(external_id)
        until = _valid_until(body.get("valid_until"), "valid_until")
        return _refreshed(refresh_posting(db.session, posting_id, until, channel_id=channel.id,
                                          actor_role=f"channel:{channel.id}"))

    done = attempt(refresh, answered=EVERY_REFUSAL)
    if not done.ok:
        return jsonify(done.refusal.as_dict()), _status_of(done.refusal)
    return jsonify({"external_id": external_id, **done.result}), 200


def _item_external_id(item) -> str | None:
    """A batch item's external id as sent (None when the item is not an object)."""
    if not isinstance(item, dict):
        return None
    raw = item.get("external_id")
    return str(raw).strip() if isinstance(raw, (str, int)) else ""


def _refresh_item(i: int, item, known: dict[str, int], seen: set[str]) -> tuple[str, int, dt.date]:
    """One batch item checked: (external id, posting id, new last day), or a refusal saying what is wrong."""
    if not isinstance(item, dict):
        raise DomainError("malformed_item", "每一项应为 {\"external_id\": …, \"valid_until\": …}", f"items[{i}]")
    ext = _item_external_id(item)
    if not ext:
        raise DomainError("missing_external_id", "缺少 external_id（推送时的岗位编号）", "external_id")
    if ext in seen:
        raise DomainError("duplicate_external_id", f"编号 {ext[:128]} 在本批中重复出现，只处理第一次", "external_id")
    seen.add(ext)
    until = _valid_until(item.get("valid_until"), "valid_until")
    if ext not in known:
        raise _unknown_external_id(ext)
    return ext, known[ext], until


@bp.post("/api/v1/partner/postings/refresh")
@public  # authenticated by the channel's API key below, not by a login
@_partner_limit
def refresh_batch():
    """Extend many postings at once; one result per item, a bad item never blocks the others."""
    channel = _verified_channel()
    if channel is None:
        return _invalid_key()
    body, err = _json_body()
    if err:
        return err
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        return _error(400, "invalid_batch", "请求体应为 {\"items\": [{\"external_id\": …, \"valid_until\": …}]}", "items")
    if not items:
        return _error(400, "empty_batch", "批次为空", "items")
    if len(items) > MAX_REFRESH_BATCH:
        return _error(413, "batch_too_large",
                      f"每批最多 {MAX_REFRESH_BATCH} 条，本批 {len(items)} 条，请拆分后重试", "items")
    known = postings_for_external_ids(db.session, channel.id, [e for e in map(_item_external_id, items) if e])
    seen: set[str] = set()
    results: list[dict | None] = [None] * len(items)
    todo: list[tuple[int, str, int, dt.date]] = []
    for i, item in enumerate(items):
        checked = attempt(lambda: _refresh_item(i, item, known, seen), answered=EVERY_REFUSAL, keep=None)
        if checked.ok:
            todo.append((i, *checked.result))
        else:
            results[i] = {"index": i, "external_id": _item_external_id(item) or None, "outcome": "rejected",
                          "error": checked.refusal.as_dict()["error"]}
    done = refresh_channel_postings(db.session, channel.id, [(pid, until) for _, _, pid, until in todo],
                                    actor_role=f"channel:{channel.id}")
    for (i, ext, _pid, _until), outcome in zip(todo, done):
        if isinstance(outcome, DomainError):
            results[i] = {"index": i, "external_id": ext, "outcome": "rejected", "error": outcome.as_dict()["error"]}
        else:
            results[i] = {"index": i, "external_id": ext, "outcome": "refreshed", **_refreshed(outcome)}
    db.session.commit()
    counts = {"refreshed": sum(r["outcome"] == "refreshed" for r in results)}
    counts["rejected"] = len(results) - counts["refreshed"]
    return jsonify({"received": len(items), **counts, "results": results}), 200


# --- the spreadsheet template ------------------------------------------------------------------------

@bp.get("/partner/template.xlsx")
@public
def template_xlsx():
    return Response(
        spreadsheet.template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=joblink-postings-template.xlsx; "
                                        "filename*=UTF-8''%E5%B2%97%E4%BD%8D%E4%BF%A1%E6%81%AF%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"},
    )


@bp.get("/partner/template.csv")
@public
def template_csv():
    encoding = "gb18030" if request.args.get("encoding", "").lower() in {"gb18030", "gbk"} else "utf-8-sig"
    return Response(
        spreadsheet.template_csv(encoding),
        mimetype=f"text/csv; charset={'gb18030' if encoding == 'gb18030' else 'utf-8'}",
        headers={"Content-Disposition": "attachment; filename=joblink-postings-template.csv"},
    )


# --- staff upload page ----------------------------------------------------------------------------------

@bp.route("/partner/upload", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.REVIEWER, Role.COMMISSIONER)
def upload():
    channels = list(db.session.scalars(select(Channel).where(Channel.active.is_(True)).order_by(Channel.code)))
    summary = None
    if request.method == "POST":
        code = request.form.get("channel", "")
        file = request.files.get("file")
        channel = next((c for c in channels if c.code == code), None)
        if channel is None:
            flash("请选择渠道", "error")
        elif file is None or not file.filename:
            flash("请选择要上传的文件", "error")
        else:
            try:
                table, drafts = spreadsheet.read(file.stream, channel.code, filename=file.filename)
                pipe = Pipeline(db.session, IntakeOptions(run_kind="file", source_name=file.filename,
                                                          format=spreadsheet.FORMAT, dedup_mode="db"))
                summary = pipe.ingest(drafts, channel.code).as_dict(with_results=False)
                flash(f"导入完成：新增 {summary['accepted']} 条，待审核 {summary['held']} 条，"
                      f"更新 {summary['updated']} 条，合并重复 {summary['merged']} 条，未通过 {summary['rejected']} 条", "success")
            except TabularError as exc:
                flash(exc.message, "error")
    return render_template("partner/upload.html", channels=channels, summary=summary)
