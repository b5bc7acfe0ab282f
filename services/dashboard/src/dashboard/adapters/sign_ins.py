"""Every query on where accounts signed in from, and on their sign-in alerts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dashboard.accounts.delays import SignInAlert
from dashboard.adapters.orm import known_sign_in_sources as sources
from dashboard.adapters.orm import sign_in_alerts as alerts


class SourceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known(self, account_id: uuid.UUID, kind: str, key_hash: str, since: datetime) -> bool:
        """The account signed in from this source at `since` or later."""
        query = sa.select(sources.c.key_hash).where(
            sources.c.account_id == account_id,
            sources.c.kind == kind,
            sources.c.key_hash == key_hash,
            sources.c.last_signed_in_at >= since,
        )
        return (await self.session.execute(query)).first() is not None

    async def issued(self, kind: str, key_hash: str) -> bool:
        """Some account signed in from this source (a device cookie the dashboard gave out)."""
        query = sa.select(sources.c.key_hash).where(
            sources.c.kind == kind, sources.c.key_hash == key_hash
        )
        return (await self.session.execute(query.limit(1))).first() is not None

    async def remember(
        self, account_id: uuid.UUID, kind: str, key_hash: str, now: datetime
    ) -> None:
        row = {"account_id": account_id, "kind": kind, "key_hash": key_hash}
        await self.session.execute(
            insert(sources)
            .values(**row, last_signed_in_at=now)
            .on_conflict_do_update(index_elements=list(row), set_={"last_signed_in_at": now})
        )

    async def forget_older(self, account_id: uuid.UUID, kind: str, before: datetime) -> None:
        await self.session.execute(
            sources.delete().where(
                sources.c.account_id == account_id,
                sources.c.kind == kind,
                sources.c.last_signed_in_at < before,
            )
        )


def _alert(m: sa.RowMapping) -> SignInAlert:
    return SignInAlert(m["account_id"], m["failures"], m["since"], m["last_at"], m["owner_told_at"])


class AlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, account_id: uuid.UUID, *, failures: int, since: datetime, now: datetime
    ) -> None:
        """Add to the alert the account's owner has not been told of yet, or start one. One
        statement, so wrong passwords answered at once on several replicas all add up."""
        untold = alerts.c.owner_told_at.is_(None)
        statement = insert(alerts).values(
            account_id=account_id, failures=failures, since=since, last_at=now
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[alerts.c.account_id],
                index_where=untold,
                set_={
                    "failures": alerts.c.failures + statement.excluded.failures,
                    "since": sa.func.least(alerts.c.since, statement.excluded.since),
                    "last_at": sa.func.greatest(alerts.c.last_at, statement.excluded.last_at),
                },
            )
        )

    async def untold(self, account_id: uuid.UUID) -> SignInAlert | None:
        query = sa.select(alerts).where(
            alerts.c.account_id == account_id, alerts.c.owner_told_at.is_(None)
        )
        row = (await self.session.execute(query)).first()
        return _alert(row._mapping) if row else None

    async def tell_owner(self, account_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            alerts.update()
            .where(alerts.c.account_id == account_id, alerts.c.owner_told_at.is_(None))
            .values(owner_told_at=now)
        )

    async def since(self, moment: datetime) -> list[SignInAlert]:
        """Alerts with a wrong password at `moment` or later, the latest first."""
        query = (
            sa.select(alerts).where(alerts.c.last_at >= moment).order_by(alerts.c.last_at.desc())
        )
        return [_alert(row._mapping) for row in await self.session.execute(query)]
