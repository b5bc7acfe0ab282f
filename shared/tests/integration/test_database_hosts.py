"""While no host takes writes (a failover under way), the database counts as unavailable: a
request answers 503 and a consumer tries again, never a 500 or a dead letter."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from clinic_shared.db import Database, database_unavailable

pytestmark = pytest.mark.postgres


async def test_no_host_of_the_wanted_kind_counts_as_database_unavailable(
    postgres_admin_url: str,
) -> None:
    # The test server is a primary: asking for a standby finds none, as asking for the writer
    # finds none between a primary's death and its standby's promotion.
    url = make_url(postgres_admin_url).set(drivername="postgresql+asyncpg")
    url = url.update_query_dict({"target_session_attrs": "standby"})
    database = Database(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with pytest.raises(Exception) as caught:  # noqa: PT011 (what matters is how it is read)
            await database.ping()
        assert "None of the hosts match" in str(caught.value)
        assert database_unavailable(caught.value)
    finally:
        await database.dispose()
