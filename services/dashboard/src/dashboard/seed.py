"""The demo staff of `make run`: one account per role, with passwords printed at start."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.auth import Role
from dashboard.accounts.service import create_account
from dashboard.adapters.accounts import AccountRepository

DEMO_ACCOUNTS: list[tuple[str, str, Role, str]] = [
    ("Ada Admin", "admin@clinic.example", Role.ADMIN, "demo-admin-2026"),
    ("Rita Reception", "reception@clinic.example", Role.RECEPTIONIST, "demo-reception-2026"),
    ("Dr Paula Prat", "practitioner@clinic.example", Role.PRACTITIONER, "demo-practitioner-2026"),
    ("Stan Stock", "stock@clinic.example", Role.STOCK_MANAGER, "demo-stock-2026"),
]


async def seed_demo(db: AsyncSession, now: datetime) -> None:
    """Create the demo accounts that do not exist yet."""
    accounts = AccountRepository(db)
    for name, email, role, password in DEMO_ACCOUNTS:
        if not await accounts.email_taken(email):
            await create_account(
                db, name=name, email=email, role=role.value, password=password, now=now
            )
