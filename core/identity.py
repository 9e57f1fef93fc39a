"""Validators for the national codes the platform relies on.

- Resident ID number (GB 11643-1999): 17 digits + a MOD 11-2 check character (0-9 or X).
- Unified social credit code (GB 32100-2015): 18 characters from a 31-symbol alphabet with a
  MOD 31 check character.
- Mainland mobile numbers: 11 digits starting 1[3-9].
"""
from __future__ import annotations

import datetime as dt
import re

from .errors import DomainError

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value: str, field: str = "id_number") -> str:
    """Return the normalised 18-character ID number or raise a DomainError naming the field."""
    v = normalise_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", v):
        raise DomainError("invalid_id_number", "身份证号码应为18位（最后一位可以是X）", field)
    try:
        dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise DomainError("invalid_id_number", "身份证号码中的出生日期无效", field) from None
    if id_number_check_char(v[:17]) != v[17]:
        raise DomainError("invalid_id_number", "身份证号码校验位不正确，请核对", field)
    return v


def birth_date_from_id(v: str) -> dt.date:
    return dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def mask_id_number(v: str | None) -> str:
    if not v:
        return ""
    return v[:3] + "*" * (len(v) - 7) + v[-4:] if len(v) > 7 else "*" * len(v)


# GB 32100: alphabet without I, O, Z, S, V.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    v = (value or "").strip().upper()
    if len(v) != 18 or any(c not in _CREDIT_ALPHABET for c in v):
        return False
    if not v[8:17].isalnum():
        return False
    return credit_code_check_char(v[:17]) == v[17]


def validate_credit_code(value: str, field: str = "credit_code") -> str:
    v = (value or "").strip().upper()
    if len(v) != 18:
        raise DomainError("invalid_credit_code", "统一社会信用代码应为18位", field)
    bad = [c for c in v if c not in _CREDIT_ALPHABET]
    if bad:
        raise DomainError(
            "invalid_credit_code", f"统一社会信用代码含有不允许的字符：{''.join(sorted(set(bad)))}", field
        )
    if credit_code_check_char(v[:17]) != v[17]:
        raise DomainError("invalid_credit_code", "统一社会信用代码校验位不正确，请核对", field)
    return v


_PHONE = re.compile(r"1[3-9]\d{9}")


def normalise_phone(value: str) -> str:
    v = re.sub(r"[\s\-]", "", value or "")
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    return v


def validate_phone(value: str, field: str = "phone") -> str:
    v = normalise_phone(value)
    if not _PHONE.fullmatch(v):
        raise DomainError("invalid_phone", "手机号码应为以1开头的11位数字", field)
    return v


def mask_phone(v: str | None) -> str:
    if not v:
        return ""
    return v[:3] + "****" + v[-4:] if len(v) >= 7 else "*" * len(v)


def validate_region_code(value: str, field: str = "region_code") -> str:
    v = (value or "").strip()
    if not re.fullmatch(r"\d{6}", v):
        raise DomainError("invalid_region_code", "行政区划代码应为6位数字，例如 371302", field)
    return v
