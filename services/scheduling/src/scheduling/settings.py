"""Scheduling's settings: SCHEDULING_* variables plus the shared CLINIC_* and AMQP_URL."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from clinic_shared.settings import ServiceSettings
from scheduling.adapters.holidays import supported as public_holidays_known
from scheduling.domain.rules import HORIZON


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_")

    service_name: str = "scheduling"
    port: int = Field(8001, ge=0, le=65535)
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/scheduling"
    default_phone_region: str = Field("GB", min_length=2, max_length=2)
    nudge_lead_days: int = Field(3, ge=0, le=30)
    nudge_interval_seconds: float = Field(300.0, gt=0)
    # How far ahead bookings, plans, time off and the agenda's filters may reach.
    horizon_days: int = Field(HORIZON.days, ge=1, le=3650)
    # Where a patient's export fetches the other services' parts.
    inventory_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    peer_timeout_seconds: float = Field(10.0, gt=0)

    @field_validator("country")
    @classmethod
    def _has_holidays(cls, country: str) -> str:
        if not public_holidays_known(country):
            raise ValueError(f"the holidays library knows no public holidays for {country}")
        return country

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)
