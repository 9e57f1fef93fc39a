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


def test_one_machine_and_compose_run_the_same_three_processes_with_the_same_gunicorn_settings():
    """`make run` ends in `joblink serve` (gunicorn + relay + scheduler, not the development server);
    compose runs the same pieces as services, through the same commands and gunicorn settings."""
    import re

    from webapp.server import production_specs

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run_recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "$(JOBLINK) serve" in run_recipe and "--dev" not in run_recipe

    specs = {s.name: s.argv for s in production_specs("127.0.0.1:5000", 5, 4)}
    assert set(specs) == {"web", "relay", "scheduler"}
    assert specs["relay"][-2:] == ["index", "work"] and specs["scheduler"][-2:] == ["schedule", "run"]
    assert "python:webapp.gunicorn_conf" in specs["web"]

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    assert services["scheduler"]["command"] == ["joblink", "schedule", "run"]
    assert services["worker"]["command"] == ["joblink", "index", "work"]
    assert "python:webapp.gunicorn_conf" in services["web"]["command"]
    assert 'CMD ["gunicorn", "-c", "python:webapp.gunicorn_conf"' in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_gunicorn_settings_follow_web_bind_workers_and_threads(monkeypatch):
    import importlib

    import webapp.gunicorn_conf as conf
    from webapp.server import default_workers

    monkeypatch.setenv("WEB_BIND", "0.0.0.0:8000")
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "3")
    importlib.reload(conf)
    assert (conf.bind, conf.workers, conf.threads, conf.worker_class) == (["0.0.0.0:8000"], 3, 3, "gthread")
    for name in ("WEB_BIND", "WEB_WORKERS", "WEB_THREADS"):
        monkeypatch.delenv(name)
    importlib.reload(conf)
    assert (conf.bind, conf.workers, conf.threads) == (["127.0.0.1:5000"], default_workers(), 2)


def test_workers_compute_on_one_thread_unless_told_otherwise(monkeypatch):
    """A worker's PyTorch, OpenBLAS and OpenMP use one thread (the workers share the cores); a value
    an operator set in the environment is kept."""
    import importlib
    import os

    import webapp.gunicorn_conf as conf

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    importlib.reload(conf)
    assert (os.environ["OMP_NUM_THREADS"], os.environ["OPENBLAS_NUM_THREADS"], os.environ["MKL_NUM_THREADS"]) == (
        "1", "1", "4")
