from __future__ import annotations

import pytest

from core.accounts.services import authenticate, create_user, hash_password, validate_password, verify_password
from core.errors import DomainError


def test_password_hash_is_argon2id_with_owasp_parameters():
    h = hash_password("a-long-enough-passphrase")
    assert h.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in h
    assert verify_password(h, "a-long-enough-passphrase")
    assert not verify_password(h, "a-long-enough-passphrasE")


@pytest.mark.parametrize(
    "password, code",
    [("short1!", "weak_password"), ("password1234", "common_password"), ("aaaaaaaaaaaaaa", "weak_password")],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(DomainError) as info:
        validate_password(password)
    assert info.value.code == code and info.value.field == "password"


def test_commissioner_needs_a_known_jurisdiction(db_session):
    with pytest.raises(DomainError) as info:
        create_user(db_session, username="zhuanyuan1", password="Lin-Yi-Lan-Shan-2026", role="commissioner")
    assert info.value.field == "region_code"
    with pytest.raises(DomainError) as info:
        create_user(db_session, username="zhuanyuan1", password="Lin-Yi-Lan-Shan-2026", role="commissioner", region_code="999999")
    assert info.value.code == "unknown_region"
    user = create_user(db_session, username="zhuanyuan1", password="Lin-Yi-Lan-Shan-2026", role="commissioner", region_code="371300")
    assert user.region_code == "371300"


def test_username_unique_case_insensitively_and_authenticate(db_session):
    create_user(db_session, username="Wang.Fang", password="Lin-Yi-Lan-Shan-2026", role="jobseeker")
    with pytest.raises(DomainError) as info:
        create_user(db_session, username="wang.fang", password="Lin-Yi-Lan-Shan-2026", role="jobseeker")
    assert info.value.code == "username_taken"
    assert authenticate(db_session, "wang.fang", "Lin-Yi-Lan-Shan-2026").username == "Wang.Fang"
    assert authenticate(db_session, "wang.fang", "wrong-password-xx") is None
    assert authenticate(db_session, "nobody", "Lin-Yi-Lan-Shan-2026") is None


def test_user_create_command(runner, db_session):
    result = runner.invoke(
        args=["user", "create", "--username", "linyi_zy", "--role", "commissioner", "--region", "371300",
              "--password", "Lin-Yi-Lan-Shan-2026"]
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        args=["user", "create", "--username", "linyi_zy2", "--role", "commissioner", "--password", "Lin-Yi-Lan-Shan-2026"]
    )
    assert bad.exit_code != 0 and "region_code" in bad.output
