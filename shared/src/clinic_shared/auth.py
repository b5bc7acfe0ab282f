"""JWTs with a role claim, checked by services (minted by `clinic_shared.tokens`)."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import jwt
from fastapi import Request

from clinic_shared.errors import Forbidden, Unauthorized
from clinic_shared.tokens import ALGORITHM, Role, mint_token

__all__ = ["ALGORITHM", "Principal", "Role", "TokenVerifier", "mint_token", "require_roles"]


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    practitioner_id: uuid.UUID | None = None
    """The scheduling practitioner a practitioner's token acts as; None for other roles, and
    for a practitioner account linked to none (who then acts on no session)."""

    def is_practitioner(self, practitioner_id: uuid.UUID) -> bool:
        """Whether this caller is a practitioner acting as `practitioner_id`."""
        return self.role is Role.PRACTITIONER and self.practitioner_id == practitioner_id


@dataclass(frozen=True)
class TokenVerifier:
    secret: str
    issuer: str = "clinic"
    max_lifetime_seconds: float = 24 * 3600
    """A token may live this long from its issue (`iat`) to its expiry; a longer-lived one is
    refused, so a leaked token cannot be made to last for years."""

    def verify(self, token: str) -> Principal:
        principal, issued, expires = _verified(token, self.secret, self.issuer)
        if expires - issued > self.max_lifetime_seconds:
            raise Unauthorized(
                "The token lives longer than this clinic allows "
                f"({self.max_lifetime_seconds:g} s from its issue)."
            )
        if expires <= time.time():
            raise Unauthorized("The token has expired.")
        return principal


# A client sends the same token with every request until it expires: checking its signature and
# claims once, not per request, saves a tenth of a cheap request's CPU. Only a token that passed
# is remembered (a raise is not cached), keyed by its whole text; its expiry is still checked
# at every use.
@functools.lru_cache(maxsize=1024)
def _verified(token: str, secret: str, issuer: str) -> tuple[Principal, float, float]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "role", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("The token is invalid.") from exc
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise Unauthorized("The token names an unknown role.") from exc
    principal = Principal(
        subject=str(claims["sub"]), role=role, practitioner_id=_practitioner_id(claims, role)
    )
    return principal, float(claims["iat"]), float(claims["exp"])


def _practitioner_id(claims: dict[str, object], role: Role) -> uuid.UUID | None:
    """The token's `practitioner_id`: a UUID, and only on a practitioner's token."""
    value = claims.get("practitioner_id")
    if value is None:
        return None
    if role is not Role.PRACTITIONER:
        raise Unauthorized("Only a practitioner's token may name a practitioner.")
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Unauthorized("The token's practitioner_id is not a UUID.") from exc


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("An `Authorization: Bearer <token>` header is required.")
    return token.strip()


def require_roles(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency admitting a valid token whose role is one of `roles`."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        verifier: TokenVerifier = request.app.state.token_verifier
        principal = verifier.verify(bearer_token(request))
        if principal.role not in allowed:
            raise Forbidden(
                f"Role {principal.role.value!r} may not do this.",
                allowed_roles=sorted(r.value for r in allowed),
            )
        return principal

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the OpenAPI
    return dependency
