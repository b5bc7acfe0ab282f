"""The navigation bar: one entry per page, shown to the roles that may open it."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_shared.auth import Role
from dashboard.i18n import N_

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str
    roles: frozenset[Role] = EVERYONE


NAV: list[NavLink] = [
    NavLink(N_("Today"), "/", EVERYONE - {Role.PRACTITIONER}),
    NavLink(N_("My day"), "/", frozenset({Role.PRACTITIONER})),  # their own sessions first
    NavLink(N_("Calendar"), "/calendar"),
    NavLink(N_("Book"), "/book", frozenset({Role.ADMIN, Role.RECEPTIONIST})),
    NavLink(
        N_("Patients"), "/patients", frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER})
    ),
    NavLink(N_("Waitlist"), "/waitlist", frozenset({Role.ADMIN, Role.RECEPTIONIST})),
    NavLink(N_("Stock"), "/stock", frozenset({Role.ADMIN, Role.STOCK_MANAGER, Role.PRACTITIONER})),
    NavLink(N_("Orders"), "/orders", frozenset({Role.ADMIN, Role.STOCK_MANAGER})),
    NavLink(N_("Suppliers"), "/suppliers", frozenset({Role.ADMIN, Role.STOCK_MANAGER})),
    NavLink(N_("Alerts"), "/alerts"),
    NavLink(N_("Reports"), "/reports", frozenset({Role.ADMIN, Role.RECEPTIONIST})),
    NavLink(N_("Messages"), "/messages", frozenset({Role.ADMIN, Role.RECEPTIONIST})),
    NavLink(N_("Settings"), "/settings/staff", frozenset({Role.ADMIN})),
]


def links_for(role: Role) -> list[NavLink]:
    return [link for link in NAV if role in link.roles]
