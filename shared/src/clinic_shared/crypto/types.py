"""A SQLAlchemy column type that seals on write and opens on read, so repositories barely change."""

from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from clinic_shared.crypto.keyring import current


class Sealed(TypeDecorator[str]):
    """Text stored AES-GCM sealed with the process keyring's active key.

    Equality on a sealed column never matches (each seal has its own nonce): look rows up by a blind
    index column instead, named in the column's `info={"blind_index": "<column>"}`.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current().seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current().open(value)
