"""Every event inventory acts on; the consumer's unit of work, in the Scope, commits."""

from __future__ import annotations

from clinic_shared.contracts.events import (
    CourseAbandoned,
    CourseCompleted,
    CourseCreated,
    CoursePrescribed,
    PatientRegistered,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
    SessionRenumbered,
    SessionRescheduled,
)
from clinic_shared.outbox import ScopedHandler
from inventory.service_layer.completion import consume_for_completed_session
from inventory.service_layer.courses import (
    course_abandoned,
    course_completed,
    course_created,
    course_prescribed,
)
from inventory.service_layer.patients import remember_patient
from inventory.service_layer.reserving import reserve_for_booked_session
from inventory.service_layer.scope import Scope
from inventory.service_layer.session_events import (
    move_reservations,
    release_for_cancelled_session,
    release_for_missed_session,
    renumber_session,
)

EVENT_HANDLERS: dict[str, ScopedHandler[Scope]] = {
    PatientRegistered.TYPE: remember_patient,
    SessionBooked.TYPE: reserve_for_booked_session,
    SessionRescheduled.TYPE: move_reservations,
    SessionCancelled.TYPE: release_for_cancelled_session,
    SessionNoShow.TYPE: release_for_missed_session,
    SessionCompleted.TYPE: consume_for_completed_session,
    SessionRenumbered.TYPE: renumber_session,
    CourseCreated.TYPE: course_created,
    CourseCompleted.TYPE: course_completed,
    CourseAbandoned.TYPE: course_abandoned,
    CoursePrescribed.TYPE: course_prescribed,
}
