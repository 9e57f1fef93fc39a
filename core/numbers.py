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
