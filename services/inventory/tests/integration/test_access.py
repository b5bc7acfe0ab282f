"""Every route answers each role, and each kind of bad token, as the README's access table says."""

from __future__ import annotations

from pathlib import Path

from clinic_testing.access import Tokens, mismatches
from clinic_testing.fake_scheduling import fake_scheduling
from clinic_testing.helpers import running
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

README = Path(__file__).parents[2] / "README.md"


async def test_every_route_answers_as_the_access_table_says(make_settings) -> None:
    async with fake_scheduling() as scheduling:  # what a reconciliation asks, empty
        settings = await make_settings(InventorySettings, scheduling_url=scheduling.url)
        app = build_app(settings)
        tokens = Tokens(settings.jwt_secret.get_secret_value(), settings.jwt_issuer)

        async with running(app) as client:
            found = await mismatches(app, client, README, tokens)

    assert found == []
