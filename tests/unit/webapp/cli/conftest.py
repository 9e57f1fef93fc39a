"""Fixtures for the command tests: the ones the areas' own tests use (a real local feed server for
intake; channels and postings as the pipeline leaves them for review)."""
from tests.integration.ingest.conftest import feed_server  # noqa: F401
from tests.web.review.conftest import make_channel, make_held  # noqa: F401
