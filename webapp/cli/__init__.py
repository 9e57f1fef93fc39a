"""The ``joblink`` command: a Flask CLI group. Each command group lives in its own module here
(``webapp/cli/<group>.py``, a module-level click group or command); this module lists them once,
for ``create_app`` (so ``joblink`` and ``app.test_cli_runner()`` see the same commands)."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from webapp.cli import (alerts, backup, channel, demo, index, ingest, match, matcher, normalise, postings, ref,
                        schedule, screening, seekers, serve, setup, stats, user, validity)
from webapp.cli import ranker

# By area: set-up and serving, reference data and accounts, intake, search index, matching,
# scheduled jobs (`joblink --help` lists them alphabetically; `db` comes from Flask-Migrate).
COMMANDS: tuple[click.Command, ...] = (
    setup.setup, serve.serve, ref.ref_group, user.user_group, demo.demo_group,
    channel.channel_group, ingest.ingest_group, screening.screen, screening.screening_group,
    normalise.normalise_group, index.index_group, matcher.matcher_group, ranker.ranker_group, match.match_group,
    seekers.seekers_group, validity.validity_group, postings.postings_group, schedule.schedule_group,
    backup.backup, backup.restore, stats.stats_group, alerts.alerts_group,
)


def register_commands(app) -> None:
    """Attach every command to ``app.cli``."""
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app():
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def cli() -> None:
    """JobLink 就业联动平台 — management commands."""


def main() -> None:
    cli(prog_name="joblink")
