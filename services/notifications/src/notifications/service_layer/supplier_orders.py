"""Purchase orders inventory sent, emailed to their supplier.

The order is kept when `inventory.purchase_order.sent` arrives (once per order, whatever the
redeliveries) and emailed by a loop: a round locks the pending orders (`FOR UPDATE SKIP
LOCKED`, so replicas never email one twice at once), sends each, and commits the outcomes. A
transient failure leaves the order for the next round, up to the dispatch's attempt limit; a
permanent one (or the limit) marks it failed and alerts staff, who then send it by hand. The
email's Message-ID is the order's id, so one sent again after a crash mid-round is one order.
An order cancelled before its email went is withdrawn (status `withdrawn`, never sent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from clinic_shared.contracts.events import PurchaseOrderCancelled, PurchaseOrderSent
from clinic_shared.runtime import ServiceRuntime
from notifications.adapters.channels import (
    Outgoing,
    PermanentSendError,
    Sender,
    TransientSendError,
)
from notifications.service_layer.alerts import raise_alert
from notifications.service_layer.rendering import Clinic
from notifications.service_layer.scope import Scope, open_scope

ROUND_SIZE = 50


async def on_purchase_order_sent(event: PurchaseOrderSent, scope: Scope) -> None:
    """Keep the order to email its supplier; a supplier without an address gets nothing."""
    if event.supplier_email:
        details = event.model_dump(mode="json", exclude={"supplier_email"})
        await scope.supplier_orders.add_once(
            event.order_id, event.supplier_email, details, now=scope.now
        )


async def on_purchase_order_cancelled(event: PurchaseOrderCancelled, scope: Scope) -> None:
    """An order cancelled before its email went is not emailed; one already emailed is
    cancelled with the supplier by staff, told by an alert."""
    status = await scope.supplier_orders.withdraw(event.order_id)
    if status == "sent":
        details = {"order_id": str(event.order_id), "supplier_name": event.supplier_name}
        await raise_alert(scope, "supplier_order_cancelled", str(event.order_id), details)


class SupplierOrderMailer:
    def __init__(
        self, runtime: ServiceRuntime, email: Sender, *, clinic: Clinic, max_attempts: int
    ) -> None:
        self._runtime = runtime
        self._email = email
        self._clinic = clinic
        self._max_attempts = max_attempts
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(["html.j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    async def send_once(self, *, now: datetime) -> int:
        """Email every pending order; how many went."""
        sent = 0
        async with open_scope(self._runtime, now=now) as scope:
            for order in await scope.supplier_orders.lock_pending(limit=ROUND_SIZE):
                status, error = await self._send(order)
                if status == "pending" and order.attempts + 1 >= self._max_attempts:
                    status = "failed"
                await scope.supplier_orders.settle(
                    order.order_id, status=status, error=error, now=now
                )
                if status == "failed":
                    await self._alert(scope, order, error)
                sent += status == "sent"
            await scope.uow.commit()
        return sent

    async def _send(self, order: Any) -> tuple[str, str | None]:
        subject, _, text = self.render(order.details).partition("\n")
        html = self._env.get_template("email.html.j2").render(
            language="en", subject=subject, paragraphs=text.strip().split("\n\n")
        )
        outgoing = Outgoing(
            str(order.order_id), "email", order.supplier_email, text.strip() + "\n", subject, html
        )
        try:
            await self._email.send(outgoing)
        except TransientSendError as error:
            return "pending", str(error)
        except PermanentSendError as error:
            return "failed", str(error)
        return "sent", None

    def render(self, details: dict[str, Any]) -> str:
        """The email: its subject line, then its text."""
        clinic = self._clinic
        return (
            self._env.get_template("supplier_order.email.en.j2")
            .render(
                **details,
                reference=str(details["order_id"])[:8].upper(),
                clinic_name=clinic.name,
                clinic_address=clinic.address,
                clinic_phone=clinic.phone,
            )
            .strip()
        )

    @staticmethod
    async def _alert(scope: Scope, order: Any, error: str | None) -> None:
        details = {
            "order_id": str(order.order_id),
            "supplier_name": order.details["supplier_name"],
            "error": error or "",
        }
        await raise_alert(scope, "supplier_order_failed", str(order.order_id), details)
