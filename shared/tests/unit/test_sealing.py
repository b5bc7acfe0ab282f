"""Sealing contact details: only the keyring opens them, old keys still do, tampering is caught."""

from __future__ import annotations

import base64

import pytest

from clinic_shared.crypto import Keyring, KeyringError, new_key

INDEX = new_key()
FIXED = base64.b64encode(bytes(range(32))).decode()  # parameters must not vary between workers


def ring(spec: str) -> Keyring:
    return Keyring.parse(spec, INDEX)


OLD, NEW = f"k1:{new_key()}", f"k2:{new_key()}"


def test_a_sealed_phone_reads_back_and_shows_nothing_of_itself() -> None:
    keyring = ring(OLD)
    sealed = keyring.seal("+447911123456")
    assert keyring.open(sealed) == "+447911123456"
    assert "7911" not in sealed
    assert sealed.startswith("enc1.k1.")
    assert keyring.seal("+447911123456") != sealed  # a fresh nonce each time


def test_after_rotation_the_old_key_still_opens_and_the_new_one_seals() -> None:
    sealed_before = ring(OLD).seal("amelia@example.com")
    rotated = ring(f"{NEW},{OLD}")
    assert rotated.open(sealed_before) == "amelia@example.com"
    assert rotated.seal("x").startswith("enc1.k2.")
    assert not rotated.sealed_with_active(sealed_before)


def test_a_value_sealed_with_a_retired_key_cannot_be_read() -> None:
    sealed = ring(OLD).seal("amelia@example.com")
    with pytest.raises(KeyringError, match="no key opens"):
        ring(NEW).open(sealed)


def test_a_tampered_value_is_refused() -> None:
    keyring = ring(OLD)
    sealed = keyring.seal("amelia@example.com")
    prefix, payload = sealed.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[20] ^= 1  # one bit of the ciphertext
    flipped = f"{prefix}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(KeyringError, match="altered"):
        keyring.open(flipped)


def test_the_blind_index_matches_equal_values_only_and_depends_on_the_index_key() -> None:
    keyring = ring(OLD)
    assert keyring.index("+447911123456") == ring(NEW).index("+447911123456")
    assert keyring.index("+447911123456") != keyring.index("+447911123457")
    other = Keyring.parse(OLD, new_key())
    assert other.index("+447911123456") != keyring.index("+447911123456")


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("", "at least one"),
        ("k1", "<id>:<base64 key>"),
        ("k-1:" + FIXED, "letters or digits"),
        ("k1:not base64!", "base64"),
        ("k1:" + FIXED[:12], "32 bytes"),
        (f"k1:{FIXED},k1:{FIXED}", "twice"),
    ],
    ids=["empty", "no id", "bad id", "not base64", "short", "twice"],
)
def test_unusable_key_specs_are_refused_saying_why(spec: str, reason: str) -> None:
    with pytest.raises(KeyringError, match=reason.replace("<", ".").replace(">", ".")):
        ring(spec)
