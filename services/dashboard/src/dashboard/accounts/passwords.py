"""Passwords are stored only as argon2id hashes."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id profile (19 MiB, 2 passes, 1 lane): about 0.1-0.2 s a check on this hardware.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verifying against this hash when the email is unknown takes as long as a real check, so the
# answer time does not reveal which emails have accounts.
_DECOY = _hasher.hash("not-a-real-password-decoy")


# Hashing takes a tenth of a second of CPU: it runs in a worker thread (argon2 releases the GIL),
# so a sign-in does not stall every other page the dashboard is serving meanwhile.


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DECOY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still costs one verification."""
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
