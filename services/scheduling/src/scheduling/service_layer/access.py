"""A practitioner's reach: the patients they treat (see `domain/access.py` for the rule)."""

from __future__ import annotations

import uuid

from scheduling.domain.access import check_reads_patient, narrowed_to
from scheduling.service_layer.scope import Scope


async def check_treats(scope: Scope, patient_id: uuid.UUID) -> None:
    """NotTheirPatient when the caller is a practitioner who does not treat the patient (no
    course or session of theirs); nothing for other roles."""
    if (practitioner := narrowed_to(scope.actor)) is not None:
        treats = await scope.patients.treats(practitioner, patient_id)
        check_reads_patient(scope.actor, treats=treats)
