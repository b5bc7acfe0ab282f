"""AES-256-GCM sealing of personal data, and an HMAC-SHA256 blind index to find it again.

A sealed value describes itself: `enc1.<key id>.<base64url(nonce || ciphertext || tag)>`. The first
key of the keyring seals; every key in it still opens, so keys rotate without downtime.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
# Fixed development keys: anyone can read them, so production refuses them (see settings).
DEVELOPMENT_DATA_KEYS = "dev:" + base64.b64encode(b"development-only-data-key-32byte").decode()
DEVELOPMENT_INDEX_KEY = base64.b64encode(b"development-only-index-key-32byt").decode()


class KeyringError(ValueError):
    """A key specification that cannot be used, or a sealed value no key opens."""


def _decode_key(encoded: str, what: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyringError(f"{what} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{what} must decode to {KEY_BYTES} bytes, not {len(key)}")
    return key


def parse_data_keys(spec: str) -> dict[str, bytes]:
    """`kid:base64key,kid:base64key` into an ordered mapping; the first key seals."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, sep, encoded = item.partition(":")
        if not sep or not kid.isalnum() or len(kid) > 16:
            raise KeyringError(
                "each data key is `<id>:<base64 key>`, the id 1-16 letters or digits"
            )
        if kid in keys:
            raise KeyringError(f"data key id {kid!r} appears twice")
        keys[kid] = _decode_key(encoded, f"data key {kid!r}")
    if not keys:
        raise KeyringError("at least one data key is required")
    return keys


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    index_key: bytes
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ciphers", {kid: AESGCM(k) for kid, k in self.keys.items()})

    @classmethod
    def parse(cls, data_keys: str, index_key: str) -> Keyring:
        return cls(parse_data_keys(data_keys), _decode_key(index_key, "the index key"))

    @classmethod
    def from_env(cls) -> Keyring:
        return cls.parse(
            os.environ.get("CLINIC_DATA_KEYS") or DEVELOPMENT_DATA_KEYS,
            os.environ.get("CLINIC_INDEX_KEY") or DEVELOPMENT_INDEX_KEY,
        )

    @property
    def active_kid(self) -> str:
        return next(iter(self.keys))

    def seal(self, plaintext: str) -> str:
        kid = self.active_kid
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[kid].encrypt(nonce, plaintext.encode(), _aad(kid))
        return f"{PREFIX}.{kid}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str) -> str:
        prefix, _, rest = token.partition(".")
        kid, _, payload = rest.partition(".")
        if prefix != PREFIX or kid not in self.keys:
            raise KeyringError(f"no key opens a value sealed as {prefix}.{kid[:16]}")
        try:
            raw = base64.urlsafe_b64decode(payload)
        except (binascii.Error, ValueError) as exc:
            raise KeyringError(f"the value sealed with key {kid!r} is not base64") from exc
        try:
            plain = self._ciphers[kid].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kid))
        except InvalidTag as exc:
            raise KeyringError(f"the value sealed with key {kid!r} was altered") from exc
        return plain.decode()

    def sealed_with_active(self, token: str) -> bool:
        return token.startswith(f"{PREFIX}.{self.active_kid}.")

    def index(self, value: str) -> str:
        """The blind index of a normalised value: equal values give equal indexes, nothing more."""
        return hmac.new(self.index_key, value.encode(), hashlib.sha256).hexdigest()


def _aad(kid: str) -> bytes:
    return f"{PREFIX}.{kid}".encode()


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX + ".")


def new_key() -> str:
    """A fresh random key, base64: for CLINIC_DATA_KEYS (after `<id>:`) or CLINIC_INDEX_KEY."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


_installed: Keyring | None = None


def install(keyring: Keyring) -> None:
    """Make `keyring` the one every sealed column of this process uses."""
    global _installed
    _installed = keyring


def current() -> Keyring:
    """The installed keyring, or the one the environment describes."""
    global _installed
    if _installed is None:
        _installed = Keyring.from_env()
    return _installed


def blind_index(value: str | None) -> str | None:
    return None if value is None else current().index(value)
