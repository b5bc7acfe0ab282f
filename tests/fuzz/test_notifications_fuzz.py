"""Schemathesis on notifications: no 5xx, no answer outside its OpenAPI, nothing without a token."""

from __future__ import annotations

import pytest

from clinic_testing.fuzz import schemathesis

from .conftest import FUZZ_SMS_AUTH_TOKEN

pytestmark = [pytest.mark.fuzz, pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.mark.timeout(900)
async def test_notifications_api_holds_under_schemathesis(fuzz_stack, schemathesis_config) -> None:
    base_url = fuzz_stack["notifications"]
    signing = {
        "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
        "FUZZ_SMS_AUTH_TOKEN": FUZZ_SMS_AUTH_TOKEN,
        "FUZZ_BASE_URL": base_url,
    }
    run = await schemathesis("notifications", base_url, config=schemathesis_config, env=signing)
    run.assert_clean()
