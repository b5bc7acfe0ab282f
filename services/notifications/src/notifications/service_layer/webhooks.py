"""The SMS provider's signed webhook requests: each signature acts once."""

from __future__ import annotations

from notifications.domain.errors import SignatureReused
from notifications.service_layer.scope import Scope


async def claim_signature(scope: Scope, signature: str, sid: str) -> None:
    """Claim the signed request in the caller's transaction, before its effect; a signature
    first received for another message id is refused (SignatureReused).

    A redelivery of the same message (same signature, same id) passes: what it does is
    already guarded by the message id (replies) or idempotent (delivery reports).
    """
    if await scope.replies.signature_used_by(signature, sid, now=scope.now) != sid:
        raise SignatureReused()
