"""Reading numbers people and partners type: ``inf``, ``nan`` and values beyond a float's range
(``1e400``) are not numbers anyone means, and they would break sorting, sums and JSON downstream."""
from __future__ import annotations

import math


def finite_float(raw) -> float:
    """``float(raw)`` that raises ValueError (like ``float`` does for text) for a non-finite result."""
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {str(raw)[:40]}")
    return value


def setting_count(name: str, raw, default: int, unit: str) -> int:
    """A setting that counts something (``unit``: what, for the message): a whole number, 0 or more;
    unset or empty gives ``default``. A bad value stops the start with a message naming the setting."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return default
    try:
        count = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of {unit}, not {text!r}") from None
    if count < 0:
        raise ValueError(f"{name} cannot be negative")
    return count
