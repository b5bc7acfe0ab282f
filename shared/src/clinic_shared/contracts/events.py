"""Every event contract of the product, in one module, versioned.

The producing service owns its contracts. Changes are additive; a breaking change is a new VERSION
class next to the old one, and producers emit both until every consumer reads the new one.
Consumers read with extra="ignore" and depend only on the fields they use.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from clinic_shared.contracts.envelope import Event

Channel = Literal["sms", "email"]

# --- scheduling ---------------------------------------------------------------------------------


class PatientRegistered(Event):
    """A patient's identity and contact details (the only events that carry contacts).

    Consent belongs to notifications' ledger (`notifications.consent.changed`). A registration's
    consent is the one the patient gave at the desk; an update's is only scheduling's copy of the
    ledger's, which may be stale, and no consumer may take it as a change of consent.
    """

    TYPE = "scheduling.patient.registered"
    VERSION = 1

    patient_id: uuid.UUID
    first_name: str
    last_name: str
    phone: str | None = None
    email: str | None = None
    language: str = "en"
    preferred_channel: Channel = "sms"
    consent_sms: bool = False
    consent_email: bool = False


class PatientUpdated(PatientRegistered):
    TYPE = "scheduling.patient.updated"
    VERSION = 1


class PatientErased(Event):
    """The patient asked to be forgotten: consumers drop what identifies or reaches them."""

    TYPE = "scheduling.patient.erased"
    VERSION = 1

    patient_id: uuid.UUID
    erased_at: AwareDatetime


class CourseFacts(Event):
    """What every course event says about its course."""

    course_id: uuid.UUID
    patient_id: uuid.UUID
    practitioner_id: uuid.UUID
    treatment_code: str
    sessions_planned: int = Field(ge=1, le=20)


class CourseCreated(CourseFacts):
    TYPE = "scheduling.course.created"
    VERSION = 1


class CourseCompleted(CourseFacts):
    TYPE = "scheduling.course.completed"
    VERSION = 1


class CourseAbandoned(CourseFacts):
    TYPE = "scheduling.course.abandoned"
    VERSION = 1


class CourseGapsAccepted(CourseFacts):
    """Staff accepted the course's gaps (sessions further apart than its interval allows)."""

    TYPE = "scheduling.course.gaps_accepted"
    VERSION = 1

    accepted_by: str  # the staff member's token subject, never a patient
    gaps: int = Field(ge=1)  # how many gaps this acceptance covered


class KitAdjustment(BaseModel):
    """A prescribed change to the treatment's kit: this many vials of the product per session
    (0: without it, as "without lidocaine"; a product the kit lacks is added)."""

    product_code: str
    quantity: int = Field(ge=0, le=20)


class CoursePrescribed(CourseFacts):
    """The course's prescription as it now stands, for the sessions not yet done: sent when the
    course opens and at every change. `revision` grows by one with each change, so a consumer
    keeps the highest it has seen, whatever order they arrive in."""

    TYPE = "scheduling.course.prescribed"
    VERSION = 1

    revision: int = Field(ge=1)
    min_interval_days: int = Field(ge=1)
    max_interval_days: int = Field(ge=1)
    kit_adjustments: list[KitAdjustment] = Field(default_factory=list)


class CourseRebookingDue(CourseFacts):
    """The course's next session is not booked and its window closes soon (once per window)."""

    TYPE = "scheduling.course.rebooking_due"
    VERSION = 1

    next_sequence: int = Field(ge=1)
    window_opens_on: date  # clinic-local calendar days
    window_closes_on: date


class Action(BaseModel):
    """The one staff or patient action an event came from: booking a whole course, or moving
    a session with the ones after it, is one action of several events."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID
    at: AwareDatetime
    sessions: int = Field(ge=1, description="How many sessions the action booked, moved or ended.")


class SessionFacts(Event):
    """What every session event says about its session (and, since it was added, its action:
    older events have none, and each was an action of its own)."""

    session_id: uuid.UUID
    course_id: uuid.UUID
    patient_id: uuid.UUID
    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    treatment_code: str
    sequence: int = Field(ge=1)
    sessions_planned: int = Field(ge=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    action: Action | None = None
    revision: int = Field(
        0,
        ge=0,
        description="The session's calendar revision (iCalendar SEQUENCE): it grows on every "
        "move and on a cancel; 0 in events from before it was added.",
    )


class SessionBooked(SessionFacts):
    TYPE = "scheduling.session.booked"
    VERSION = 1


class SessionRescheduled(SessionFacts):
    TYPE = "scheduling.session.rescheduled"
    VERSION = 1

    previous_starts_at: AwareDatetime


class SessionCancelled(SessionFacts):
    TYPE = "scheduling.session.cancelled"
    VERSION = 1

    reason: str | None = None


class SessionDisplaced(SessionFacts):
    """Time off or a closure was recorded over the booked session (staff forced it): it must
    move. Sent once, when the session is first covered; the patient may pick a new time."""

    TYPE = "scheduling.session.displaced"
    VERSION = 1


class SessionNoShow(SessionFacts):
    TYPE = "scheduling.session.no_show"
    VERSION = 1


class SessionRenumbered(SessionFacts):
    """An earlier session was booked, moved past it, cancelled or missed: its number changed."""

    TYPE = "scheduling.session.renumbered"
    VERSION = 1

    previous_sequence: int = Field(ge=1)


class ProductUsed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    product_code: str
    lot_number: str
    quantity: int = Field(ge=1)


class SessionCompleted(SessionFacts):
    TYPE = "scheduling.session.completed"
    VERSION = 1

    products_used: list[ProductUsed] = Field(default_factory=list)


# --- inventory ----------------------------------------------------------------------------------


class ShortLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    product_code: str
    quantity_short: int = Field(ge=1)


class StockShortage(Event):
    """A booked session's kit could not be fully reserved."""

    TYPE = "inventory.stock.shortage"
    VERSION = 1

    session_id: uuid.UUID
    session_starts_at: AwareDatetime
    lines: list[ShortLine]


class StockReserved(Event):
    """A booked session's kit is now fully reserved (after a shortage, or at once)."""

    TYPE = "inventory.stock.reserved"
    VERSION = 1

    session_id: uuid.UUID
    session_starts_at: AwareDatetime


class ReorderSuggested(Event):
    TYPE = "inventory.reorder.suggested"
    VERSION = 1

    product_code: str
    quantity: int = Field(ge=1)
    projected_stockout_on: date | None = None
    reason: str = ""


class LotExpiring(Event):
    TYPE = "inventory.lot.expiring"
    VERSION = 1

    lot_id: uuid.UUID
    product_code: str
    lot_number: str
    expires_on: date
    unreserved_quantity: int = Field(ge=0)


class LotRecalled(Event):
    TYPE = "inventory.lot.recalled"
    VERSION = 1

    lot_id: uuid.UUID
    product_code: str
    lot_number: str
    patient_ids: list[uuid.UUID] = Field(default_factory=list)
    session_ids: list[uuid.UUID] = Field(default_factory=list)


class OrderLineFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    product_code: str
    product_name: str = ""
    quantity: int = Field(ge=1)
    received: int = Field(0, ge=0)
    unit: str = "vial"


class PurchaseOrderFacts(Event):
    """A purchase order as it stands after the step the event names."""

    order_id: uuid.UUID
    supplier_id: uuid.UUID
    supplier_name: str
    lines: list[OrderLineFacts] = Field(default_factory=list)


class PurchaseOrderDrafted(PurchaseOrderFacts):
    TYPE = "inventory.purchase_order.drafted"
    VERSION = 1


class PurchaseOrderSent(PurchaseOrderFacts):
    """Staff sent the order; notifications emails it when the supplier has an address (a
    supplier's business address, not a patient's)."""

    TYPE = "inventory.purchase_order.sent"
    VERSION = 1

    supplier_email: str | None = None
    expected_on: date | None = None


class PurchaseOrderReceived(PurchaseOrderFacts):
    """A delivery was received against the order; `complete` once nothing is due."""

    TYPE = "inventory.purchase_order.received"
    VERSION = 1

    product_code: str
    quantity: int = Field(ge=1)
    lot_number: str
    complete: bool = False


class PurchaseOrderCancelled(PurchaseOrderFacts):
    TYPE = "inventory.purchase_order.cancelled"
    VERSION = 1


# --- notifications ------------------------------------------------------------------------------


class SessionConfirmedByPatient(Event):
    TYPE = "notifications.session.confirmed"
    VERSION = 1

    session_id: uuid.UUID
    patient_id: uuid.UUID
    confirmed_at: AwareDatetime


class SessionCancelRequested(Event):
    """The patient asked (by SMS reply) to move or cancel: staff call them back."""

    TYPE = "notifications.session.cancel_requested"
    VERSION = 1

    session_id: uuid.UUID
    patient_id: uuid.UUID
    requested_at: AwareDatetime


class ConsentChanged(Event):
    """A patient's consent as notifications' ledger now has it, whole (the ledger owns consent).

    `revision` grows with every change of the patient's consent: a copy keeps the highest.
    """

    TYPE = "notifications.consent.changed"
    VERSION = 1

    patient_id: uuid.UUID
    consent_sms: bool
    consent_email: bool
    revision: int = Field(ge=1)
    changed_at: AwareDatetime


MessageKind = Literal[
    "confirmation", "reminder", "aftercare", "nudge", "cancellation", "displaced", "staff_alert"
]


class MessageFacts(Event):
    message_id: uuid.UUID
    patient_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    kind: MessageKind
    channel: Channel


class MessageSent(MessageFacts):
    TYPE = "notifications.message.sent"
    VERSION = 1


class MessageFailed(MessageFacts):
    TYPE = "notifications.message.failed"
    VERSION = 1

    error: str = ""


ALL_EVENTS: tuple[type[Event], ...] = (
    PatientRegistered,
    PatientUpdated,
    PatientErased,
    CourseCreated,
    CourseCompleted,
    CourseAbandoned,
    CourseGapsAccepted,
    CoursePrescribed,
    CourseRebookingDue,
    SessionBooked,
    SessionRescheduled,
    SessionCancelled,
    SessionNoShow,
    SessionDisplaced,
    SessionCompleted,
    SessionRenumbered,
    StockShortage,
    StockReserved,
    ReorderSuggested,
    LotExpiring,
    LotRecalled,
    PurchaseOrderDrafted,
    PurchaseOrderSent,
    PurchaseOrderReceived,
    PurchaseOrderCancelled,
    SessionConfirmedByPatient,
    SessionCancelRequested,
    ConsentChanged,
    MessageSent,
    MessageFailed,
)
