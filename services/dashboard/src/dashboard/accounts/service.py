"""Use cases on staff accounts and sign-in sessions; the caller's transaction commits."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.errors import Conflict, NotFound, Unauthorized
from dashboard.accounts import model
from dashboard.accounts.model import StaffAccount
from dashboard.accounts.passwords import hash_password, needs_rehash, verify_password
from dashboard.adapters.accounts import AccountRepository, SessionRepository
from dashboard.i18n import _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in under a session cookie, and the CSRF token of that session."""

    account: StaffAccount
    csrf_token: str


class SignInRefused(Unauthorized):
    def __init__(self) -> None:
        reason = _("That email and password do not match an active account.")
        super().__init__(reason, errors=[{"field": "password", "reason": reason}])


def token_hash(token: str) -> str:
    """Only a hash of the cookie is stored: a copy of the table signs no one in."""
    return hashlib.sha256(token.encode()).hexdigest()


async def sign_in(
    db: AsyncSession, *, email: str, password: str, now: datetime, ttl: timedelta
) -> tuple[str, SignedIn]:
    """A new session token for the account, or SignInRefused."""
    found = await AccountRepository(db).with_hash(model.normalise_email(email))
    if not await verify_password(found[1] if found else None, password) or not found:
        raise SignInRefused()
    account, stored = found
    if not account.active:
        raise SignInRefused()
    if needs_rehash(stored):
        await AccountRepository(db).set_password_hash(account.id, await hash_password(password))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    sessions = SessionRepository(db)
    await sessions.remove_expired(now)
    await sessions.add(token_hash(token), account.id, csrf, now, now + ttl)
    return token, SignedIn(account, csrf)


async def signed_in(
    db: AsyncSession, *, token: str, now: datetime, ttl: timedelta
) -> SignedIn | None:
    """Who the token signs in, or None when expired or unknown. A session in use is extended,
    once past half its life (pages poll every few seconds: not a write each time)."""
    sessions = SessionRepository(db)
    found = await sessions.find(token_hash(token), now)
    if found is None:
        return None
    account, csrf, expires_at = found
    if expires_at - now < ttl / 2:
        await sessions.extend(token_hash(token), now + ttl)
    return SignedIn(account, csrf)


async def sign_out(db: AsyncSession, *, token: str) -> None:
    await SessionRepository(db).remove(token_hash(token))


async def create_account(
    db: AsyncSession,
    *,
    name: str,
    email: str,
    role: str,
    password: str,
    now: datetime,
    practitioner_id: uuid.UUID | None = None,
) -> StaffAccount:
    """A new account; a practitioner's may be linked to their scheduling practitioner."""
    checked_role = model.check_role(role)
    account = StaffAccount(
        id=uuid.uuid4(),
        name=model.check_name(name),
        email=model.check_email(email),
        role=checked_role,
        practitioner_id=model.check_link(checked_role, practitioner_id),
    )
    model.check_password(password)
    accounts = AccountRepository(db)
    if await accounts.email_taken(account.email):
        reason = _("Another account already uses this email.")
        raise Conflict(reason, errors=[{"field": "email", "reason": reason}])
    if practitioner_id is not None:
        await _practitioner_free(accounts, practitioner_id, account.id)
    await accounts.add(account, await hash_password(password), now)
    return account


async def link_practitioner(
    db: AsyncSession, *, account_id: uuid.UUID, practitioner_id: uuid.UUID | None
) -> StaffAccount:
    """Link a practitioner's account to a scheduling practitioner (None unlinks it). The new
    link holds from the account's next page: tokens are minted per request."""
    accounts = AccountRepository(db)
    account = await accounts.get(account_id)
    if account is None:
        raise NotFound(_("No such staff account."))
    model.check_link(account.role, practitioner_id)
    if practitioner_id is not None:
        await _practitioner_free(accounts, practitioner_id, account_id)
    await accounts.set_practitioner(account_id, practitioner_id)
    return account


async def _practitioner_free(
    accounts: AccountRepository, practitioner_id: uuid.UUID, account_id: uuid.UUID
) -> None:
    """One account per practitioner: a second would act on the first one's sessions."""
    linked = await accounts.linked_to(practitioner_id)
    if linked is not None and linked.id != account_id:
        raise model.PractitionerTaken(linked.name)


async def create_first_admin(db: AsyncSession, *, email: str, password: str, now: datetime) -> None:
    """The clinic's first admin, from the environment at start, unless that email has an
    account already (a restart changes nothing, and a changed password stays changed)."""
    if await AccountRepository(db).email_taken(model.check_email(email)):
        return
    await create_account(
        db, name="Administrator", email=email, role="admin", password=password, now=now
    )
    log.info("first admin account created")


async def set_active(db: AsyncSession, *, account_id: uuid.UUID, active: bool) -> StaffAccount:
    """Deactivating an account also signs it out everywhere."""
    accounts = AccountRepository(db)
    account = await accounts.get(account_id)
    if account is None:
        raise NotFound(_("No such staff account."))
    await accounts.set_active(account_id, active)
    if not active:
        await SessionRepository(db).remove_for(account_id)
    return account


async def reset_password(db: AsyncSession, *, account_id: uuid.UUID, password: str) -> None:
    """A new password; the account's sessions end, so the old one stops working everywhere."""
    accounts = AccountRepository(db)
    if await accounts.get(account_id) is None:
        raise NotFound(_("No such staff account."))
    stored = await hash_password(model.check_password(password))
    await accounts.set_password_hash(account_id, stored)
    await SessionRepository(db).remove_for(account_id)


async def list_accounts(db: AsyncSession) -> list[StaffAccount]:
    return await AccountRepository(db).list()
