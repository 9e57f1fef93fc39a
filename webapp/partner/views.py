"""The partner channels' web surface: the key-authenticated push API
(``POST /api/v1/partner/postings``), the spreadsheet template downloads, and a staff page to upload a
channel's spreadsheet. Thin: parse, call the pipeline, answer with a per-record result list."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, jsonify, render_template, request
from sqlalchemy import select

from core.channels.models import Channel
from core.enums import Role
from core.ingest.services import channel_for_api_key
from core.tabular import TabularError
from indexer.pipeline import Pipeline
from indexer.sources import partner as partner_source
from indexer.sources import spreadsheet

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


def _rate_key() -> str:
    key = _api_key()
    return "partner:" + (key[:10] if key else (request.remote_addr or "?"))


def _error(status: int, code: str, message: str, field: str | None = None):
    err = {"code": code, "message": message}
    if field:
        err["field"] = field
    return jsonify({"error": err}), status


@bp.post("/api/v1/partner/postings")
@public  # authenticated by the channel's API key below, not by a login
@limiter.limit("120 per minute", key_func=_rate_key)
def push_postings():
    channel = channel_for_api_key(db.session, _api_key())
    if channel is None:
        return _error(401, "invalid_api_key", "API 密钥缺失或无效（请在请求头 X-API-Key 中提供渠道密钥）")
    if not request.is_json and not (request.content_type or "").startswith("text/plain"):
        return _error(415, "unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）")
    try:
        body = json.loads(request.get_data(as_text=False).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "malformed_json", "请求体不是有效的 UTF-8 JSON")
    records = body.get("postings") if isinstance(body, dict) else body
    if not isinstance(records, list):
        return _error(400, "invalid_batch", "请求体应为 {\"postings\": [...]} 或岗位数组", "postings")
    if not records:
        return _error(400, "empty_batch", "批次为空", "postings")
    if len(records) > partner_source.MAX_BATCH:
        return _error(413, "batch_too_large",
                      f"每批最多 {partner_source.MAX_BATCH} 条，本批 {len(records)} 条，请拆分后重试", "postings")
    drafts = [partner_source.record_to_draft(rec, channel.code, i) for i, rec in enumerate(records)]
    pipe = Pipeline(db.session, run_kind="push", source_name=f"api:{channel.api_key_prefix}",
                    format=partner_source.FORMAT, batch_size=partner_source.MAX_BATCH, dedup_mode="db")
    summary = pipe.ingest(drafts, channel.code)
    d = summary.as_dict(with_results=True)
    d.pop("held_records", None)
    d.pop("rejected_records", None)
    for r in d["results"]:
        r["index"] = r.pop("record")
    return jsonify(d), 200


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
                pipe = Pipeline(db.session, run_kind="file", source_name=file.filename, format=spreadsheet.FORMAT,
                                dedup_mode="db")
                summary = pipe.ingest(drafts, channel.code).as_dict(with_results=False)
                flash(f"导入完成：新增 {summary['accepted']} 条，待审核 {summary['held']} 条，"
                      f"更新 {summary['updated']} 条，合并重复 {summary['merged']} 条，未通过 {summary['rejected']} 条", "success")
            except TabularError as exc:
                flash(exc.message, "error")
    return render_template("partner/upload.html", channels=channels, summary=summary)
