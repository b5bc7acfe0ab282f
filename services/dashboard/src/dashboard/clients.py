"""HTTP clients of scheduling, inventory and notifications, called as the signed-in user.

A service that is down, times out or fails raises ServiceDown (the layout shows a banner); a
4xx problem+json raises ServiceProblem, whose field errors the page shows beside its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from clinic_shared.auth import mint_token
from clinic_shared.paging import MAX_LIMIT
from clinic_shared.patient_links import HEADER as PATIENT_LINK_HEADER
from dashboard.accounts.model import StaffAccount
from dashboard.i18n import N_, _
from dashboard.refusals import translated_detail
from dashboard.settings import DashboardSettings

SERVICES = ("scheduling", "inventory", "notifications")
TOKEN_TTL = timedelta(minutes=5)


def field_name(location: str) -> str:
    """A problem's field as the form input's name: `body.sessions.3.starts_at` is
    `sessions_3_starts_at`, `body.starts_at` is `starts_at`."""
    parts = location.split(".")
    if parts[0] in {"body", "query", "path"} and len(parts) > 1:
        parts = parts[1:]
    return "_".join(parts)


def _sentence(reason: object) -> str:
    text = str(reason or "invalid")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


class ServiceDown(Exception):
    """`reason` in English for the logs; the banner translates it (`status`: a 5xx answered)."""

    def __init__(self, service: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{service} {reason}" + (f" ({status})" if status else ""))
        self.service = service
        self.reason = reason
        self.status = status


@dataclass
class ServiceProblem(Exception):
    """A service refused the request; `fields` maps form field names to the reason. `detail`
    is in the page's language for the refusals the dashboard knows (`refusals`), else the
    service's own."""

    status: int
    detail: str
    fields: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail

    @classmethod
    def from_response(cls, response: httpx.Response) -> ServiceProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        detail = translated_detail(body) or str(body.get("detail") or _("The request was refused."))
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        fields = {field_name(str(e.get("field", ""))): _sentence(e.get("reason")) for e in errors}
        generic = str(body.get("type", "")).endswith("/validation-error")
        if len(fields) == 1 and not generic:  # a rule's detail says it best, in full words
            fields = dict.fromkeys(fields, detail)
        return cls(response.status_code, detail, fields, body)


class ServiceClient:
    """One service's API, with a bearer token for the signed-in user."""

    def __init__(self, name: str, http: httpx.AsyncClient, token: str) -> None:
        self.name = name
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return await self.request("GET", path, params=clean)

    async def get_all(self, path: str, **params: Any) -> list[Any]:
        """Every row of a paged list, page after page (each at most the services' cap)."""
        rows: list[Any] = []
        while True:
            page = await self.get(path, **params, limit=MAX_LIMIT, offset=len(rows))
            rows.extend(page)
            if len(page) < MAX_LIMIT:
                return rows

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.request("POST", path, json=body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.request("PUT", path, json=body)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.request("PATCH", path, json=body)

    async def delete(self, path: str) -> Any:
        return await self.request("DELETE", path)

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, headers=self.headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceDown(self.name, N_("did not answer in time")) from exc
        except httpx.TransportError as exc:
            raise ServiceDown(self.name, N_("cannot be reached")) from exc
        if response.status_code >= 500:
            raise ServiceDown(self.name, N_("answered with an error"), response.status_code)
        if response.status_code >= 400:
            raise ServiceProblem.from_response(response)
        return response.json() if response.content else None


@dataclass(frozen=True)
class Services:
    scheduling: ServiceClient
    inventory: ServiceClient
    notifications: ServiceClient


class ServiceClients:
    """One connection pool per service, opened and closed with the app."""

    def __init__(self, settings: DashboardSettings) -> None:
        self.settings = settings
        self.urls = {
            "scheduling": settings.scheduling_url,
            "inventory": settings.inventory_url,
            "notifications": settings.notifications_url,
        }
        self.http: dict[str, httpx.AsyncClient] = {}

    async def open(self) -> None:
        timeout = httpx.Timeout(self.settings.service_timeout_seconds)
        self.http = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout)
            for name, url in self.urls.items()
        }

    async def close(self) -> None:
        for client in self.http.values():
            await client.aclose()
        self.http = {}

    def for_account(self, account: StaffAccount) -> Services:
        """The services as `account`, with a short-lived token minted for it (a practitioner's
        names the scheduling practitioner their account is linked to)."""
        token = mint_token(
            self.settings.jwt_secret.get_secret_value(),
            role=account.role,
            subject=str(account.id),
            issuer=self.settings.jwt_issuer,
            ttl=TOKEN_TTL,
            practitioner_id=account.practitioner_id,
        )
        clients = {name: ServiceClient(name, self.http[name], token) for name in SERVICES}
        return Services(**clients)

    def for_patient_link(self, link: str) -> ServiceClient:
        """Scheduling as a patient's link: no staff token, only that link's course."""
        client = ServiceClient("scheduling", self.http["scheduling"], "")
        client.headers = {PATIENT_LINK_HEADER: link}
        return client
