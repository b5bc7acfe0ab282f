"""Who may act on a session and read a patient, beyond what a role may do at all.

A practitioner acts only on their own sessions and reads only the patients they treat; their
token names the scheduling practitioner they are (`practitioner_id`). A practitioner's token
that names none acts on no session and reads no patient. Other roles are not narrowed here:
the access table of the routes decides for them.
"""

from __future__ import annotations

import uuid

from scheduling.domain.audit import Actor
from scheduling.domain.errors import NotTheirPatient, NotTheirSession

PRACTITIONER = "practitioner"


def narrowed_to(actor: Actor | None) -> uuid.UUID | None:
    """The practitioner whose sessions and patients alone `actor` may touch; None when the
    actor is not a practitioner (not narrowed). A practitioner naming none is narrowed to
    no one: a nil id no practitioner has."""
    if actor is None or actor.role != PRACTITIONER:
        return None
    return actor.practitioner_id or uuid.UUID(int=0)


def check_acts_on_session(actor: Actor | None, session_practitioner: uuid.UUID) -> None:
    """Raise NotTheirSession when a practitioner acts on another practitioner's session."""
    own = narrowed_to(actor)
    if own is not None and own != session_practitioner:
        raise NotTheirSession()


def check_reads_patient(actor: Actor | None, *, treats: bool) -> None:
    """Raise NotTheirPatient when a practitioner reads a patient they do not treat."""
    if narrowed_to(actor) is not None and not treats:
        raise NotTheirPatient()
