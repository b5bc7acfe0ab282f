"""Scheduling's settings: SCHEDULING_* variables plus the shared CLINIC_* and AMQP_URL."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import ClassVar

import phonenumbers
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from clinic_shared.settings import ServiceSettings
from scheduling.adapters.holidays import supported as public_holidays_known
from scheduling.domain.rules import HORIZON


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_")

    uses_patient_links: ClassVar[bool] = True
    service_name: str = "scheduling"
    port: int = Field(8001, ge=0, le=65535)
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/scheduling"
    nudge_lead_days: int = Field(3, ge=0, le=30)
    nudge_interval_seconds: float = Field(300.0, gt=0)
    # How far ahead bookings, plans, time off and the agenda's filters may reach.
    horizon_days: int = Field(HORIZON.days, ge=1, le=3650)
    # Where a patient's export fetches the other services' parts.
    inventory_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    peer_timeout_seconds: float = Field(10.0, gt=0)
    self_service_notice_hours: float = Field(
        24,
        ge=0,
        le=24 * 14,
        description="How long before a session's start a patient's link may still cancel or "
        "move it; later, the page says to call the clinic.",
    )
    feed_base_url: str = Field(
        "http://127.0.0.1:8001",
        description="The address calendar apps reach scheduling's `/v1/feeds/` at: practitioners' "
        "feed URLs start with it.",
    )
    feed_rate_limit: int = Field(
        60, ge=1, description="Requests one network address may make of /v1/feeds/ per window."
    )
    feed_rate_window_seconds: float = Field(60.0, gt=0)
    # With seed_demo_data: the living demo clinic (scheduling.demo_clinic), as `make run` has.
    seed_living_clinic: bool = False

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        """The clinic's country must be one whose national phone numbers can be read and whose
        public holidays are known; and the variable it replaced is refused rather than
        silently ignored."""
        if "SCHEDULING_DEFAULT_PHONE_REGION" in os.environ:
            raise ValueError(
                "SCHEDULING_DEFAULT_PHONE_REGION is replaced by CLINIC_COUNTRY: set that instead"
            )
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"CLINIC_COUNTRY {value!r} is not a country with phone numbers")
        if not public_holidays_known(value):
            raise ValueError(f"the holidays library knows no public holidays for {value}")
        return value

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)
