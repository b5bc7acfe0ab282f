"""When a lot shrinks or is recalled, its latest sessions give their vials up and look elsewhere."""

from __future__ import annotations

import uuid
from datetime import datetime

from inventory.domain.sessions import BookedSession
from inventory.service_layer.reserving import announce, fill_kit, release
from inventory.service_layer.scope import Scope


async def displace(scope: Scope, lot_id: uuid.UUID, keep: int) -> list[uuid.UUID]:
    """Release reservations on the lot, latest session first, until at most `keep` vials stay
    reserved; return the sessions that lost vials."""
    held = await scope.sessions.reservations_on_lot(lot_id)
    total = sum(r.quantity for r in held)
    moved: list[uuid.UUID] = []
    for reservation in held:
        if total <= keep:
            break
        await release(scope, [reservation])
        total -= reservation.quantity
        moved.append(reservation.session_id)
    return moved


async def refill(scope: Scope, session_ids: list[uuid.UUID], now: datetime) -> list[BookedSession]:
    """Re-reserve for sessions that lost vials, earliest first; announce each outcome."""
    repo = scope.sessions
    sessions = [s for s in [await repo.get(i) for i in set(session_ids)] if s is not None]
    for booked in sorted(sessions, key=lambda s: (s.starts_at, str(s.session_id))):
        await announce(scope, booked, await fill_kit(scope, booked, now))
    return sessions
