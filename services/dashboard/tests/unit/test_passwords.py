from __future__ import annotations

import asyncio

from dashboard.accounts.passwords import hash_password, verify_password


async def test_a_password_is_stored_as_an_argon2id_hash_not_in_clear() -> None:
    stored = await hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


async def test_only_the_right_password_matches_its_hash() -> None:
    stored = await hash_password("correct horse battery")

    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(stored, "correct horse battery ")
    assert not await verify_password(None, "correct horse battery")
    assert not await verify_password("not a hash", "correct horse battery")


async def test_other_requests_are_served_while_a_password_is_checked() -> None:
    """A sign-in's tenth of a second of hashing must not freeze every other page."""
    stored = await hash_password("correct horse battery")
    check = asyncio.create_task(verify_password(stored, "correct horse battery"))
    turns = 0
    while not check.done():
        await asyncio.sleep(0)  # another request's turn on the event loop
        turns += 1

    assert await check
    assert turns > 1
