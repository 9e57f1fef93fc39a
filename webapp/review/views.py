"""The reviewer queue (/review): held postings with their reasons highlighted, approve/reject with a
note, bulk actions, a posting's review page and the audit trail. Reviewers and admins only; a
reviewer bound to a region sees and decides only postings of that jurisdiction (in the services)."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.channels.models import Channel
from core.enums import Role
from core.errors import DomainError
from core.labels import FIELD_LABELS, RULE_CATEGORY_LABELS, reason_label
from core.postings.models import PostingSource
from core.review import services as review

from ..auth.inputs import EVERY_REFUSAL, attempt, commit_or_flash
from ..auth.policy import roles_required
from ..extensions import db
from .highlight import highlight

bp = Blueprint("review", __name__, url_prefix="/review")

PAGE_SIZE = 20
AGE_CHOICES = [("", "不限"), ("1", "超过1天"), ("3", "超过3天"), ("7", "超过7天"), ("30", "超过30天")]
TEXT_FIELDS = ("title", "description", "pay_text", "address")
_REASON_CODE = re.compile(r"^[a-z0-9_.-]{1,64}$")
_REGION = re.compile(r"^\d{6}$")


def _int_arg(name: str, default: int | None = None, lo: int = 0, hi: int = 10**9) -> int | None:
    raw = (request.values.get(name) or "").strip()
    if not raw.isdigit():
        return default
    return max(lo, min(hi, int(raw)))


def _filters() -> review.QueueFilters:
    reason = (request.args.get("reason") or "").strip()
    region = (request.args.get("region") or "").strip()
    return review.QueueFilters(
        channel_id=_int_arg("channel"),
        reason_code=reason if _REASON_CODE.match(reason) else None,
        region_code=region if _REGION.match(region) else None,
        min_age_days=_int_arg("age", None, 0, 3650),
    )


def _channels() -> dict[int, Channel]:
    return {c.id: c for c in db.session.scalars(select(Channel))}


def _safe_next(default: str) -> str:
    """Only return to a page of this blueprint (never an open redirect)."""
    nxt = request.form.get("next") or ""
    return nxt if nxt.startswith("/review") and not nxt.startswith("//") else default


@bp.get("/")
@roles_required(Role.REVIEWER, Role.ADMIN)
def queue():
    f = _filters()
    page = _int_arg("page", 1, 1, 10_000)
    result = review.list_queue(db.session, current_user, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render_template(
        "review/queue.html",
        page=result,
        filters=f,
        age_choices=AGE_CHOICES,
        current_page=page,
        pages=pages,
        page_url=lambda n: url_for("review.queue", **args, page=n),
        here=request.full_path.rstrip("?"),
        highlight=highlight,
        channels=_channels(),
        reason_label=reason_label,
        filter_query=urlencode(args),
        duplicate_of=review.duplicate_of,
    )


@bp.post("/postings/<int:posting_id>/decide")
@roles_required(Role.REVIEWER, Role.ADMIN)
def decide(posting_id: int):
    decision = request.form.get("decision", "")
    note = request.form.get("note", "")
    commit_or_flash(
        lambda: review.review_posting(db.session, posting_id, decision, current_user, note, ip=request.remote_addr),
        lambda _: f"岗位 #{posting_id} 已{'通过并发布' if decision == review.APPROVE else '驳回'}",
        answered=EVERY_REFUSAL, prefix=f"岗位 #{posting_id}：",
    )
    return redirect(_safe_next(url_for("review.queue")), code=303)


@bp.post("/postings/<int:posting_id>/merge")
@roles_required(Role.REVIEWER, Role.ADMIN)
def merge(posting_id: int):
    """A probable duplicate confirmed: its sources move to the posting it duplicates."""
    commit_or_flash(
        lambda: review.merge_posting(db.session, posting_id, current_user, request.form.get("note", ""),
                                     ip=request.remote_addr),
        lambda record: f"岗位 #{posting_id} {record.note}",
        answered=EVERY_REFUSAL, prefix=f"岗位 #{posting_id}：",
    )
    return redirect(_safe_next(url_for("review.queue")), code=303)


@bp.post("/bulk")
@roles_required(Role.REVIEWER, Role.ADMIN)
def bulk():
    ids = [int(v) for v in request.form.getlist("posting_ids") if v.isdigit()]
    decision = request.form.get("decision", "")
    note = request.form.get("note", "")
    if decision not in review.DECISIONS:
        flash("请选择批量通过或批量驳回", "error")
        return redirect(_safe_next(url_for("review.queue")), code=303)
    verb = "通过并发布" if decision == review.APPROVE else "驳回"
    done = commit_or_flash(
        lambda: review.bulk_review(db.session, ids, decision, current_user, note, ip=request.remote_addr),
        lambda result: f"已批量{verb} {len(result.done)} 条", answered=EVERY_REFUSAL,
    )
    for pid, message in done.result.skipped if done.ok else ():
        flash(f"岗位 #{pid} 未处理：{message}", "error")
    return redirect(_safe_next(url_for("review.queue")), code=303)


@bp.get("/postings/<int:posting_id>")
@roles_required(Role.REVIEWER, Role.ADMIN)
def posting(posting_id: int):
    p = review.get_reviewable_posting(db.session, posting_id, current_user)
    sources = list(db.session.scalars(select(PostingSource).where(PostingSource.posting_id == p.id).order_by(PostingSource.id)))
    decisions, _ = review.list_decisions(db.session, current_user, posting_id=p.id, limit=100)
    return render_template("review/posting.html", p=p, sources=sources, decisions=decisions, highlight=highlight,
                           channels=_channels(), text_fields=TEXT_FIELDS, duplicate_of=review.duplicate_of)


@bp.get("/audit")
@roles_required(Role.REVIEWER, Role.ADMIN)
def audit():
    page = _int_arg("page", 1, 1, 10_000)
    decision = request.args.get("decision") or None
    posting_id = _int_arg("posting")
    reviewer_id = _int_arg("reviewer")
    rows, total = review.list_decisions(
        db.session, current_user, posting_id=posting_id, reviewer_user_id=reviewer_id, decision=decision,
        limit=50, offset=(page - 1) * 50,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "review/audit.html", rows=rows, total=total, decision=decision, posting_id=posting_id,
        current_page=page, pages=max(1, (total + 49) // 50),
        page_url=lambda n: url_for("review.audit", **args, page=n),
    )


@bp.app_template_filter("review_decision")
def _decision_label(value: str) -> str:
    return {"approve": "通过", "reject": "驳回", "merge": "合并"}.get(value, value)


# --- screening rules (read by reviewers; the screening area stores them and admins extend them) ---

MAX_SAMPLE_TEXT = 2000


def _rule_set():
    from indexer.screening import load_rules

    return load_rules(db.session)


def _try_rules(rules, text: str) -> list[dict]:
    """The reasons intake's one decision gives ``text`` as a job description, for the try-it box."""
    from indexer.intake import judge_text

    return [r.as_dict() for r in judge_text(text, rules).reasons]


@bp.get("/rules")
@roles_required(Role.REVIEWER, Role.ADMIN)
def rules():
    rule_set = _rule_set()
    sample = (request.args.get("sample") or "")[:MAX_SAMPLE_TEXT]
    sample_reasons = _try_rules(rule_set, sample) if sample.strip() else []
    return render_template(
        "review/rules.html", rules=rule_set, sample=sample, sample_reasons=sample_reasons, highlight=highlight,
        max_sample=MAX_SAMPLE_TEXT,
    )


RULE_CATEGORIES = list(RULE_CATEGORY_LABELS.items())
RULE_FIELDS = [(f, FIELD_LABELS[f]) for f in ("title", "description")]


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (request.form.get(name) or "").splitlines() if line.strip()]


def _ensure_seeded(by: str) -> None:
    """Before the first edit, copy the shipped rule file into the tables: once any rule row exists,
    screening reads the database only, so an admin's first rule must not replace all the others."""
    from core.screening.services import rules_document, seed_rules

    if rules_document(db.session) is None:
        seed_rules(db.session, by=by)


def _rules_changed(purpose: str, subject: str) -> None:
    from core.audit.services import record_access
    from indexer.screening import clear_rules_cache

    record_access(db.session, actor_user_id=current_user.id, actor_role=str(current_user.role), action="update",
                  subject_type="screening_rule", subject_id=None, purpose=f"{purpose}：{subject}"[:200],
                  fields=[subject[:60]], ip=request.remote_addr)
    db.session.commit()
    clear_rules_cache()


@bp.route("/rules/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rule_edit():
    """Add a text rule, or change one (``?code=``). Saved rules take effect for the next intake batch."""
    rule_set = _rule_set()
    code = (request.values.get("code") or "").strip()
    existing = next((r for r in rule_set.text_rules if r.code == code), None)
    error = None
    if request.method == "POST":
        from core.screening.services import save_rule

        form = {
            "code": code, "message": request.form.get("message", ""), "severity": request.form.get("severity", "hold"),
            "category": request.form.get("category", "other"), "patterns": _lines("patterns"),
            "exceptions": _lines("exceptions"), "triggers": _lines("triggers"),
            "fields": [f for f in request.form.getlist("fields") if f in dict(RULE_FIELDS)] or ["title", "description"],
            "enabled": request.form.get("enabled") == "1",
        }

        def save():
            if request.form.get("new") == "1" and existing is not None:
                raise DomainError("rule_exists", f"已有代码为 {code} 的规则，请换一个代码，或在列表中编辑它", "code")
            _ensure_seeded(current_user.username)
            save_rule(db.session, code, by=current_user.username, **{k: v for k, v in form.items() if k != "code"})
            _rules_changed("修改筛查规则" if existing else "新增筛查规则", code)

        done = attempt(save, answered=EVERY_REFUSAL)
        if done.ok:
            flash(f"规则 {code} 已保存，之后入库的岗位按新规则筛查", "success")
            return redirect(url_for("review.rules") + f"#rule-{code}", code=303)
        error, existing, rule = done.refusal, None, dict(form)
    else:
        rule = existing.as_dict() if existing else {
            "code": "", "message": "", "severity": "hold", "category": "other", "patterns": [], "exceptions": [],
            "triggers": [], "fields": ["title", "description"], "enabled": True,
        }
    return render_template("review/rule_edit.html", rule=rule, is_new=existing is None and request.method == "GET" and not code,
                           error=error, categories=RULE_CATEGORIES, fields=RULE_FIELDS), (400 if error else 200)


@bp.post("/rules/<code>/toggle")
@roles_required(Role.ADMIN)
def rule_toggle(code: str):
    from core.screening.services import save_rule

    rule = next((r for r in _rule_set().text_rules if r.code == code), None)
    if rule is None:
        flash("没有这条规则", "error")
        return redirect(url_for("review.rules"), code=303)
    _ensure_seeded(current_user.username)
    d = rule.as_dict()
    save_rule(db.session, code, message=d["message"], patterns=d["patterns"], severity=d["severity"],
              category=d["category"], exceptions=d["exceptions"], fields=d["fields"], triggers=d.get("triggers", []),
              enabled=not d["enabled"], by=current_user.username)
    _rules_changed("停用筛查规则" if d["enabled"] else "启用筛查规则", code)
    flash(f"规则 {code} 已{'停用' if d['enabled'] else '启用'}", "success")
    return redirect(url_for("review.rules") + f"#rule-{code}", code=303)


@bp.post("/rules/wages")
@roles_required(Role.ADMIN)
def wage_save():
    """Set a province's minimum wage (when a province publishes a new standard)."""
    import datetime as dt

    from core.screening.services import set_minimum_wage

    def number(name: str) -> float | None:
        try:
            return float(request.form.get(name) or "")
        except ValueError:
            return None

    province = (request.form.get("province_code") or "").strip()
    monthly, hourly = number("monthly"), number("hourly")
    try:
        effective = dt.date.fromisoformat(request.form.get("effective_from") or "") if request.form.get("effective_from") else None
    except ValueError:
        effective = None
    def save():
        if monthly is None:
            raise DomainError("invalid_amount", "请填写月最低工资标准（元）", "monthly")
        _ensure_seeded(current_user.username)
        set_minimum_wage(db.session, province, monthly, hourly, effective, (request.form.get("source") or "").strip()[:300] or None)
        _rules_changed("设置最低工资标准", province)

    commit_or_flash(save, lambda _: f"已更新 {province} 的最低工资标准", answered=EVERY_REFUSAL)
    return redirect(url_for("review.rules") + "#wages", code=303)
