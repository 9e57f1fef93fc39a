"""Fixtures for intake's own tests: channels of each kind (the same fixture the cross-package
intake tests use)."""
from tests.integration.ingest.conftest import make_channel  # noqa: F401
