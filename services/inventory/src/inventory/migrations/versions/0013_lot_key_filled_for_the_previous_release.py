"""The previous release's lots and consumptions get their `lot_key` from the database.

Why hand-written SQL: 0010 made `lot_key` NOT NULL without a default, and the release before it
inserts lots and consumptions without one, so its replicas failed every delivery of a new lot and
every completion while an upgrade rolled. Only the database sees those inserts, so a trigger
fills the key when an insert leaves it null; this release's inserts always set it and skip the
trigger. The key must be exactly `inventory.domain.lots.lot_key` (Python's `str.strip`, then
`str.casefold`), and PostgreSQL 15 has no case folding: `lower()` follows the database's locale
(ASCII only under "C") and keeps "ß" where `casefold` gives "ss". So the migration writes
Python's own answers into the function: the characters `str.strip` removes, and every character
`str.casefold` changes with what it becomes (it folds one character at a time, without
context). `tests/integration/test_lot_key_trigger.py` holds the function to the current
`lot_key` over every code point.

An old replica receiving a lot its product already holds under another spelling ("b-1" beside
"B-1") looks it up by exact number, misses it, and inserts again: the key's unique constraint
would silently skip that insert and the old code would look and insert forever. The trigger
refuses it instead (a unique violation naming the stored spelling); the delivery succeeds when
retried on a replica of this release.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import json
import sys

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


# FOLDS and SPACES stand for jsonb constants the migration writes from Python's answers.
LOT_KEY_OF = """
CREATE FUNCTION lot_key_of(lot_number text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
    SELECT coalesce(string_agg(coalesce(FOLDS ->> c, c), '' ORDER BY n), '')
    FROM regexp_split_to_table(btrim(lot_number, SPACES #>> '{}'), '') WITH ORDINALITY AS t(c, n)
$fn$
"""
FILL_LOT = """
CREATE FUNCTION lots_fill_lot_key() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE stored text;
BEGIN
    NEW.lot_key := lot_key_of(NEW.lot_number);
    SELECT lot_number INTO stored FROM lots
    WHERE product_code = NEW.product_code AND lot_key = NEW.lot_key;
    IF FOUND AND stored <> NEW.lot_number THEN
        RAISE unique_violation USING MESSAGE = format(
            'lot %s of %s is already stored as %s', NEW.lot_number, NEW.product_code, stored);
    END IF;
    RETURN NEW;
END $fn$
"""
FILL_CONSUMPTION = """
CREATE FUNCTION consumptions_fill_lot_key() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    NEW.lot_key := lot_key_of(NEW.lot_number);
    RETURN NEW;
END $fn$
"""


def _stripped() -> str:
    """What `str.strip()` removes: the characters `str.isspace` holds true."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def _folds() -> dict[str, str]:
    """Every character `str.casefold` changes, with what it becomes."""
    every = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    return {c: c.casefold() for c in every if c.casefold() != c}


def _literal(value: object) -> str:
    """A jsonb constant, ASCII only (JSON escapes the rest), with no quote to double and no
    dollar to end the function's body."""
    text = json.dumps(value, ensure_ascii=True)
    if "'" in text or "$" in text:
        raise ValueError(f"cannot quote {text[:40]}")
    return f"'{text}'::jsonb"


def upgrade() -> None:
    folds, spaces = _literal(_folds()), _literal(_stripped())
    op.execute(LOT_KEY_OF.replace("SPACES", spaces).replace("FOLDS", folds))
    op.execute(FILL_LOT)
    op.execute(FILL_CONSUMPTION)
    for table in ("lots", "consumptions"):
        op.execute(
            f"CREATE TRIGGER {table}_fill_lot_key BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN (NEW.lot_key IS NULL) EXECUTE FUNCTION {table}_fill_lot_key()"
        )


def downgrade() -> None:
    for table in ("lots", "consumptions"):
        op.execute(f"DROP TRIGGER {table}_fill_lot_key ON {table}")
        op.execute(f"DROP FUNCTION {table}_fill_lot_key()")
    op.execute("DROP FUNCTION lot_key_of(text)")
