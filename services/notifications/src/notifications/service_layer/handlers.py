"""Notifications' reactions to other services' events; the consumer's unit of work commits."""

from __future__ import annotations

from clinic_shared.contracts.events import (
    CourseRebookingDue,
    LotExpiring,
    LotRecalled,
    PatientErased,
    PatientRegistered,
    PatientUpdated,
    PurchaseOrderCancelled,
    PurchaseOrderSent,
    ReorderSuggested,
    SessionDisplaced,
    SessionRenumbered,
    StockShortage,
)
from clinic_shared.crypto import blind_index
from clinic_shared.db import utcnow
from clinic_shared.outbox import ScopedHandler
from notifications.service_layer.alerts import (
    on_lot_expiring,
    on_lot_recalled,
    on_reorder_suggested,
    on_stock_shortage,
)
from notifications.service_layer.consent import (
    consent_from_registration,
    withdraw_sms_of_stopped_number,
)
from notifications.service_layer.erasure import erase_contact
from notifications.service_layer.nudges import on_rebooking_due
from notifications.service_layer.scope import Scope
from notifications.service_layer.sessions import (
    STATUS_BY_TYPE,
    on_session_displaced,
    on_session_event,
    on_session_renumbered,
)
from notifications.service_layer.supplier_orders import (
    on_purchase_order_cancelled,
    on_purchase_order_sent,
)


async def project_contact(event: PatientRegistered, scope: Scope) -> None:
    """Keep the newest contact details; an older event arriving late, or any event about an erased
    patient, changes nothing. Consent is the ledger's: a registration brings the consent given at
    the desk, an update none (its copy of consent may be stale)."""
    details = {
        "first_name": event.first_name,
        "phone": event.phone,
        "email": event.email,
        "phone_index": blind_index(event.phone),
        "email_index": blind_index(event.email),
        "language": event.language,
        "preferred_channel": event.preferred_channel,
        "source_occurred_at": scope.now,
        "updated_at": utcnow(),
    }
    await scope.contacts.project(event.patient_id, details)
    if event.TYPE == PatientRegistered.TYPE:
        await consent_from_registration(scope, event)
    else:
        await withdraw_sms_of_stopped_number(scope, event.patient_id, announce=True)


EVENT_HANDLERS: dict[str, ScopedHandler[Scope]] = {
    PatientRegistered.TYPE: project_contact,
    PatientUpdated.TYPE: project_contact,
    PatientErased.TYPE: erase_contact,
    **dict.fromkeys(STATUS_BY_TYPE, on_session_event),
    SessionRenumbered.TYPE: on_session_renumbered,
    SessionDisplaced.TYPE: on_session_displaced,
    CourseRebookingDue.TYPE: on_rebooking_due,
    ReorderSuggested.TYPE: on_reorder_suggested,
    LotExpiring.TYPE: on_lot_expiring,
    LotRecalled.TYPE: on_lot_recalled,
    StockShortage.TYPE: on_stock_shortage,
    PurchaseOrderSent.TYPE: on_purchase_order_sent,
    PurchaseOrderCancelled.TYPE: on_purchase_order_cancelled,
}
