"""The reminder policy: everyone signed in reads it, admins change it."""

from __future__ import annotations

from fastapi import APIRouter

from clinic_shared.db import utcnow
from notifications.adapters.repository import PolicyRepository
from notifications.domain.policy import check_policy
from notifications.entrypoints.api.deps import Admin, SettingsDep, Staff, UowDep
from notifications.entrypoints.api.schemas import PolicyBody
from notifications.service_layer.replanning import replan_reminders

router = APIRouter(prefix="/v1/policy", tags=["policy"])


@router.get("", response_model=PolicyBody)
async def read_policy(uow: UowDep, _: Staff) -> PolicyBody:
    return PolicyBody.of(await PolicyRepository(uow.session).get())


@router.put("", response_model=PolicyBody)
async def replace_policy(
    body: PolicyBody, uow: UowDep, settings: SettingsDep, _: Admin
) -> PolicyBody:
    """Replace the policy and re-plan the reminders of every upcoming booked session."""
    policy = body.to_policy()
    check_policy(policy)
    now = utcnow()
    await PolicyRepository(uow.session).save(policy, now=now)
    await replan_reminders(uow, now=now, zone=settings.zone, drop_others=True)
    await uow.commit()
    return PolicyBody.of(policy)
