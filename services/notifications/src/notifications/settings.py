"""Notifications's settings: NOTIFICATIONS_* variables plus the shared CLINIC_* and AMQP_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from clinic_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_")

    uses_patient_links: ClassVar[bool] = True
    service_name: str = "notifications"
    port: int = Field(8003, ge=0, le=65535)
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/notifications"

    clinic_name: str = Field("Clinique Lumière", min_length=1, max_length=40)
    clinic_address: str = Field("12 rue de la Paix, 75002 Paris", min_length=1, max_length=100)
    clinic_phone: str = Field("+33 1 23 45 67 89", min_length=3, max_length=20)
    patient_link_base_url: str = Field(
        "http://127.0.0.1:8000",
        description="The dashboard's address as patients reach it: confirmations and reminders "
        "carry `<this>/p/<token>`.",
    )
    outbox_dir: Path = Path("var/outbox")
    local_undeliverable_numbers: frozenset[str] = Field(
        frozenset(),
        description="Phone numbers (E.164) whose SMS the local outbox refuses, as a carrier "
        "refuses a number not in service: to try the failed-SMS path without a carrier.",
    )
    email_from: str = "Clinique Lumière <no-reply@clinic.example>"

    dispatch_enabled: bool = True
    dispatch_poll_seconds: float = Field(5.0, gt=0)
    dispatch_batch_size: int = Field(50, ge=1, le=1000)
    dispatch_concurrency: int = Field(10, ge=1, le=200)
    dispatch_lease_seconds: float = Field(120.0, gt=0)
    dispatch_max_attempts: int = Field(6, ge=1, le=50)
    dispatch_first_retry_seconds: float = Field(30.0, gt=0)
    dispatch_max_retry_seconds: float = Field(3600.0, gt=0)

    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: float = Field(10.0, gt=0)

    sms_api_url: str = "https://api.twilio.com"
    sms_account_sid: str | None = None
    sms_auth_token: SecretStr | None = None
    sms_from: str | None = None
    sms_status_callback_url: str | None = None
    sms_webhook_base_url: str | None = Field(
        None,
        description=(
            "The public URL prefix the provider calls (signatures cover it); required in "
            "production when the SMS webhooks are on, else the signed URL follows the Host header."
        ),
    )
    sms_timeout_seconds: float = Field(10.0, gt=0)
    max_sms_segments: int = Field(
        2,
        ge=1,
        le=10,
        description=(
            "The segments an SMS may take before it drops its optional parts (the address); "
            "a UCS-2 segment holds 67 characters, a GSM-7 one 153."
        ),
    )
    webhook_rate_limit: int = Field(
        1200, ge=1, description="Webhook calls one address may make per window (per replica)."
    )
    webhook_rate_window_seconds: float = Field(60.0, gt=0)

    staff_alert_recipients: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated emails that get the staff digest."
    )
    staff_digest_seconds: float = Field(60.0, gt=0)

    scheduling_url: str = Field(
        "http://127.0.0.1:8001",
        description="Scheduling, whose sessions notifications reconciles with.",
    )
    peer_timeout_seconds: float = Field(
        10, gt=0, description="How long a page of scheduling's session list may take."
    )
    reconcile_interval_seconds: float = Field(
        900, gt=0, description="How often the session projection is reconciled with scheduling."
    )
    reconcile_first_after_seconds: float = Field(
        60, ge=0, description="Delay of the first reconciliation after the service starts."
    )

    @field_validator("staff_alert_recipients", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("sms_webhook_base_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError("must be an absolute http(s) URL without a query, like https://host")
        return value

    @model_validator(mode="after")
    def _signed_url_fixed_in_production(self) -> NotificationsSettings:
        """The webhooks' signatures cover the URL: in production it is configured, never taken
        from the request's Host header (which whoever calls chooses)."""
        if self.env == "production" and self.sms_auth_token and self.sms_webhook_base_url is None:
            raise ValueError(
                "NOTIFICATIONS_SMS_WEBHOOK_BASE_URL is required when CLINIC_ENV=production and "
                "NOTIFICATIONS_SMS_AUTH_TOKEN is set: the public URL the SMS provider calls"
            )
        return self
