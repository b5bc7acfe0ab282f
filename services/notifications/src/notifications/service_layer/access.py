"""A practitioner's reach here: the patients they treat (issue 28).

Notifications knows who treats whom from its copy of scheduling's sessions: a patient is a
practitioner's when the patient has a session with them. A session copied before the copy kept
its practitioner names no one until its next event, so its patient is nobody's here: a
practitioner is shown less, never more.
"""

from __future__ import annotations

import uuid

from clinic_shared.auth import Principal, Role

NOBODY = uuid.UUID(int=0)
"""What a practitioner's token naming no practitioner is narrowed to: no session has it."""


def treated_by(who: Principal) -> uuid.UUID | None:
    """The practitioner to whose patients `who` is narrowed; None when not narrowed."""
    if who.role is not Role.PRACTITIONER:
        return None
    return who.practitioner_id or NOBODY
