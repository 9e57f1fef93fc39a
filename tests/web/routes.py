"""Addresses for every rule of the app, for the tests that walk ``app.url_map`` (route policy,
security headers, out-of-range ids): one place that knows how to fill each kind of URL part."""
from __future__ import annotations

import uuid

from werkzeug.routing import IntegerConverter


def sample_value(converter, int_value: int = 1) -> object:
    """A value the converter accepts; ``int_value`` for every ``<int:>`` part."""
    name = type(converter).__name__
    if isinstance(converter, IntegerConverter):  # the app's bounded <int:> is a subclass
        return int_value
    if name == "FloatConverter":
        return 1.0
    if name == "UUIDConverter":
        return uuid.uuid4()
    if name == "AnyConverter":  # <any(a, b):kind> accepts only its own words
        return sorted(converter.items)[0]
    return "x"


def int_arguments(rule) -> list[str]:
    return [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]


def rule_values(rule, int_value: int = 1) -> dict:
    return {arg: sample_value(rule._converters[arg], int_value) for arg in rule.arguments}
