"""Shared by the screening tests: a normalisation context on a fixed day and the shipped rule set."""
import datetime as dt

import pytest

from indexer.normalise import make_context
from indexer.screening import load_rules


@pytest.fixture(scope="module")
def ctx():
    return make_context(today=dt.date(2025, 3, 10))


@pytest.fixture(scope="module")
def rules():
    return load_rules()
