"""Seal, re-seal and open stored rows in place: data migrations and key rotation share this."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_shared.crypto.keyring import Keyring, current, is_sealed
from clinic_shared.crypto.types import Sealed


@dataclass(frozen=True)
class SealedTable:
    """A table's primary key, its sealed columns, and the blind index column of each (if any)."""

    name: str
    key: Sequence[str]
    columns: Mapping[str, str | None]

    def clause(self) -> sa.TableClause:
        """The table as plain text columns: values are read and written as stored."""
        # Key columns untyped: their values go back to the database as they came (a UUID stays one).
        indexes = [i for i in self.columns.values() if i]
        texts = [sa.column(n, sa.Text) for n in dict.fromkeys([*self.columns, *indexes])]
        return sa.table(self.name, *(sa.column(k) for k in self.key), *texts)


def sealed_tables(metadata: sa.MetaData) -> list[SealedTable]:
    """Every table of `metadata` with a `Sealed` column."""
    found = []
    for table in metadata.sorted_tables:
        columns = {
            c.name: c.info.get("blind_index") for c in table.columns if isinstance(c.type, Sealed)
        }
        if columns:
            found.append(SealedTable(table.name, [c.name for c in table.primary_key], columns))
    return found


def reseal(conn: Connection, spec: SealedTable, keyring: Keyring | None = None) -> int:
    """Seal plaintext, re-seal what an older key sealed, refresh blind indexes; rows changed."""
    keyring = keyring or current()
    raw = spec.clause()
    changed = 0
    for row in conn.execute(sa.select(raw)).mappings().all():
        values: dict[str, str | None] = {}
        for column, index in spec.columns.items():
            stored = row[column]
            if stored is None:
                continue
            plain = keyring.open(stored) if is_sealed(stored) else stored
            if not keyring.sealed_with_active(stored):
                values[column] = keyring.seal(plain)
            if index and row[index] != keyring.index(plain):
                values[index] = keyring.index(plain)
        if values:
            # Only if the row still holds what was read: a write by the service meanwhile wins.
            unchanged = [_same(raw.c[c], row[c]) for c in spec.columns]
            update = sa.update(raw).where(*_same_key(raw, spec, row), *unchanged).values(**values)
            changed += conn.execute(update).rowcount
    return changed


def unseal(conn: Connection, spec: SealedTable, keyring: Keyring | None = None) -> None:
    """Open every sealed value back to plaintext (a migration's downgrade)."""
    keyring = keyring or current()
    raw = spec.clause()
    for row in conn.execute(sa.select(raw)).mappings().all():
        values = {c: keyring.open(row[c]) for c in spec.columns if row[c] and is_sealed(row[c])}
        if values:
            conn.execute(sa.update(raw).where(*_same_key(raw, spec, row)).values(**values))


def _same(column: sa.ColumnClause[str], value: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _same_key(
    raw: sa.TableClause, spec: SealedTable, row: sa.RowMapping
) -> list[sa.ColumnElement[bool]]:
    return [raw.c[k] == row[k] for k in spec.key]


def widen_to_text(conn: Connection, table: str, columns: Sequence[str]) -> None:
    """Let sealed values fit: the columns become text."""
    for column in columns:
        conn.execute(sa.text(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE text'))
