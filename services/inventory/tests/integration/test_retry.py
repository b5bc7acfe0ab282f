"""A request's write that loses a lock cycle is run again from scratch, and only then."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from clinic_shared.db import utcnow
from inventory.adapters.orm import patient_refs
from inventory.entrypoints.api.retry import committed
from inventory.service_layer.scope import Scope

from .conftest import Inventory


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def failing(sqlstate: str, times: int):
    """A use case that writes a row, then fails like the driver `times` times."""
    calls: list[int] = []
    patient_id = uuid.uuid4()

    async def use_case(scope: Scope) -> int:
        calls.append(1)
        values = {"patient_id": patient_id, "first_seen_at": utcnow(), "source_event_id": "e"}
        await scope.uow.session.execute(sa.insert(patient_refs).values(**values))
        if len(calls) <= times:
            raise DBAPIError("UPDATE lots ...", {}, DriverError(sqlstate))
        return len(calls)

    return use_case, calls


async def test_a_deadlocked_write_is_run_again_and_its_first_try_leaves_nothing(
    inventory: Inventory,
) -> None:
    use_case, calls = failing("40P01", times=1)
    assert await committed(inventory.app.state.runtime, use_case) == 2
    assert len(calls) == 2
    assert len(await inventory.rows(patient_refs)) == 1


async def test_other_database_errors_and_endless_cycles_are_not_hidden(
    inventory: Inventory,
) -> None:
    unique, unique_calls = failing("23505", times=1)
    cycles, cycle_calls = failing("40P01", times=5)
    with pytest.raises(DBAPIError):
        await committed(inventory.app.state.runtime, unique)
    with pytest.raises(DBAPIError):
        await committed(inventory.app.state.runtime, cycles, attempts=3)
    assert (len(unique_calls), len(cycle_calls)) == (1, 3)
    assert await inventory.rows(patient_refs) == []
