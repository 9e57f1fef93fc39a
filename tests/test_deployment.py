"""The deployment files a bureau would use: docker-compose.yml, the Makefile's two commands, CI."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_runs_web_worker_postgres_and_elasticsearch_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    for name in ("web", "worker", "postgres", "elasticsearch"):
        assert name in services, name
    for name in ("web", "worker", "postgres", "elasticsearch"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "gunicorn" in " ".join(services["web"]["command"])
    env = services["web"]["environment"]
    assert env["SEARCH_BACKEND"] == "elasticsearch"
    assert env["DATABASE_URL"].startswith("postgresql")


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_docker_compose_config_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ}, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_every_documented_setting_is_read_by_the_config():
    from webapp.config import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in SETTINGS:
        assert f"`{name}`" in readme, f"{name} is not documented in README.md"


def test_readme_names_exactly_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_script_the_makefile_runs_exists():
    """`make bench` once named a script nobody had written: every repository path a recipe runs
    must be there."""
    import re

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    scripts = set(re.findall(r"\b((?:bench|scripts|\.ci)/[\w./-]+\.(?:py|sh))\b", makefile))
    assert "bench/run_all.py" in scripts
    missing = [s for s in sorted(scripts) if not (ROOT / s).exists()]
    assert not missing, f"Makefile runs missing scripts: {missing}"
