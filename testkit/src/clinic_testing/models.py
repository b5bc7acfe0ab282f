"""Running the model-based tests (Hypothesis state machines) on the real database and broker."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine


def run_state_machine(machine: type[RuleBasedStateMachine], *, examples: int, steps: int) -> None:
    """Run `machine`: `examples` runs of up to `steps` rules each.

    Every step is round trips to PostgreSQL, so there is no deadline, no saved example database
    and no too-slow health check. The examples are derandomized, the same in every CI run;
    `MODEL_EXAMPLES=200` runs that many random ones instead, for a longer search.
    """
    case = machine.TestCase
    case.settings = settings(
        max_examples=int(os.environ.get("MODEL_EXAMPLES", examples)),
        stateful_step_count=steps,
        deadline=None,
        derandomize="MODEL_EXAMPLES" not in os.environ,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    case().runTest()
