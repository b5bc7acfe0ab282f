from __future__ import annotations

from dashboard.accounts.passwords import hash_password, verify_password


def test_a_password_is_stored_as_an_argon2id_hash_not_in_clear() -> None:
    stored = hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


def test_only_the_right_password_matches_its_hash() -> None:
    stored = hash_password("correct horse battery")

    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery ")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("not a hash", "correct horse battery")
