"""Event contracts: the envelope, the event models and the registry that parses them."""

from __future__ import annotations

from clinic_shared.contracts.envelope import Envelope, Event
from clinic_shared.contracts.events import ALL_EVENTS
from clinic_shared.errors import PermanentMessageError

REGISTRY: dict[tuple[str, int], type[Event]] = {(e.TYPE, e.VERSION): e for e in ALL_EVENTS}


def parse_event(envelope: Envelope) -> Event:
    """Validate an envelope's data against its contract; unknown or invalid is permanent."""
    contract = REGISTRY.get((envelope.type, envelope.version))
    if contract is None:
        raise PermanentMessageError(f"no contract for {envelope.type} v{envelope.version}")
    try:
        return contract.model_validate(envelope.data)
    except ValueError as exc:
        raise PermanentMessageError(f"{envelope.type} v{envelope.version}: {exc}") from exc


__all__ = ["REGISTRY", "Envelope", "Event", "parse_event"]
