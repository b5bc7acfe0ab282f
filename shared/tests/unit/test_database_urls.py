"""Database URLs with several hosts, as libpq lists them, reach asyncpg host by host."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import make_url

from clinic_shared.db import engine_url

FAILOVER = (
    "postgresql+asyncpg://clinic:pw@db1:5432,db2:5433/scheduling?target_session_attrs=read-write"
)


def _connect_args(url: str) -> dict[str, object]:
    _, kwargs = PGDialect_asyncpg().create_connect_args(make_url(engine_url(url)))
    return dict(kwargs)


def test_a_libpq_host_list_reaches_asyncpg_as_hosts_tried_in_turn_for_the_writer() -> None:
    args = _connect_args(FAILOVER)
    assert args["host"] == ["db1", "db2"]
    assert args["port"] == [5432, 5433]
    assert args["target_session_attrs"] == "read-write"
    assert (args["user"], args["password"], args["database"]) == ("clinic", "pw", "scheduling")


def test_a_host_listed_without_its_port_gets_postgres_default() -> None:
    args = _connect_args("postgresql+asyncpg://clinic@db1,db2:6432/inventory")
    assert args["host"] == ["db1", "db2"]
    assert args["port"] == [5432, 6432]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://clinic@db1:5432/scheduling",
        "postgresql+asyncpg://clinic@/scheduling?host=db1:5432&host=db2:5432",
        "postgresql+asyncpg://clinic@clinic-db-rw:5432/scheduling",
    ],
)
def test_urls_sqlalchemy_already_reads_are_left_as_they_are(url: str) -> None:
    assert engine_url(url) == url
