"""Service settings: safe in development, refusing unsafe production configuration."""

from __future__ import annotations

import base64
import secrets
from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from clinic_shared.crypto import new_key
from clinic_shared.patient_links import DEVELOPMENT_PATIENT_LINK_KEY
from clinic_shared.settings import ServiceSettings
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET

STRONG_SECRET = secrets.token_urlsafe(32)
DATA_KEYS = f"k2:{new_key()},k1:{new_key()}"
INDEX_KEY = new_key()


class XSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="X_")

    service_name: str = "x"


class LinkSettings(XSettings):
    uses_patient_links: ClassVar[bool] = True


def _production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CLINIC_ENV": "production",
        "CLINIC_JWT_SECRET": STRONG_SECRET,
        "AMQP_URL": "amqp://user:pw@broker:5672/",
        "CLINIC_DATA_KEYS": DATA_KEYS,
        "CLINIC_INDEX_KEY": INDEX_KEY,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLINIC_ENV", "CLINIC_JWT_SECRET", "AMQP_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ServiceSettings.environment_variables() | XSettings.environment_variables():
        monkeypatch.delenv(name, raising=False)


def test_development_defaults_need_no_environment() -> None:
    settings = XSettings()
    assert settings.env == "development"
    assert settings.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET
    assert settings.amqp_url is None
    assert settings.database_url.startswith("postgresql+asyncpg://")


def test_production_with_the_development_secret_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://broker/")
    with pytest.raises(ValidationError, match="CLINIC_JWT_SECRET"):
        XSettings()


def test_production_without_any_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://broker/")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        XSettings()


def test_production_with_a_short_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("CLINIC_JWT_SECRET", "s" * 31)
    monkeypatch.setenv("AMQP_URL", "amqp://broker/")
    with pytest.raises(ValidationError, match="CLINIC_JWT_SECRET"):
        XSettings()


def test_production_without_a_broker_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("CLINIC_JWT_SECRET", STRONG_SECRET)
    with pytest.raises(ValidationError, match="AMQP_URL"):
        XSettings()


def test_production_with_a_strong_secret_and_a_broker_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("CLINIC_JWT_SECRET", STRONG_SECRET)
    monkeypatch.setenv("AMQP_URL", "amqp://user:pw@broker:5672/")
    monkeypatch.setenv("CLINIC_DATA_KEYS", DATA_KEYS)
    monkeypatch.setenv("CLINIC_INDEX_KEY", INDEX_KEY)
    settings = XSettings()
    assert settings.env == "production"
    assert settings.jwt_secret.get_secret_value() == STRONG_SECRET
    assert settings.amqp_url is not None
    assert settings.amqp_url.get_secret_value() == "amqp://user:pw@broker:5672/"


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_JWT_SECRET", STRONG_SECRET)
    monkeypatch.setenv("AMQP_URL", "amqp://user:hunter2@broker/")
    text = repr(XSettings())
    assert STRONG_SECRET not in text
    assert "hunter2" not in text


def test_unknown_environment_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_ENV", "prod")
    with pytest.raises(ValidationError, match="CLINIC_ENV"):
        XSettings()


def test_service_fields_are_read_with_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_DATABASE_URL", "postgresql+asyncpg://db/x")
    monkeypatch.setenv("X_PORT", "8001")
    monkeypatch.setenv("AMQP_NAMESPACE", "ns.")
    settings = XSettings()
    assert settings.database_url == "postgresql+asyncpg://db/x"
    assert settings.port == 8001
    assert settings.amqp_namespace == "ns."


def test_environment_variables_lists_prefixed_service_and_unprefixed_shared_names() -> None:
    names = XSettings.environment_variables()
    assert {"X_DATABASE_URL", "X_PORT", "X_SERVICE_NAME"} <= names
    assert {"AMQP_URL", "CLINIC_ENV", "CLINIC_JWT_SECRET", "CLINIC_LOG_LEVEL"} <= names
    assert "DATABASE_URL" not in names
    assert "X_AMQP_URL" not in names
    assert "X_CLINIC_ENV" not in names


def test_environment_variables_of_the_base_class_are_unprefixed() -> None:
    names = ServiceSettings.environment_variables()
    assert "DATABASE_URL" in names
    assert "CLINIC_ENV" in names


@pytest.mark.parametrize("development", ["CLINIC_DATA_KEYS", "CLINIC_INDEX_KEY"])
def test_production_with_a_development_data_key_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, development: str
) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("CLINIC_JWT_SECRET", STRONG_SECRET)
    monkeypatch.setenv("AMQP_URL", "amqp://broker/")
    keys = {"CLINIC_DATA_KEYS": DATA_KEYS, "CLINIC_INDEX_KEY": INDEX_KEY}
    for name, value in keys.items():
        if name != development:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=development):
        XSettings()


def test_a_malformed_data_key_is_refused_naming_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_DATA_KEYS", "k1:" + new_key()[:20])
    with pytest.raises(ValidationError, match="data key 'k1' must decode to 32 bytes"):
        XSettings()


def test_data_keys_do_not_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_DATA_KEYS", DATA_KEYS)
    monkeypatch.setenv("CLINIC_INDEX_KEY", INDEX_KEY)
    text = repr(XSettings())
    assert DATA_KEYS.split(":")[1][:20] not in text
    assert INDEX_KEY not in text


def _production(monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    values = {
        "CLINIC_ENV": "production",
        "CLINIC_JWT_SECRET": STRONG_SECRET,
        "AMQP_URL": "amqp://u:p@broker:5672/",
        "CLINIC_DATA_KEYS": DATA_KEYS,
        "CLINIC_INDEX_KEY": INDEX_KEY,
    }
    for name, value in (values | environment).items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "secret", ["a" * 32, "ab" * 20, "password" * 5, "s3cr3t-" + "x" * 33, "0123456789" * 4]
)
def test_production_refuses_a_long_secret_with_little_entropy(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    _production(monkeypatch, CLINIC_JWT_SECRET=secret)
    with pytest.raises(ValidationError, match="CLINIC_JWT_SECRET"):
        XSettings()


@pytest.mark.parametrize(
    "secret",
    [secrets.token_urlsafe(32), secrets.token_hex(16), secrets.token_hex(32)],
    ids=["base64-32-bytes", "hex-16-bytes", "hex-32-bytes"],
)
def test_production_takes_a_random_secret_of_any_usual_shape(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    _production(monkeypatch, CLINIC_JWT_SECRET=secret)
    assert XSettings().jwt_secret.get_secret_value() == secret


def test_production_refuses_a_data_key_or_index_key_that_is_not_random(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patterned = base64.b64encode(b"a" * 32).decode()
    _production(monkeypatch, CLINIC_DATA_KEYS=f"k3:{patterned},k1:{new_key()}")
    with pytest.raises(ValidationError, match="data key 'k3'"):
        XSettings()
    _production(monkeypatch, CLINIC_INDEX_KEY=base64.b64encode(bytes(range(8)) * 4).decode())
    with pytest.raises(ValidationError, match="the index key"):
        XSettings()


def test_production_refuses_the_demo_clinic(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, X_SEED_DEMO_DATA="true")
    with pytest.raises(ValidationError, match="X_SEED_DEMO_DATA must be false"):
        XSettings()
    monkeypatch.setenv("CLINIC_ENV", "development")
    assert XSettings().seed_demo_data  # make run's demo clinic


@pytest.mark.parametrize(
    "key",
    [None, DEVELOPMENT_PATIENT_LINK_KEY, "k" * 40, "too-short-0123", STRONG_SECRET],
    ids=["missing", "development", "patterned", "short", "the jwt secret"],
)
def test_production_refuses_a_missing_weak_or_shared_patient_link_key(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    _production(monkeypatch)
    if key is not None:
        monkeypatch.setenv("CLINIC_PATIENT_LINK_KEY", key)
    with pytest.raises(ValidationError, match="CLINIC_PATIENT_LINK_KEY"):
        LinkSettings()


def test_production_takes_a_random_patient_link_key(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch)
    key = secrets.token_urlsafe(32)
    monkeypatch.setenv("CLINIC_PATIENT_LINK_KEY", key)
    assert LinkSettings().patient_link_key.get_secret_value() == key
    monkeypatch.delenv("CLINIC_PATIENT_LINK_KEY")
    assert XSettings().env == "production"  # a service that makes no links needs no key


def test_a_hand_over_time_shorter_than_two_publish_timeouts_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("X_OUTBOX_HANDOFF_SECONDS", "8")
    monkeypatch.setenv("X_PUBLISH_TIMEOUT_SECONDS", "5")
    with pytest.raises(
        ValidationError, match=r"OUTBOX_HANDOFF_SECONDS \(8\) must be at least twice"
    ):
        XSettings()
    monkeypatch.setenv("X_PUBLISH_TIMEOUT_SECONDS", "4")
    assert XSettings().outbox_handoff_seconds == 8
