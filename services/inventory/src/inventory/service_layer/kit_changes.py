"""A kit change reaches the sessions already booked, in the transaction that makes it.

Each booked session of the treatment still to come gives back what it held of the products
whose line changed (or went), then, earliest session first, takes what the new kit asks FEFO, or
is recorded short of it; what it gave back goes to sessions short of it. Every session changed
is announced (`inventory.stock.reserved` or `.shortage`) and its shortage alerts follow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from clinic_shared.errors import NotFound
from inventory.domain.catalogue import KitLine, check_kit_lines
from inventory.domain.sessions import BookedSession
from inventory.service_layer.reserving import announce, fill_kit, fill_shortages, release
from inventory.service_layer.scans import review_reorders_after_commit
from inventory.service_layer.scope import Scope


class Treatments(Protocol):
    """Scheduling's word on whether it holds a treatment."""

    async def known(self, treatment_code: str) -> bool: ...


async def replace_kit(
    scope: Scope,
    treatment_code: str,
    lines: list[KitLine],
    *,
    now: datetime,
    treatments: Treatments,
) -> list[KitLine]:
    """Set what one session of the treatment uses, and apply it to its booked sessions.

    A treatment with no kit yet is one scheduling must hold (NotFound otherwise), so a mistyped
    code is refused rather than given a kit no session will ever use."""
    check_kit_lines(lines, await scope.products.codes())
    kits = scope.kits
    if not await kits.get(treatment_code) and not await treatments.known(treatment_code):
        raise NotFound(
            f"No treatment {treatment_code!r}.",
            errors=[{"field": "path.treatment_code", "reason": "unknown treatment"}],
        )
    await kits.lock_for_change(treatment_code)
    before = {line.product_code: line.quantity for line in await kits.get(treatment_code)}
    after = {line.product_code: line.quantity for line in lines}
    changed = {code for code in before.keys() | after.keys() if before.get(code) != after.get(code)}
    await kits.replace(treatment_code, lines)
    if changed:
        await _rebook(scope, treatment_code, changed, now)
        review_reorders_after_commit(scope, changed, now)
    return await kits.get(treatment_code)


async def _rebook(scope: Scope, treatment_code: str, changed: set[str], now: datetime) -> None:
    repo = scope.sessions
    booked: list[BookedSession] = []
    freed: set[str] = set()
    for session_id in await repo.booked_for_treatment(treatment_code, now):
        session = await repo.get(session_id)
        assert session is not None  # locked just now; sessions are never deleted
        held = [r for r in await repo.reservations(session_id) if r.product_code in changed]
        freed |= await release(scope, held)
        for product_code in changed:
            await repo.set_shortage(session_id, product_code, 0)
        booked.append(session)
    for session in booked:  # all given back first, so the earliest session takes first, FEFO
        await announce(scope, session, await fill_kit(scope, session, now))
    await fill_shortages(scope, freed, now)
