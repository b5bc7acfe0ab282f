"""The reminder policy: read by everyone signed in, replaced by admins."""

from __future__ import annotations

from notifications.domain.policy import Policy, check_policy
from notifications.service_layer.replanning import replan_reminders
from notifications.service_layer.scope import Scope


async def current_policy(scope: Scope) -> Policy:
    """The stored policy, or the defaults when none was saved."""
    return await scope.policy.get()


async def replace_policy(scope: Scope, policy: Policy) -> None:
    """Replace the policy (422 naming every problem of an invalid one) and re-plan the
    reminders of every upcoming booked session by it; the caller commits."""
    check_policy(policy)
    await scope.policy.save(policy, now=scope.now)
    await replan_reminders(scope, drop_others=True)
