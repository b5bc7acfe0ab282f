"""The navigation bar: one entry per page, shown to the roles that may open it."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_shared.auth import Role

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str
    roles: frozenset[Role] = EVERYONE


NAV: list[NavLink] = [
    NavLink("Today", "/"),
    NavLink("Calendar", "/calendar"),
    NavLink("Book", "/book", frozenset({Role.ADMIN, Role.RECEPTIONIST})),
    NavLink("Patients", "/patients", frozenset({Role.ADMIN, Role.RECEPTIONIST})),
    NavLink("Stock", "/stock", frozenset({Role.ADMIN, Role.STOCK_MANAGER, Role.PRACTITIONER})),
    NavLink("Orders", "/orders", frozenset({Role.ADMIN, Role.STOCK_MANAGER})),
    NavLink("Alerts", "/alerts"),
    NavLink("Settings", "/settings/staff", frozenset({Role.ADMIN})),
]


def links_for(role: Role) -> list[NavLink]:
    return [link for link in NAV if role in link.roles]
