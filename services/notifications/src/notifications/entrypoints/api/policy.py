"""The reminder policy: everyone signed in reads it, admins change it."""

from __future__ import annotations

from fastapi import APIRouter

from notifications.entrypoints.api.deps import Admin, ScopeDep, Staff
from notifications.entrypoints.api.schemas import PolicyBody
from notifications.service_layer import policy as policies

router = APIRouter(prefix="/v1/policy", tags=["policy"])


@router.get("", response_model=PolicyBody)
async def read_policy(scope: ScopeDep, _: Staff) -> PolicyBody:
    return PolicyBody.of(await policies.current_policy(scope))


@router.put("", response_model=PolicyBody)
async def replace_policy(body: PolicyBody, scope: ScopeDep, _: Admin) -> PolicyBody:
    """Replace the policy and re-plan the reminders of every upcoming booked session."""
    policy = body.to_policy()
    await policies.replace_policy(scope, policy)
    await scope.uow.commit()
    return PolicyBody.of(policy)
