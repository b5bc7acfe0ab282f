"""Every route answers each role, and each kind of bad token, as the README's access table says."""

from __future__ import annotations

from pathlib import Path

from clinic_testing.access import Tokens, mismatches
from clinic_testing.helpers import running
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

README = Path(__file__).parents[2] / "README.md"


async def test_every_route_answers_as_the_access_table_says(make_settings) -> None:
    # The export's peers: never reached for an unknown patient, and never a port of `make run`.
    nowhere = "http://127.0.0.1:9"
    settings = await make_settings(
        SchedulingSettings, inventory_url=nowhere, notifications_url=nowhere
    )
    app = build_app(settings)
    tokens = Tokens(settings.jwt_secret.get_secret_value(), settings.jwt_issuer)

    async with running(app) as client:
        found = await mismatches(app, client, README, tokens)

    assert found == []
