"""The SMS provider's delivery reports: sent messages become delivered or failed."""

from __future__ import annotations

from notifications.service_layer.alerts import alert_failed_message
from notifications.service_layer.scope import Scope

DELIVERED = {"delivered", "read"}
UNDELIVERED = {"undelivered", "failed"}


async def record_delivery_status(
    scope: Scope, *, provider_id: str, status: str, error_code: str | None
) -> bool:
    """Apply a final report to the sent message it names; False when nothing changed.

    An undelivered message raises a staff alert.
    """
    if status in DELIVERED:
        values: dict[str, object] = {"status": "delivered", "delivered_at": scope.now}
    elif status in UNDELIVERED:
        values = {"status": "failed", "last_error": f"undelivered (code {error_code or '?'})"}
    else:
        return False  # queued, sending, sent: nothing new
    message = await scope.messages.report_delivery(provider_id, values, now=scope.now)
    if message is None:
        return False
    if values["status"] == "failed":
        await alert_failed_message(scope, message, str(values["last_error"]))
    return True
