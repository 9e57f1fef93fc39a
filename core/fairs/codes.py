"""A registration's two codes and how a typed or scanned code is told apart: the short numeric code
(6 digits, unique within one fair, for people without a smartphone) and the unguessable token the QR
code carries (``QR_PREFIX`` + token, unique across every fair, so another fair's code is recognised
as such rather than as a forgery)."""
from __future__ import annotations

import re
import secrets

QR_PREFIX = "JLFAIR:"
CODE_DIGITS = 6
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,48}$")
_PHONE_RE = re.compile(r"^1\d{10}$")


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


def qr_text(token: str) -> str:
    return QR_PREFIX + token


def classify(raw: str) -> tuple[str, str]:
    """("token" | "code" | "phone" | "invalid", normalised value) of what was typed or scanned."""
    text = (raw or "").strip().replace(" ", "")
    if text.upper().startswith(QR_PREFIX):
        token = text[len(QR_PREFIX):]
        return ("token", token) if _TOKEN_RE.match(token) else ("invalid", "")
    if text.isdigit() and len(text) == CODE_DIGITS:
        return "code", text
    if _PHONE_RE.match(text):
        return "phone", text
    return "invalid", ""
