"""Staff alerts go out as one digest email per round to the configured recipients.

A round locks the pending alerts (`FOR UPDATE SKIP LOCKED` on PostgreSQL) for the length of the
send, so replicas never send one alert twice; a transient failure leaves them for the next round.
With no recipient configured a round sends nothing and marks them `no_recipients`, so the list
of staff alerts says that nobody was told rather than "pending" for ever.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from clinic_shared.runtime import ServiceRuntime
from notifications.adapters.channels import (
    Outgoing,
    PermanentSendError,
    Sender,
    TransientSendError,
)
from notifications.service_layer.scope import open_scope

log = logging.getLogger(__name__)
MAX_ALERTS_PER_DIGEST = 200


class StaffDigest:
    def __init__(
        self,
        runtime: ServiceRuntime,
        email: Sender,
        *,
        recipients: Sequence[str],
        clinic_name: str,
    ) -> None:
        self._runtime = runtime
        self._email = email
        self._recipients = list(recipients)
        self._clinic_name = clinic_name
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(["html.j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    async def send_once(self, *, now: datetime) -> int:
        """Send every pending alert in one digest to each recipient; how many were sent."""
        async with open_scope(self._runtime, now=now) as scope:
            pending = await scope.alerts.lock_pending(limit=MAX_ALERTS_PER_DIGEST)
            if not pending:
                return 0
            status = await self._send(pending) if self._recipients else "no_recipients"
            if status is not None:
                await scope.alerts.mark([a.id for a in pending], status=status, now=now)
            await scope.uow.commit()
        log.info("staff digest", extra={"alerts": len(pending), "status": status or "retry"})
        return len(pending) if status == "sent" else 0

    async def _send(self, pending: Sequence[Any]) -> str | None:
        subject, _, text = self._render(pending).partition("\n")
        html = self._env.get_template("email.html.j2").render(
            language="en", subject=subject, paragraphs=text.strip().split("\n")
        )
        to = ", ".join(self._recipients)  # one email to all: a retry never repeats it for some
        try:
            await self._email.send(
                Outgoing(str(uuid.uuid4()), "email", to, text.strip() + "\n", subject, html)
            )
        except TransientSendError:
            return None
        except PermanentSendError:
            return "failed"
        return "sent"

    def _render(self, pending: Sequence[Any]) -> str:
        template = self._env.get_template("staff_digest.email.en.j2")
        return template.render(alerts=pending, clinic_name=self._clinic_name).strip()
