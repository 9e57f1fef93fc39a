"""What every ``joblink`` command shares: the database session, JSON output, a progress line, and
how a failure becomes a message (or a JSON error) and an exit code."""
from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NoReturn

import click

from webapp.extensions import db

# Exit codes. 0: done. 1: the command ran and failed (not found, refused, an interrupted pull, an
# unhealthy backend, a text that cannot be resolved). 2: intake refused its input (a file it cannot
# read — format, size, columns — or an invalid or unknown channel), the code click gives usage errors.
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

# The real postings shipped with the project: the demo's postings and the demo model's training data.
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "samples"


def session():
    """The app's database session (the test fixtures swap their own in behind ``db.session``)."""
    return db.session


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class CommandFailed(click.ClickException):
    """A failure a person reads (``Error: …`` on stderr), ending with the exit code of its kind."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.exit_code = exit_code


def fail(as_json: bool, code: str, message: str, field: str | None = None, *,
         exit_code: int = EXIT_FAILED) -> NoReturn:
    """End the command: with ``--json`` ``{"error": {"code", "message", "field"}}`` on stdout (the
    API's error shape), else the message."""
    if as_json:
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
        echo_json({"error": error})
        sys.exit(exit_code)
    raise CommandFailed(message, exit_code)


@contextmanager
def reported_errors(as_json: bool, *, exit_code: int = EXIT_FAILED,
                    also: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Inside: a domain error (or one of the ``also`` kinds) rolls back what the command wrote and
    ends it through :func:`fail`, with the error's code, message and field."""
    from core.errors import DomainError

    try:
        yield
    except (DomainError, *also) as exc:
        session().rollback()
        fail(as_json, getattr(exc, "code", "invalid_input"), getattr(exc, "message", str(exc)),
             getattr(exc, "field", None), exit_code=exit_code)


def progress_printer(quiet: bool) -> Callable[..., None]:
    """A ``progress(done, total, label)`` callback that rewrites one line on stderr with the count
    and the seconds since it was made (silent when ``quiet``, so ``--json`` output stays clean)."""
    started = time.monotonic()

    def progress(done: int, total: int | None = None, label: str = "") -> None:
        if quiet:
            return
        total_s = f"/{total}" if total else ""
        click.echo(f"\r  {label} {done}{total_s}  {time.monotonic() - started:.0f}s", nl=False, err=True)

    return progress
