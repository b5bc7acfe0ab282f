"""The reminder policy: everyone signed in reads it, admins change it."""

from __future__ import annotations

from fastapi import APIRouter

from clinic_shared.db import utcnow
from notifications.adapters.repository import PolicyRepository
from notifications.domain.policy import check_policy
from notifications.entrypoints.api.deps import Admin, Staff, UowDep
from notifications.entrypoints.api.schemas import PolicyBody

router = APIRouter(prefix="/v1/policy", tags=["policy"])


@router.get("", response_model=PolicyBody)
async def read_policy(uow: UowDep, _: Staff) -> PolicyBody:
    return PolicyBody.of(await PolicyRepository(uow.session).get())


@router.put("", response_model=PolicyBody)
async def replace_policy(body: PolicyBody, uow: UowDep, _: Admin) -> PolicyBody:
    """Replace the policy; it applies to sessions booked or moved from now on."""
    policy = body.to_policy()
    check_policy(policy)
    await PolicyRepository(uow.session).save(policy, now=utcnow())
    await uow.commit()
    return PolicyBody.of(policy)
