"""Who waits on which sign-in delay, and the alerts when an account's sign-ins start to wait.

Each attempt waits on one lane's count of wrong passwords: that of a device or an address the
account signed in from recently, else the account's own. A guesser elsewhere fills the
account's lane, not its owner's: the owner keeps signing in from their usual browser or place.
Devices and addresses are stored as SHA-256 hashes only.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dashboard.accounts.delays import KnownFor, SignInAlert, SignInDelays
from dashboard.accounts.model import normalise_email
from dashboard.adapters.accounts import AccountRepository
from dashboard.adapters.sign_ins import AlertRepository, SourceRepository

DEVICE, ADDRESS = "device", "address"


@dataclass(frozen=True)
class Lane:
    """The count an attempt waits on (its key is hashed by the limiter); the account, if any."""

    key: str
    account_id: uuid.UUID | None


def _hash(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def _address_hash(account_id: uuid.UUID, address: str) -> str:
    # Salted with the account: one table of hashed addresses does not match every account.
    return _hash(str(account_id), address)


async def lane_for(
    db: AsyncSession, *, email: str, device: str, address: str, now: datetime, known: KnownFor
) -> Lane:
    """The lane of an attempt on `email` from this device cookie and network address."""
    email = normalise_email(email)
    account = await AccountRepository(db).by_email(email)
    if account is None:  # unknown emails wait like real ones: the delay tells nothing
        return Lane(email, None)
    sources = SourceRepository(db)
    if device and await sources.known(account.id, DEVICE, _hash(device), now - known.device):
        return Lane(f"{email} device {_hash(device)}", account.id)
    address_hash = _address_hash(account.id, address)
    if await sources.known(account.id, ADDRESS, address_hash, now - known.address):
        return Lane(f"{email} address {address_hash}", account.id)
    return Lane(email, account.id)


async def remember_sign_in(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    device: str,
    address: str,
    now: datetime,
    known: KnownFor,
) -> str:
    """Know this device and address for the account; the device cookie to keep: the one
    presented if the dashboard gave it out, else a new one."""
    sources = SourceRepository(db)
    if not device or not await sources.issued(DEVICE, _hash(device)):
        device = secrets.token_urlsafe(32)
    await sources.remember(account_id, DEVICE, _hash(device), now)
    await sources.remember(account_id, ADDRESS, _address_hash(account_id, address), now)
    await sources.forget_older(account_id, DEVICE, now - known.device)
    await sources.forget_older(account_id, ADDRESS, now - known.address)
    return device


async def record_failure(
    db: AsyncSession, *, lane: Lane, tried: Sequence[datetime], delays: SignInDelays
) -> None:
    """A wrong password, the last of the lane's `tried`: once they make the lane wait, the
    account's alert counts it (and, on the one that starts the delay, those before it)."""
    if lane.account_id is None or len(tried) < delays.free:
        return
    starts = delays.starts_delay(len(tried))
    failures, since = (len(tried), tried[0]) if starts else (1, tried[-1])
    await AlertRepository(db).add(lane.account_id, failures=failures, since=since, now=tried[-1])


async def untold_alert(db: AsyncSession, *, account_id: uuid.UUID) -> SignInAlert | None:
    return await AlertRepository(db).untold(account_id)


async def tell_owner(db: AsyncSession, *, account_id: uuid.UUID, now: datetime) -> None:
    await AlertRepository(db).tell_owner(account_id, now)


async def alerts_since(db: AsyncSession, *, moment: datetime) -> list[SignInAlert]:
    return await AlertRepository(db).since(moment)
