"""Helpers views share at the edge: reading form input, region given by code or by name, errors by
field for re-rendering a form, the personal-data cipher, the client address for audit events."""
from __future__ import annotations

from flask import current_app, request

from core.crypto import PersonalDataCipher
from core.errors import DomainError, ValidationErrors


def cipher() -> PersonalDataCipher:
    """The configured cipher for ID numbers (one per app)."""
    ext = current_app.extensions
    if "joblink_cipher" not in ext:
        ext["joblink_cipher"] = PersonalDataCipher(
            current_app.config["JOBLINK_PII_KEY"], current_app.config["JOBLINK_PII_HASH_KEY"]
        )
    return ext["joblink_cipher"]


def client_ip() -> str | None:
    return request.remote_addr


def form_text(name: str, max_len: int = 2000) -> str:
    return (request.form.get(name) or "").strip()[:max_len]


def form_flag(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true", "yes")


def resolve_region(text: str, field: str = "region_code") -> str | None:
    """A region typed as a 6-digit code or as a name (兰山区, 临沂市兰山区, 兰山). An unknown or ambiguous
    name raises a DomainError naming the field; the message lists the candidates with their codes."""
    from core.reference.services import region_directory
    from webapp.extensions import db

    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return text  # the service validates the code's format and existence
    directory = region_directory(db.session)
    hits = directory.by_name(text)
    if not hits:
        hits = [r for r in directory.search(text, limit=8) if r.full_name == text or r.full_name.endswith(text)]
    if not hits:
        hits = directory.search(text, limit=8)
        if len(hits) != 1:
            hint = "；可选：" + "、".join(f"{r.full_name}（{r.code}）" for r in hits[:6]) if hits else ""
            raise DomainError("unknown_region", f"找不到名为“{text}”的行政区划，请填写6位代码或完整名称{hint}", field)
    if len(hits) > 1:
        options = "、".join(f"{r.full_name}（{r.code}）" for r in hits[:6])
        raise DomainError("ambiguous_region", f"“{text}”对应多个地区，请填写代码：{options}", field)
    return hits[0].code


def field_errors(exc: DomainError) -> dict[str, list[str]]:
    """Messages grouped by field name ("_form" for errors without a field)."""
    errs = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    out: dict[str, list[str]] = {}
    for e in errs:
        out.setdefault(e.field or "_form", []).append(e.message)
    return out


def split_list(text: str) -> list[str]:
    import re

    return [v for v in (x.strip() for x in re.split(r"[,，、;；\n]+", text or "")) if v]


def resolve_regions(text: str, field: str) -> tuple[list[str], list[str]]:
    """Several regions (codes or names, separated by commas/、). Returns (codes, error messages)."""
    codes, problems = [], []
    for item in split_list(text)[:20]:
        try:
            code = resolve_region(item, field)
            if code:
                codes.append(code)
        except DomainError as e:
            problems.append(e.message)
    return codes, problems


def resolve_occupations(text: str, field: str) -> tuple[list[str], list[str]]:
    """Occupations as national codes (6-18-02-04) or exact names (电工); near names get suggestions."""
    import re

    from core.reference.services import occupation_directory
    from webapp.extensions import db

    directory = occupation_directory(db.session)
    codes, problems = [], []
    for item in split_list(text)[:20]:
        if re.fullmatch(r"\d-\d{2}(-\d{2}){0,2}", item):
            codes.append(item)  # existence checked by the service
            continue
        hits = directory.by_name(item)
        if hits:
            codes.append(hits[0].code)
            continue
        near = directory.search(item, limit=5)
        if len(near) == 1:
            codes.append(near[0].code)
            continue
        hint = "，相近的有：" + "、".join(f"{o.name}（{o.code}）" for o in near) if near else ""
        problems.append(f"找不到职业“{item}”{hint}")
    return codes, problems


def commit_or_flash(action, success) -> bool:
    """Run a use case behind a POST button: commit and flash ``success(result)`` on success; on a
    refused input (400) roll back and flash the reason; anything else (403, 404, 500) propagates."""
    from flask import flash

    from webapp.extensions import db

    try:
        result = action()
    except DomainError as e:
        db.session.rollback()
        if e.status != 400:
            raise
        flash(e.message, "error")
        return False
    db.session.commit()
    flash(success(result), "success")
    return True
