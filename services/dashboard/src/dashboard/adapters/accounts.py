"""Every query on staff accounts and sign-in sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.auth import Role
from dashboard.accounts.model import PractitionerTaken, StaffAccount
from dashboard.adapters.orm import staff_accounts, staff_sessions

_ACCOUNT_COLUMNS = (
    staff_accounts.c.id,
    staff_accounts.c.name,
    staff_accounts.c.email,
    staff_accounts.c.role,
    staff_accounts.c.active,
    staff_accounts.c.practitioner_id,
    staff_accounts.c.language,
)


def _account(m: sa.RowMapping) -> StaffAccount:
    return StaffAccount(
        m["id"],
        m["name"],
        m["email"],
        Role(m["role"]),
        bool(m["active"]),
        practitioner_id=m["practitioner_id"],
        language=m["language"],
    )


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account: StaffAccount, password_hash: str, now: datetime) -> None:
        """Add the account; PractitionerTaken when its practitioner was linked meanwhile."""
        try:
            async with self.session.begin_nested():
                await self._insert(account, password_hash, now)
        except IntegrityError as exc:
            if account.practitioner_id is None:
                raise
            raise PractitionerTaken() from exc

    async def _insert(self, account: StaffAccount, password_hash: str, now: datetime) -> None:
        await self.session.execute(
            staff_accounts.insert().values(
                id=account.id,
                name=account.name,
                email=account.email,
                role=account.role.value,
                password_hash=password_hash,
                active=account.active,
                practitioner_id=account.practitioner_id,
                created_at=now,
            )
        )

    async def get(self, account_id: uuid.UUID) -> StaffAccount | None:
        query = sa.select(*_ACCOUNT_COLUMNS).where(staff_accounts.c.id == account_id)
        row = (await self.session.execute(query)).first()
        return _account(row._mapping) if row else None

    async def by_email(self, email: str) -> StaffAccount | None:
        query = sa.select(*_ACCOUNT_COLUMNS).where(staff_accounts.c.email == email)
        row = (await self.session.execute(query)).first()
        return _account(row._mapping) if row else None

    async def with_hash(self, email: str) -> tuple[StaffAccount, str] | None:
        query = sa.select(*_ACCOUNT_COLUMNS, staff_accounts.c.password_hash).where(
            staff_accounts.c.email == email
        )
        row = (await self.session.execute(query)).first()
        return (_account(row._mapping), str(row.password_hash)) if row else None

    async def email_taken(self, email: str) -> bool:
        query = sa.select(staff_accounts.c.id).where(staff_accounts.c.email == email)
        return (await self.session.execute(query)).first() is not None

    async def linked_to(self, practitioner_id: uuid.UUID) -> StaffAccount | None:
        """The account linked to the scheduling practitioner, if any."""
        query = sa.select(*_ACCOUNT_COLUMNS).where(
            staff_accounts.c.practitioner_id == practitioner_id
        )
        row = (await self.session.execute(query)).first()
        return _account(row._mapping) if row else None

    async def set_practitioner(
        self, account_id: uuid.UUID, practitioner_id: uuid.UUID | None
    ) -> None:
        """Link the account; PractitionerTaken when another account took the practitioner
        meanwhile (two admins at once: the unique constraint decides, and this one waits for
        the other's commit to learn it)."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    staff_accounts.update()
                    .where(staff_accounts.c.id == account_id)
                    .values(practitioner_id=practitioner_id)
                )
        except IntegrityError as exc:
            raise PractitionerTaken() from exc

    async def list(self) -> list[StaffAccount]:
        query = sa.select(*_ACCOUNT_COLUMNS).order_by(staff_accounts.c.name)
        return [_account(row._mapping) for row in await self.session.execute(query)]

    async def set_active(self, account_id: uuid.UUID, active: bool) -> None:
        await self.session.execute(
            staff_accounts.update().where(staff_accounts.c.id == account_id).values(active=active)
        )

    async def set_language(self, account_id: uuid.UUID, language: str | None) -> None:
        await self.session.execute(
            staff_accounts.update()
            .where(staff_accounts.c.id == account_id)
            .values(language=language)
        )

    async def set_password_hash(self, account_id: uuid.UUID, password_hash: str) -> None:
        await self.session.execute(
            staff_accounts.update()
            .where(staff_accounts.c.id == account_id)
            .values(password_hash=password_hash)
        )


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, token_hash: str, account_id: uuid.UUID, csrf: str, now: datetime, expires: datetime
    ) -> None:
        await self.session.execute(
            staff_sessions.insert().values(
                token_hash=token_hash,
                account_id=account_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=expires,
            )
        )

    async def find(
        self, token_hash: str, now: datetime
    ) -> tuple[StaffAccount, str, datetime] | None:
        """The active account signed in under this token, the session's CSRF token and end."""
        query = (
            sa.select(*_ACCOUNT_COLUMNS, staff_sessions.c.csrf_token, staff_sessions.c.expires_at)
            .join(staff_accounts, staff_accounts.c.id == staff_sessions.c.account_id)
            .where(
                staff_sessions.c.token_hash == token_hash,
                staff_sessions.c.expires_at > now,
                staff_accounts.c.active.is_(True),
            )
        )
        row = (await self.session.execute(query)).first()
        return (_account(row._mapping), str(row.csrf_token), row.expires_at) if row else None

    async def extend(self, token_hash: str, expires: datetime) -> None:
        await self.session.execute(
            staff_sessions.update()
            .where(staff_sessions.c.token_hash == token_hash)
            .values(expires_at=expires)
        )

    async def remove(self, token_hash: str) -> None:
        await self.session.execute(
            staff_sessions.delete().where(staff_sessions.c.token_hash == token_hash)
        )

    async def remove_for(self, account_id: uuid.UUID) -> None:
        await self.session.execute(
            staff_sessions.delete().where(staff_sessions.c.account_id == account_id)
        )

    async def remove_expired(self, now: datetime) -> None:
        await self.session.execute(
            staff_sessions.delete().where(staff_sessions.c.expires_at <= now)
        )
