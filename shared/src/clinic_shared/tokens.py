"""Minting bearer tokens: the roles, the development secret and `make token`.

Kept apart from `clinic_shared.auth` (which checks tokens inside the services) so that
`make token` imports PyJWT alone, not FastAPI, SQLAlchemy or the settings: it answers in a
fraction of a second.
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

ALGORITHM = "HS256"
DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"


class Role(StrEnum):
    ADMIN = "admin"
    RECEPTIONIST = "receptionist"
    PRACTITIONER = "practitioner"
    STOCK_MANAGER = "stock_manager"


def mint_token(
    secret: str,
    *,
    role: Role,
    subject: str | None = None,
    issuer: str = "clinic",
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": subject or f"{role.value}-{uuid.uuid4().hex[:8]}",
        "role": role.value,
        "iss": issuer,
        "iat": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def main() -> None:
    """Print a bearer token for ROLE, signed with CLINIC_JWT_SECRET (the development secret when
    unset) for CLINIC_JWT_ISSUER, as the last line."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
    parser.add_argument("--hours", type=float, default=8.0)
    args = parser.parse_args()
    print(f"# {args.role} token, valid {args.hours:g} h; use: Authorization: Bearer <token>")
    print(
        mint_token(
            os.environ.get("CLINIC_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
            role=Role(args.role),
            issuer=os.environ.get("CLINIC_JWT_ISSUER") or "clinic",
            ttl=timedelta(hours=args.hours),
        )
    )


if __name__ == "__main__":
    main()
