"""Staff alerts go out as one digest email per round to the configured recipients.

A round locks the pending alerts (`FOR UPDATE SKIP LOCKED` on PostgreSQL) for the length of the
send, so replicas never send one alert twice; a transient failure leaves them for the next round.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from clinic_shared.runtime import ServiceRuntime
from notifications.adapters.alerts import AlertRepository
from notifications.adapters.channels import (
    Outgoing,
    PermanentSendError,
    Sender,
    TransientSendError,
)

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
        poll_seconds: float = 60.0,
    ) -> None:
        self._runtime = runtime
        self._email = email
        self._recipients = list(recipients)
        self._clinic_name = clinic_name
        self._poll_seconds = poll_seconds
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(["html.j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    async def send_once(self, *, now: datetime) -> int:
        """Send every pending alert in one digest to each recipient; how many were sent."""
        if not self._recipients:
            return 0
        async with self._runtime.db.session() as session, session.begin():
            alerts = AlertRepository(session)
            pending = await alerts.lock_pending(limit=MAX_ALERTS_PER_DIGEST)
            if not pending:
                return 0
            status = await self._send(pending)
            if status is not None:
                await alerts.mark([a.id for a in pending], status=status, now=now)
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

    async def run(self) -> None:
        """Send digests until the service stops."""
        while not self._runtime.stopping.is_set():
            try:
                await self.send_once(now=self._runtime.clock())
            except Exception:
                log.exception("staff digest round failed")
            await self._runtime.idle(self._poll_seconds)
