"""Helpers views share at the edge: reading form input, region given by code or by name, errors by
field for re-rendering a form, the personal-data cipher, the client address for audit events."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from core.crypto import PersonalDataCipher
from core.errors import DomainError, ValidationErrors
from core.textfields import clean_text


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
    """A form field as text: control and invisible characters removed (a NUL byte made PostgreSQL fail
    the request; a zero-width or bidi character hides or reorders what others read), trimmed."""
    return clean_text(request.form.get(name) or "", multiline=True)[:max_len]


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


def region_input(errors: dict[str, list[str]], field: str = "region_code", *, text: str | None = None,
                 check: Callable[[str], object] | None = None) -> str | None:
    """The region typed in ``field`` (or given as ``text``), by code or name, as its code, passed
    through ``check`` when given; a refusal becomes a message in ``errors[field]`` and None."""
    try:
        code = resolve_region(form_text(field, 100) if text is None else text, field)
        if code and check is not None:
            check(code)
        return code
    except DomainError as e:
        errors.setdefault(field, []).append(e.message)
        return None


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
    """Occupations as national codes (6-18-02-04), names (焊工) or everyday names (电焊工, see
    ``OccupationDirectory.resolve``); other text gets the typeahead's suggestions."""
    import re

    from core.reference.services import occupation_directory
    from webapp.extensions import db

    directory = occupation_directory(db.session)
    codes, problems = [], []
    for item in split_list(text)[:20]:
        if re.fullmatch(r"\d-\d{2}(-\d{2}){0,2}", item):
            codes.append(item)  # existence checked by the service
            continue
        found = directory.resolve(item)
        if found:
            codes.append(found.occupation.code)
            continue
        near = directory.search(item, limit=5)
        if len(near) == 1:  # the one classification name containing the text
            codes.append(near[0].code)
            continue
        near = [m.occupation for m in directory.suggest(item, limit=5)]
        hint = "，相近的有：" + "、".join(f"{o.name}（{o.code}）" for o in near) if near else ""
        problems.append(f"找不到职业“{item}”{hint}")
    return codes, problems


BAD_INPUT = frozenset({400})  # refusals a page answers itself by default; 403/404 go to the error page
EVERY_REFUSAL = None  # ``answered=EVERY_REFUSAL``: the page answers 403/404 refusals too


@dataclass
class Attempt:
    """What a use case run from a view came to: its result, or the refusal the page shows."""

    result: Any = None
    refusal: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    def errors(self) -> dict[str, list[str]]:
        """The refusal's messages by field, for re-rendering the form (empty when it succeeded)."""
        return field_errors(self.refusal) if self.refusal is not None else {}

    def add_errors_to(self, errors: dict[str, list[str]], *, explained: Collection[str] = ()) -> None:
        """Add the refusal's messages to the form's own ``errors``; a field in ``explained`` that
        already has a message there keeps only that one."""
        for field, messages in self.errors().items():
            if field in explained and errors.get(field):
                continue
            errors.setdefault(field, []).extend(messages)


def attempt(action: Callable[[], Any], *, answered: Collection[int] | None = BAD_INPUT,
            keep: bool | None = True) -> Attempt:
    """Run a use case in the request's transaction: on success commit (roll back instead when
    ``keep`` is False: the form had other errors; leave the transaction alone when it is None: a
    read); on a refusal roll back (unless ``keep`` is None) and return it when its status is
    ``answered`` (every refusal when ``answered`` is None), else let it propagate to the error page.
    The one place views turn a DomainError into what the page shows."""
    from webapp.extensions import db

    try:
        result = action()
    except DomainError as e:
        if keep is not None:
            db.session.rollback()
        if answered is not None and e.status not in answered:
            raise
        return Attempt(refusal=e)
    if keep:
        db.session.commit()
    elif keep is False:
        db.session.rollback()
    return Attempt(result=result)


def commit_or_flash(action: Callable[[], Any], success: Callable[[Any], str | None] | None, *,
                    answered: Collection[int] | None = BAD_INPUT, prefix: str = "", keep: bool | None = True) -> Attempt:
    """``attempt`` behind a button or a page: flash ``success(result)`` (when there is a message)
    or the refusal's message (after ``prefix``)."""
    from flask import flash

    done = attempt(action, answered=answered, keep=keep)
    if not done.ok:
        flash(prefix + done.refusal.message, "error")
    elif success is not None and (message := success(done.result)) is not None:
        flash(message, "success")
    return done
