"""One Alembic history with exactly one head, and `joblink db upgrade` on an empty database yields
exactly the models' schema — on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from webapp import MIGRATIONS_DIR


def test_exactly_one_head():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_on_empty_database_equals_models(backend, fresh_database_url, app_factory):
    url = fresh_database_url(backend)
    app = app_factory(url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output

    from core.all_models import metadata

    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"migrations differ from the models: {diff}"
