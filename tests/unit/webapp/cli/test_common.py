"""The helpers every command shares: a failure's message, JSON shape and exit code; a domain error
rolls back what the command wrote; the progress line."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.errors import DomainError
from webapp.cli.common import EXIT_BAD_INPUT, EXIT_FAILED, fail, progress_printer, reported_errors, session


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--exit-code", type=int, default=EXIT_FAILED)
@click.option("--field", default=None)
def failing(as_json, exit_code, field):
    fail(as_json, "bad_file", "文件无法读取", field, exit_code=exit_code)


@pytest.mark.parametrize("exit_code", [EXIT_FAILED, EXIT_BAD_INPUT])
def test_fail_as_json_prints_the_api_error_shape_with_the_exit_code(exit_code):
    result = CliRunner().invoke(failing, ["--json", "--exit-code", str(exit_code), "--field", "file"])
    assert result.exit_code == exit_code
    assert json.loads(result.stdout) == {"error": {"code": "bad_file", "message": "文件无法读取", "field": "file"}}


def test_fail_for_people_prints_the_message_with_the_same_exit_code():
    result = CliRunner().invoke(failing, ["--exit-code", str(EXIT_BAD_INPUT)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stdout == "" and "文件无法读取" in result.stderr
    assert "field" not in json.dumps(CliRunner().invoke(failing, ["--json"]).stdout)


def test_reported_errors_rolls_back_and_fails(app, db_session):
    from core.accounts.models import User
    from core.accounts.services import create_user

    @click.command()
    @click.option("--json", "as_json", is_flag=True)
    def create_then_refuse(as_json):
        with reported_errors(as_json, exit_code=EXIT_BAD_INPUT, also=(ValueError,)):
            create_user(session(), username="rolled_back_user", password="Zhao-Qian-Sun-Li-2026", role="reviewer")
            session().flush()
            raise ValueError("不是有效的日期")

    before = db_session.scalar(select(func.count()).select_from(User))
    result = CliRunner().invoke(create_then_refuse, ["--json"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert json.loads(result.stdout)["error"] == {"code": "invalid_input", "message": "不是有效的日期"}
    assert db_session.scalar(select(func.count()).select_from(User)) == before

    @click.command()
    def refuse_domain():
        with reported_errors(False):
            raise DomainError("region_required", "服务专员须指定管辖地区", "region_code")

    result = CliRunner().invoke(refuse_domain)
    assert result.exit_code == EXIT_FAILED and "服务专员须指定管辖地区" in result.stderr


def test_progress_line_counts_on_stderr_and_is_silent_when_quiet():
    @click.command()
    @click.option("--quiet", is_flag=True)
    def counting(quiet):
        progress = progress_printer(quiet)
        progress(40, 120, "a.jsonl")
        progress(120, None, "a.jsonl")

    loud = CliRunner().invoke(counting)
    assert loud.stdout == "" and "a.jsonl 40/120" in loud.stderr and "a.jsonl 120  " in loud.stderr
    quiet = CliRunner().invoke(counting, ["--quiet"])
    assert quiet.stdout == "" and quiet.stderr == ""
