from __future__ import annotations

import pytest

from core.crypto import PersonalDataCipher


def test_round_trip_and_ciphertext_hides_the_value():
    enc, hsh = PersonalDataCipher.generate_keys()
    cipher = PersonalDataCipher(enc, hsh)
    token = cipher.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert cipher.decrypt(token) == "11010519491231002X"


def test_lookup_hash_is_keyed_and_stable():
    enc, _ = PersonalDataCipher.generate_keys()
    a = PersonalDataCipher(enc, "key-a")
    b = PersonalDataCipher(enc, "key-b")
    assert a.lookup_hash("x") == a.lookup_hash("x")
    assert a.lookup_hash("x") != b.lookup_hash("x")


def test_wrong_key_fails_without_echoing_data():
    enc1, h = PersonalDataCipher.generate_keys()
    enc2, _ = PersonalDataCipher.generate_keys()
    token = PersonalDataCipher(enc1, h).encrypt("11010519491231002X")
    with pytest.raises(ValueError) as info:
        PersonalDataCipher(enc2, h).decrypt(token)
    assert "1101" not in str(info.value)
