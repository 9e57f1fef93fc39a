"""The shape of ``webapp/cli/``: one module per command group, each command a module-level object
that ``joblink`` registers, and ``joblink --help`` naming every group."""
from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click

import webapp.cli

ROOT = Path(__file__).resolve().parents[4]
NOT_COMMAND_MODULES = {"common", "__main__"}  # the shared helpers; `python -m webapp.cli`


def _command_modules():
    for info in pkgutil.iter_modules(webapp.cli.__path__):
        if info.name not in NOT_COMMAND_MODULES:
            yield importlib.import_module(f"webapp.cli.{info.name}")


def _module_commands(module) -> list[click.Command]:
    return [value for value in vars(module).values()
            if isinstance(value, click.Command) and value.callback.__module__ == module.__name__]


def test_every_module_defines_its_commands_at_module_level():
    registered = set(map(id, webapp.cli.COMMANDS))
    modules = list(_command_modules())
    assert len(modules) >= 15
    for module in modules:
        commands = _module_commands(module)
        top = [c for c in commands if id(c) in registered]
        assert top, f"{module.__name__} defines no command that joblink registers"
        for command in top:
            for sub in getattr(command, "commands", {}).values():
                assert sub in commands, f"{module.__name__}: `{command.name} {sub.name}` is not a module-level command"


def test_every_registered_command_lives_in_its_own_module_and_names_are_unique():
    modules = {id(c): m.__name__ for m in _command_modules() for c in _module_commands(m)}
    for command in webapp.cli.COMMANDS:
        assert id(command) in modules, f"{command.name} is not defined in a webapp/cli/ module"
    names = [c.name for c in webapp.cli.COMMANDS]
    assert len(names) == len(set(names))


def test_the_joblink_script_is_the_package_main():
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "joblink"]
    assert script.value == "webapp.cli:main" and script.load() is webapp.cli.main


def test_joblink_help_lists_every_group(tmp_path):
    env = {**os.environ, "JOBLINK_INSTANCE": str(tmp_path / "instance"), "DATABASE_URL": "",
           "SEARCH_BACKEND": "null"}
    result = subprocess.run([sys.executable, "-m", "webapp.cli", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {c.name for c in webapp.cli.COMMANDS} | {"db"} <= listed


def test_every_command_has_help(runner):
    def walk(command, path):
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    for command in webapp.cli.COMMANDS:
        walk(command, [command.name])
