"""The demo staff of `make run`: one account per role, with passwords printed at start."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.auth import Role
from dashboard.accounts.service import create_account
from dashboard.adapters.accounts import AccountRepository

DEMO_ACCOUNTS: list[tuple[str, str, Role, str]] = [
    ("Ada Admin", "admin@clinic.example", Role.ADMIN, "demo-admin-2026"),
    ("Rita Reception", "reception@clinic.example", Role.RECEPTIONIST, "demo-reception-2026"),
    (
        "Dr Claire Dubois",
        "practitioner@clinic.example",
        Role.PRACTITIONER,
        "demo-practitioner-2026",
    ),
    ("Stan Stock", "stock@clinic.example", Role.STOCK_MANAGER, "demo-stock-2026"),
]
# The demo practitioner's account is scheduling's demo Dr Claire Dubois (scheduling's seed
# gives her this id), so "My day" and completions work as hers.
DEMO_LINKS = {"practitioner@clinic.example": uuid.UUID("00000000-0000-4000-8000-0000000000a1")}


async def seed_demo(db: AsyncSession, now: datetime) -> None:
    """Create the demo accounts that do not exist yet, and link the demo practitioner's (an
    account seeded before links existed is linked too)."""
    accounts = AccountRepository(db)
    for name, email, role, password in DEMO_ACCOUNTS:
        existing = await accounts.by_email(email)
        link = DEMO_LINKS.get(email)
        if existing is None:
            await create_account(
                db,
                name=name,
                email=email,
                role=role.value,
                password=password,
                now=now,
                practitioner_id=link,
            )
        elif (
            link
            and existing.practitioner_id is None
            and existing.role is role
            and await accounts.linked_to(link) is None
        ):
            await accounts.set_practitioner(existing.id, link)
