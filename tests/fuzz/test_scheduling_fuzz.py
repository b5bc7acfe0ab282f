"""Schemathesis on scheduling: no 5xx, no answer outside its OpenAPI, nothing without a token."""

from __future__ import annotations

import pytest

from clinic_shared.testing.fuzz import schemathesis

pytestmark = [pytest.mark.fuzz, pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.mark.timeout(900)
async def test_scheduling_api_holds_under_schemathesis(fuzz_stack, schemathesis_config) -> None:
    run = await schemathesis("scheduling", fuzz_stack["scheduling"], config=schemathesis_config)
    run.assert_clean()
