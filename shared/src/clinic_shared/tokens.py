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
    practitioner_id: uuid.UUID | None = None,
) -> str:
    """A signed token for `role`; a practitioner's names the scheduling practitioner they are
    (`practitioner_id`), without which they act on no session and see no patient."""
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject or f"{role.value}-{uuid.uuid4().hex[:8]}",
        "role": role.value,
        "iss": issuer,
        "iat": issued,
        "exp": issued + ttl,
    }
    if practitioner_id is not None:
        claims["practitioner_id"] = str(practitioner_id)
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def main() -> None:
    """Print a bearer token for ROLE, signed with CLINIC_JWT_SECRET (the development secret when
    unset) for CLINIC_JWT_ISSUER, as the last line."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument(
        "--practitioner-id",
        type=uuid.UUID,
        help="the scheduling practitioner a practitioner token acts as (GET /v1/practitioners)",
    )
    args = parser.parse_args()
    if args.practitioner_id and args.role != Role.PRACTITIONER.value:
        parser.error("--practitioner-id is for --role practitioner only")
    print(f"# {args.role} token, valid {args.hours:g} h; use: Authorization: Bearer <token>")
    if args.role == Role.PRACTITIONER.value and not args.practitioner_id:
        print("# names no practitioner (PRACTITIONER=<id>): it acts on no session, sees no patient")
    print(
        mint_token(
            os.environ.get("CLINIC_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
            role=Role(args.role),
            issuer=os.environ.get("CLINIC_JWT_ISSUER") or "clinic",
            ttl=timedelta(hours=args.hours),
            practitioner_id=args.practitioner_id,
        )
    )


if __name__ == "__main__":
    main()
