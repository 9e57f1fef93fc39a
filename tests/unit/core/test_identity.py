"""National-code validators: GB 11643 ID numbers, GB 32100 credit codes, phone numbers."""
from __future__ import annotations

import pytest

from core.errors import DomainError
from core.identity import (
    credit_code_check_char,
    id_number_check_char,
    is_valid_credit_code,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
    validate_region_code,
)

# The worked example of GB 11643-1999 and a real-format Beijing number from the standard's annex.
VALID_IDS = ["11010519491231002X", "440524188001010014"]
# Published unified social credit codes of well-known companies (public registry data).
VALID_CREDIT_CODES = ["91110000100006485K", "91440300708461136T", "914403001922038216"]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers_pass(value):
    assert validate_id_number(value) == value


def test_lowercase_x_and_spaces_are_normalised():
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, message_part",
    [
        ("11010519491231002", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194913310023", "出生日期"),
        ("11010519491231002A", "18位"),
        ("", "18位"),
    ],
)
def test_invalid_id_numbers_name_the_field_and_say_why(value, message_part):
    with pytest.raises(DomainError) as info:
        validate_id_number(value, field="id_number")
    assert info.value.code == "invalid_id_number"
    assert info.value.field == "id_number"
    assert message_part in info.value.message


def test_every_single_digit_change_is_caught_by_the_check_digit():
    base = VALID_IDS[0]
    for pos in range(17):
        for d in "0123456789":
            if d == base[pos]:
                continue
            changed = base[:pos] + d + base[pos + 1:]
            if id_number_check_char(changed[:17]) == changed[17]:
                pytest.fail(f"change at {pos} to {d} not detected")


@pytest.mark.parametrize("value", VALID_CREDIT_CODES)
def test_valid_credit_codes_pass(value):
    assert is_valid_credit_code(value)
    assert validate_credit_code(value) == value


@pytest.mark.parametrize(
    "value, message_part",
    [
        ("91110000100006485", "18位"),
        ("91110000100006485A", "校验位"),
        ("9111000010000648SK", "不允许的字符"),
        ("91110000I00006485K", "不允许的字符"),
    ],
)
def test_invalid_credit_codes(value, message_part):
    assert not is_valid_credit_code(value)
    with pytest.raises(DomainError) as info:
        validate_credit_code(value)
    assert info.value.code == "invalid_credit_code"
    assert message_part in info.value.message


def test_credit_check_char_is_in_the_alphabet():
    assert credit_code_check_char("91110000100006485") == "K"


@pytest.mark.parametrize("raw, clean", [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000")])
def test_phone_numbers(raw, clean):
    assert validate_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "010-12345678", "abc"])
def test_bad_phone_numbers(raw):
    with pytest.raises(DomainError) as info:
        validate_phone(raw)
    assert info.value.field == "phone"


def test_masks_hide_the_middle():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number("11010519491231002X") == "110***********002X"


def test_region_code_shape():
    assert validate_region_code("371302") == "371302"
    with pytest.raises(DomainError):
        validate_region_code("37130")
