"""SQL for products and kits."""

from __future__ import annotations

import functools
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from inventory.adapters.orm import kit_items, products
from inventory.domain.catalogue import KitLine, Product


class ProductRepository(Repository):
    async def get(self, code: str) -> Product | None:
        row = (
            await self._session.execute(sa.select(products).where(products.c.code == code))
        ).one_or_none()
        return Product(**row._mapping) if row else None

    async def list(self) -> list[Product]:
        rows = await self._session.execute(sa.select(products).order_by(products.c.code))
        return [Product(**r._mapping) for r in rows]

    async def codes(self) -> set[str]:
        return set((await self._session.scalars(sa.select(products.c.code))).all())

    async def add(self, product: Product) -> None:
        await self._session.execute(sa.insert(products).values(**asdict(product)))

    async def update(self, code: str, changes: dict[str, Any]) -> None:
        await self._session.execute(
            sa.update(products).where(products.c.code == code).values(**changes)
        )


# The first key of the kit's advisory locks (`pg_advisory_xact_lock(int, int)`); the second is
# the treatment code's hash.
KIT_LOCK_SPACE = 0x4B17


@functools.cache
def _kit_lock(name: str) -> Direct:
    """The kit's lock statement, built once and sent on asyncpg itself (`clinic_shared.direct`):
    every booked or moved session takes the shared one, then reads its course's adjustments
    (`inventory.adapters.courses`), sent the same way. Measured (issue 27 item 3) on the
    pipeline's bookings paced at 50 a second, six waves of 300 each way, interleaved, on the
    loaded 2-core machine: inventory's CPU per booking went from a median 5.4 ms to 4.8 ms
    (0.86 to 0.72 of scheduling's in the same waves)."""
    key = sa.func.hashtext(sa.bindparam("treatment_code", type_=sa.String))
    return Direct(sa.select(getattr(sa.func, name)(KIT_LOCK_SPACE, key)))


class KitRepository(Repository):
    async def lock_for_change(self, treatment_code: str) -> None:
        """Hold the treatment's kit still against bookings until this transaction ends.

        A booking records its session and reads the kit in one statement; a kit change cannot
        lock a session row not yet written, so without this a booking racing the change could
        read the old kit and commit after the change had passed its sessions. The change takes
        this advisory lock exclusively, each booking shared (`hold_steady`): a booking waits
        for the change's commit and reads the new kit, or the change waits for the booking's
        commit and sees its session. Two-key form on a fixed space, so other advisory locks
        never collide with it; a hash collision of two codes only makes one wait.
        (`tests/integration/test_kit_changes.py` races bookings against a change.)
        """
        await _kit_lock("pg_advisory_xact_lock").run(
            self._session, {"treatment_code": treatment_code}
        )

    async def hold_steady(self, treatment_code: str) -> None:
        """Wait for a change of the treatment's kit to commit, and keep one from starting
        until this transaction ends (see `lock_for_change`)."""
        await _kit_lock("pg_advisory_xact_lock_shared").run(
            self._session, {"treatment_code": treatment_code}
        )

    async def get(self, treatment_code: str) -> list[KitLine]:
        rows = await self._session.execute(
            sa.select(kit_items.c.product_code, kit_items.c.quantity)
            .where(kit_items.c.treatment_code == treatment_code)
            .order_by(kit_items.c.product_code)
        )
        return [KitLine(r.product_code, r.quantity) for r in rows]

    async def treatment_codes(self) -> set[str]:
        return set(
            (await self._session.scalars(sa.select(kit_items.c.treatment_code).distinct())).all()
        )

    async def replace(self, treatment_code: str, lines: list[KitLine]) -> None:
        await self._session.execute(
            sa.delete(kit_items).where(kit_items.c.treatment_code == treatment_code)
        )
        if lines:
            await self._session.execute(
                sa.insert(kit_items),
                [{"treatment_code": treatment_code, **asdict(line)} for line in lines],
            )
