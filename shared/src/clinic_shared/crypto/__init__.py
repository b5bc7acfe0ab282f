"""Personal data at rest: sealed columns, blind indexes, the keyring and its rotation."""

from clinic_shared.crypto.keyring import (
    DEVELOPMENT_DATA_KEYS,
    DEVELOPMENT_INDEX_KEY,
    Keyring,
    KeyringError,
    blind_index,
    current,
    install,
    new_key,
)
from clinic_shared.crypto.types import Sealed

__all__ = [
    "DEVELOPMENT_DATA_KEYS",
    "DEVELOPMENT_INDEX_KEY",
    "Keyring",
    "KeyringError",
    "Sealed",
    "blind_index",
    "current",
    "install",
    "new_key",
]
