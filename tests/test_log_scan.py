"""The log scan itself (tests/log_scan.py): what it recognises, and that a run whose code logs an ID
number fails at the end naming the test, while a clean run passes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.log_scan import scan_text
from tests.web.conftest import make_id_number

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
ID_NUMBER = make_id_number()


def test_it_finds_id_numbers_with_a_valid_check_digit_only():
    wrong_check = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    assert [k for k, _ in scan_text(f"registered id={ID_NUMBER}.")] == ["id_number"]
    assert scan_text(f"id={wrong_check}") == []
    assert scan_text(f"posting {ID_NUMBER}7 of 19 digits") == []
    assert scan_text("credit code 91440101MA59XXXX0X, count 123456789012345678") == []  # no valid birth date


def test_it_finds_mobile_numbers_and_password_hashes_but_not_masked_values():
    assert scan_text("phone 13987654321 saved") == [("phone", "139******21")]
    assert [k for k, _ in scan_text("tel:+86 13987654321")] == ["phone"]
    assert scan_text("phone 139****4321, id 440106********1234, run 12345678901, ts 1733491234567") == []
    assert scan_text("external id h4dfc74cc13912345678b3b0821f9461c66bf") == []  # digits inside a hex id
    assert [k for k, _ in scan_text("hash $argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")] == ["password_hash"]
    assert [k for k, _ in scan_text("pbkdf2:sha256:600000$abc$def")] == ["password_hash"]


def _run(pytester, monkeypatch, body: str, *extra: str):
    pytester.makepyfile(test_sample=body)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return pytester.runpytest_subprocess("-p", "tests.log_scan", "-p", "no:cacheprovider", "-q", *extra)


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "two xdist workers"])
def test_a_run_that_logs_an_id_number_fails_at_the_end_naming_the_test(pytester, monkeypatch, workers):
    result = _run(pytester, monkeypatch, f"""
import logging

def test_leaks():
    logging.getLogger("core.seekers").debug("registered %s", "{ID_NUMBER}")

def test_quiet():
    logging.getLogger("webapp").info("posting 17 saved")
""", *workers)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*personal data in the logs*",
                                 "*test_sample.py::test_leaks: core.seekers DEBUG id_number*", "*2 passed*"])
    assert ID_NUMBER not in result.stdout.str()


def test_a_clean_run_passes(pytester, monkeypatch):
    result = _run(pytester, monkeypatch, """
import logging

def test_quiet():
    logging.getLogger("webapp").warning("posting 17 saved, phone 139****4321")
""")
    assert result.ret == 0
    assert "personal data in the logs" not in result.stdout.str()
