"""Schemathesis on inventory: no 5xx, no answer outside its OpenAPI, nothing without a token."""

from __future__ import annotations

import pytest

from clinic_testing.fuzz import schemathesis

pytestmark = [pytest.mark.fuzz, pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.mark.timeout(900)
async def test_inventory_api_holds_under_schemathesis(fuzz_stack, schemathesis_config) -> None:
    run = await schemathesis("inventory", fuzz_stack["inventory"], config=schemathesis_config)
    run.assert_clean()
