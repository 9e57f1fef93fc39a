"""Marking the text that made screening hold a posting: every character escaped, matches in <mark>."""
from __future__ import annotations

from markupsafe import Markup, escape

from indexer.intake.decide import SEVERITY_RANK as _SEVERITY_RANK
MAX_OCCURRENCES = 20


def _intervals(text: str, reason: dict) -> list[tuple[int, int]]:
    """Where a reason applies in ``text``: its span when it still matches the text (the record may
    have been updated since screening), else every occurrence of its evidence."""
    evidence = reason.get("evidence") or ""
    span = reason.get("span")
    if isinstance(span, (list, tuple)) and len(span) == 2:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError):
            start, end = -1, -1
        if 0 <= start < end <= len(text) and (not evidence or text[start:end] == evidence):
            return [(start, end)]
    found: list[tuple[int, int]] = []
    if evidence:
        pos = text.find(evidence)
        while pos >= 0 and len(found) < MAX_OCCURRENCES:
            found.append((pos, pos + len(evidence)))
            pos = text.find(evidence, pos + len(evidence))
    return found


# Screening names some fields by their meaning rather than by the posting's column.
FIELD_ALIASES = {"pay": "pay_text", "region": "address", "region_text": "address",
                 "occupation": "title"}  # the occupation is read from the title: its evidence is there


def applies_to(reason: dict, field: str) -> bool:
    """A reason names its field; one that names none is looked for in every text field."""
    named = reason.get("field")
    return named in (None, "", field) or FIELD_ALIASES.get(named) == field


def highlight(text: str | None, reasons: list[dict] | None, field: str) -> Markup:
    """``text`` escaped, with the parts the ``reasons`` of ``field`` point at wrapped in ``<mark>``.
    Overlapping matches merge; a mark's title lists the reasons' messages and its ``data-reasons``
    their 1-based numbers in the reason list."""
    text = text or ""
    if not text:
        return Markup("")
    cover: list[set[int]] = [set() for _ in range(len(text))]
    for idx, reason in enumerate(reasons or []):
        if not isinstance(reason, dict) or not applies_to(reason, field):
            continue
        for start, end in _intervals(text, reason):
            for i in range(start, end):
                cover[i].add(idx)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and cover[j] == cover[i]:
            j += 1
        chunk = escape(text[i:j])
        if cover[i]:
            idxs = sorted(cover[i])
            marked = [reasons[k] for k in idxs]
            severity = max((r.get("severity") or "hold" for r in marked), key=lambda s: _SEVERITY_RANK.get(s, 1))
            title = "；".join(str(r.get("message") or r.get("code") or "") for r in marked)
            out.append(
                f'<mark class="reason-mark reason-{escape(severity)}" title="{escape(title)}" '
                f'data-reasons="{" ".join(str(k + 1) for k in idxs)}">{chunk}</mark>'
            )
        else:
            out.append(str(chunk))
        i = j
    return Markup("".join(out))
