"""Settings common to every service, read from the environment by pydantic-settings."""

from __future__ import annotations

import math
from collections import Counter
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from clinic_shared.crypto import DEVELOPMENT_DATA_KEYS, DEVELOPMENT_INDEX_KEY, Keyring
from clinic_shared.patient_links import DEVELOPMENT_PATIENT_LINK_KEY
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET

MIN_PRODUCTION_SECRET_LENGTH = 32
MIN_SECRET_ENTROPY_BITS = 80
"""The least a production secret or key must carry by `estimated_entropy_bits`. A random
32-character hex secret (128 bits) estimates at 96 or more (the least of 2,000 draws), 32 random
bytes at 145 or more; `'a' * 32` at 0, `'password' * 5` at 22."""


def estimated_entropy_bits(material: str | bytes) -> float:
    """A cheap estimate of the entropy in `material`: the Shannon entropy of its symbols'
    frequencies, times its length, over its shortest repeating unit (`'password' * 5` counts as
    `'password'`). Low for repeated or patterned material however long; close to the truth for
    random material."""
    unit = material[: _shortest_period(material)]
    if not unit:
        return 0.0
    counts = Counter(unit)
    total = len(unit)
    return total * -sum(n / total * math.log2(n / total) for n in counts.values())


def _shortest_period(material: str | bytes) -> int:
    """The least p with material[i] == material[i - p] throughout: its length less its longest
    border (a proper prefix that is also a suffix), found with the KMP failure function."""
    border = [0] * len(material)
    for i in range(1, len(material)):
        k = border[i - 1]
        while k and material[i] != material[k]:
            k = border[k - 1]
        border[i] = k + (material[i] == material[k])
    return len(material) - (border[-1] if material else 0)


DEFAULT_MAX_BODY_BYTES = 256 * 1024
"""A course of twenty sessions with its notes is under 10 KB: 256 KiB leaves room to spare."""


class ServiceSettings(BaseSettings):
    """Base of each service's settings; a subclass sets its own `env_prefix`.

    Variables shared by all services (`CLINIC_ENV`, `CLINIC_JWT_SECRET`, `AMQP_URL`, ...) keep their
    unprefixed names; everything else is read as `<PREFIX><FIELD>`, e.g. `SCHEDULING_DATABASE_URL`.
    """

    model_config = SettingsConfigDict(
        extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    service_name: str = "service"
    uses_bus: ClassVar[bool] = True  # publishes or consumes events (the dashboard does neither)
    uses_patient_links: ClassVar[bool] = False  # makes or reads patients' self-service links
    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias="CLINIC_ENV"
    )
    jwt_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_JWT_SECRET), validation_alias="CLINIC_JWT_SECRET"
    )
    jwt_issuer: str = Field("clinic", validation_alias="CLINIC_JWT_ISSUER")
    country: str = Field(
        "FR",
        pattern=r"^[A-Z]{2}$",
        validation_alias="CLINIC_COUNTRY",
        description="The clinic's country (ISO 3166-1 alpha-2): phone numbers and public holidays.",
    )
    jwt_max_lifetime_seconds: int = Field(
        24 * 3600,
        ge=60,
        validation_alias="CLINIC_JWT_MAX_LIFETIME_SECONDS",
        description="A token whose expiry is further than this from its issue is refused.",
    )
    data_keys: SecretStr = Field(
        SecretStr(DEVELOPMENT_DATA_KEYS), validation_alias="CLINIC_DATA_KEYS"
    )
    index_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_INDEX_KEY), validation_alias="CLINIC_INDEX_KEY"
    )
    patient_link_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_PATIENT_LINK_KEY),
        validation_alias="CLINIC_PATIENT_LINK_KEY",
        description="Signs patients' self-service links (its own key, not CLINIC_JWT_SECRET).",
    )
    amqp_url: SecretStr | None = Field(None, validation_alias="AMQP_URL")
    amqp_namespace: str = Field("", validation_alias="AMQP_NAMESPACE")
    amqp_declare_all_queues: bool = Field(
        True,
        validation_alias="AMQP_DECLARE_ALL_QUEUES",
        description=(
            "Declare every consumer's queues on connect (so no event is unroutable before its "
            "consumer first starts); false: only this service's own, for a broker user allowed "
            "only those, on a broker that declares the others at boot (docker-compose.yml)."
        ),
    )
    log_level: str = Field("INFO", validation_alias="CLINIC_LOG_LEVEL")
    log_format: Literal["json", "text"] = Field("json", validation_alias="CLINIC_LOG_FORMAT")
    timezone: str = Field("Europe/Paris", validation_alias="CLINIC_TIMEZONE")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/service"
    host: str = "127.0.0.1"
    forwarded_allow_ips: str = Field(
        "",
        validation_alias="FORWARDED_ALLOW_IPS",
        description=(
            "The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses "
            "or networks, comma-separated, as uvicorn takes them). Empty: none, so a client "
            "cannot pick the address the per-address limits count."
        ),
    )
    port: int = Field(8000, ge=0, le=65535)
    database_pool_size: int = Field(10, ge=1)
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES,
        ge=1024,
        description="The largest request body taken; larger ones get 413.",
    )
    run_migrations: bool = True
    seed_demo_data: bool = False

    outbox_poll_seconds: float = Field(0.5, gt=0)
    outbox_batch_size: int = Field(100, ge=1, le=1000)
    outbox_linger_seconds: float = Field(
        0.01, ge=0, description="The least time between two batches of a busy outbox relay."
    )
    outbox_handoff_seconds: float = Field(
        10.0,
        gt=0,
        description="How long the relay leaves an event committed here to be published straight "
        "from memory before it reads it from the outbox (a crash or a broker outage left it); "
        "at least twice the publish timeout.",
    )
    outbox_retention_seconds: float = Field(86_400, ge=0)
    inbox_retention_seconds: float = Field(
        7 * 86_400, gt=0, description="How long a consumed event's id is kept against redelivery."
    )
    inbox_prune_seconds: float = Field(3600, gt=0, description="How often old inbox rows go.")
    publish_timeout_seconds: float = Field(5.0, gt=0)
    consumer_prefetch: int = Field(16, ge=1, le=1000)
    consumer_max_attempts: int = Field(5, ge=1, le=100)
    consumer_retry_delay_seconds: float = Field(5.0, gt=0)
    metrics_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="Serve /metrics on this port only, beside the service's own port (which "
        "then answers 404 there); unset: /metrics on the service's port.",
    )
    metrics_enabled: bool = Field(
        True,
        description="Count requests and committed events for /metrics; off only to measure "
        "what counting costs (bench).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _handoff_outlasts_a_publish(self) -> ServiceSettings:
        # the relay leaves an event waiting in memory half the hand-over time to the table
        if self.outbox_handoff_seconds < 2 * self.publish_timeout_seconds:
            raise ValueError(
                f"OUTBOX_HANDOFF_SECONDS ({self.outbox_handoff_seconds:g}) must be at least twice "
                f"PUBLISH_TIMEOUT_SECONDS ({self.publish_timeout_seconds:g})"
            )
        return self

    @model_validator(mode="after")
    def _usable_keys(self) -> ServiceSettings:
        self.keyring()  # raises ValueError naming what is wrong with the keys
        return self

    def keyring(self) -> Keyring:
        """The keys that seal patients' phone numbers and emails at rest."""
        return Keyring.parse(self.data_keys.get_secret_value(), self.index_key.get_secret_value())

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone: calendar days and working hours are counted in it."""
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> ServiceSettings:
        if self.env != "production":
            return self
        secret = self.jwt_secret.get_secret_value()
        if (
            secret == DEVELOPMENT_JWT_SECRET
            or len(secret) < MIN_PRODUCTION_SECRET_LENGTH
            or estimated_entropy_bits(secret) < MIN_SECRET_ENTROPY_BITS
        ):
            raise ValueError(
                "CLINIC_JWT_SECRET must be set to a random secret of at least "
                f"{MIN_PRODUCTION_SECRET_LENGTH} characters when CLINIC_ENV=production "
                "(repeated or patterned text is refused; `openssl rand -base64 32` makes one)"
            )
        if self.uses_patient_links:
            _check_patient_link_key(self.patient_link_key.get_secret_value(), secret)
        if self.amqp_url is None and self.uses_bus:
            raise ValueError("AMQP_URL is required when CLINIC_ENV=production")
        if DEVELOPMENT_DATA_KEYS.partition(":")[2] in self.data_keys.get_secret_value():
            raise ValueError("CLINIC_DATA_KEYS must not hold the development key in production")
        if self.index_key.get_secret_value() == DEVELOPMENT_INDEX_KEY:
            raise ValueError("CLINIC_INDEX_KEY must be set to a random key in production")
        keyring = self.keyring()
        weak = [f"data key {kid!r}" for kid, key in keyring.keys.items() if _weak(key)]
        weak += ["the index key"] if _weak(keyring.index_key) else []
        if weak:
            raise ValueError(
                f"{', '.join(weak)} of CLINIC_DATA_KEYS/CLINIC_INDEX_KEY are not random "
                "(make keys with `python -m clinic_shared.crypto`)"
            )
        if self.seed_demo_data:
            prefix = str(self.model_config.get("env_prefix", ""))
            raise ValueError(
                f"{prefix}SEED_DEMO_DATA must be false when CLINIC_ENV=production: the demo "
                "clinic's patients and sessions would mix with the clinic's own"
            )
        return self

    @classmethod
    def environment_variables(cls) -> set[str]:
        """Every environment variable name this settings class reads."""
        prefix = cls.model_config.get("env_prefix", "")
        names = set()
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            names.add(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
        return names


def _check_patient_link_key(key: str, jwt_secret: str) -> None:
    if (
        key == DEVELOPMENT_PATIENT_LINK_KEY
        or len(key) < MIN_PRODUCTION_SECRET_LENGTH
        or estimated_entropy_bits(key) < MIN_SECRET_ENTROPY_BITS
    ):
        raise ValueError(
            "CLINIC_PATIENT_LINK_KEY must be set to a random key of at least "
            f"{MIN_PRODUCTION_SECRET_LENGTH} characters when CLINIC_ENV=production "
            "(repeated or patterned text is refused; `openssl rand -base64 32` makes one)"
        )
    if key == jwt_secret:
        raise ValueError("CLINIC_PATIENT_LINK_KEY must differ from CLINIC_JWT_SECRET")


def _weak(key: bytes) -> bool:
    return estimated_entropy_bits(key) < MIN_SECRET_ENTROPY_BITS
