"""A log scan over the whole test run (issue 11): every log record emitted in the test process —
message, arguments, traceback — is scanned as it is emitted for an ID number (18 characters with a
valid check digit and birth date), a mainland mobile number or a password hash (argon2, bcrypt,
werkzeug). The run fails at the end on any hit, listing the test, the logger and the kind of value
(masked). The project's own loggers are opened to DEBUG for the run, so their quietest records are
scanned too. tests/conftest.py registers it; ``pytest -p tests.log_scan`` does the same elsewhere.
"""
from __future__ import annotations

import logging
import re
from dataclasses import astuple, dataclass

import pytest

from core.errors import DomainError
from core.identity import validate_id_number, validate_phone

PLUGIN_NAME = "joblink-log-scan"
WORKER_KEY = "joblink_log_findings"
PROJECT_LOGGERS = ("core", "indexer", "webapp", "matching")

# Standing alone: not part of a longer number or of a hexadecimal id (a uuid may hold 11 digits in a row).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d{9})(?![0-9A-Za-z])")
_PASSWORD_HASH = re.compile(r"\$argon2(?:id|i|d)\$|\$2[aby]\$\d\d\$|\b(?:pbkdf2:sha\d+|scrypt):\d+[:$]")


def _valid(check, value: str) -> bool:
    try:
        check(value)
    except DomainError:
        return False
    return True


def mask(value: str) -> str:
    return value[:3] + "*" * (len(value) - 5) + value[-2:] if len(value) > 6 else "*" * len(value)


def scan_text(text: str) -> list[tuple[str, str]]:
    """(kind, masked value) for every ID number, mobile number and password hash in ``text``."""
    found = [("id_number", mask(m.group())) for m in _ID_NUMBER.finditer(text) if _valid(validate_id_number, m.group())]
    found += [("phone", mask(m.group(1))) for m in _PHONE.finditer(text) if _valid(validate_phone, m.group(1))]
    found += [("password_hash", m.group()) for m in _PASSWORD_HASH.finditer(text)]
    return found


@dataclass(frozen=True)
class Finding:
    test: str
    logger: str
    level: str
    kind: str
    value: str  # masked


class LogScanHandler(logging.Handler):
    """Scans each record as it is emitted (nothing is kept but the findings)."""

    def __init__(self):
        super().__init__(logging.NOTSET)
        self.findings: list[Finding] = []
        self.current = "(collection)"
        self._tracebacks = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            parts = [record.getMessage()]
        except Exception:  # a record whose arguments do not fit its message: scan both as given
            parts = [str(record.msg), repr(record.args)]
        if record.exc_info:
            parts.append(self._tracebacks.formatException(record.exc_info))
        if record.stack_info:
            parts.append(record.stack_info)
        for kind, value in scan_text("\n".join(parts)):
            self.findings.append(Finding(self.current, record.name, record.levelname, kind, value))


class LogScanPlugin:
    def __init__(self):
        self.handler = LogScanHandler()
        self._levels: dict[str, int] = {}

    def pytest_sessionstart(self, session) -> None:
        logging.getLogger().addHandler(self.handler)
        for name in PROJECT_LOGGERS:
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
                logger.setLevel(logging.DEBUG)

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self.handler.current = nodeid

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        self.handler.current = "(between tests)"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus) -> None:
        logging.getLogger().removeHandler(self.handler)
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:  # a pytest-xdist worker: the controller gathers and judges
            workeroutput[WORKER_KEY] = [astuple(f) for f in self.handler.findings]
            return
        if self.handler.findings and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        """pytest-xdist's controller: the findings of a worker that finished (``make test`` runs two)."""
        for values in getattr(node, "workeroutput", {}).get(WORKER_KEY, []):
            self.handler.findings.append(Finding(*values))

    def pytest_terminal_summary(self, terminalreporter) -> None:
        findings = self.handler.findings
        if not findings:
            return
        terminalreporter.section("personal data in the logs", sep="=", red=True, bold=True)
        terminalreporter.write_line(f"{len(findings)} log records carry an ID number, a phone number or a password "
                                    "hash (the run fails):")
        for f in dict.fromkeys(findings):
            terminalreporter.write_line(f"  {f.test}: {f.logger} {f.level} {f.kind} {f.value}")


def register(config) -> None:
    """Register the scan once per run (from tests/conftest.py or ``-p tests.log_scan``)."""
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        config.pluginmanager.register(LogScanPlugin(), PLUGIN_NAME)


def pytest_configure(config) -> None:
    register(config)
