"""The dashboard's settings: DASHBOARD_* variables plus the shared CLINIC_* ones."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from clinic_shared.settings import ServiceSettings
from dashboard.accounts.delays import KnownFor, SignInDelays


class DashboardSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")

    service_name: str = "dashboard"
    uses_bus: ClassVar[bool] = False  # it calls the services over HTTP: no AMQP_URL needed
    uses_patient_links: ClassVar[bool] = True
    port: int = Field(8000, ge=0, le=65535)
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/dashboard"

    clinic_name: str = Field(
        "Clinique Lumière", min_length=1, max_length=40, description="Shown to patients."
    )
    clinic_phone: str = Field(
        "+33 1 23 45 67 89", min_length=3, max_length=20, description="Patients call it."
    )
    patient_language: Literal["en", "fr"] = Field(
        "fr",
        description="The language a patient registered at the desk gets unless told otherwise: "
        "their messages' (the clinic's; the receptionist's own pages may be in another).",
    )
    patient_link_requests_per_minute: int = Field(
        30, ge=1, description="Requests one address, or one link, may make of /p/ per minute."
    )
    scheduling_url: str = "http://127.0.0.1:8001"
    inventory_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    service_timeout_seconds: float = Field(
        5.0, gt=0, description="How long a page waits for a service before showing it as down."
    )
    session_hours: float = Field(
        12, gt=0, le=24 * 30, description="How long a sign-in lasts without being used."
    )
    refresh_seconds: int = Field(4, ge=1, le=60, description="How often pages poll for news.")
    signin_attempts_per_address: int = Field(
        30, ge=1, description="Sign-in attempts one network address may make per minute."
    )
    signin_failures_per_account: int = Field(
        5, ge=1, description="Wrong passwords an account takes before each further attempt waits."
    )
    signin_first_delay_seconds: float = Field(
        60, gt=0, description="The first wait; it doubles after each further wrong password."
    )
    signin_longest_delay_seconds: float = Field(900, gt=0, description="The longest wait.")
    signin_failure_memory_hours: float = Field(
        24, gt=0, description="How long a wrong password counts (a right one clears them)."
    )
    signin_known_device_days: float = Field(
        365, gt=0, description="How long a browser that signed in passes others' delays."
    )
    signin_known_address_days: float = Field(
        30, gt=0, description="How long an address that signed in passes others' delays."
    )
    first_admin_email: str | None = Field(
        None,
        description=(
            "With DASHBOARD_FIRST_ADMIN_PASSWORD: the clinic's first admin account, created at "
            "start if no account uses this email yet (production has no demo accounts)."
        ),
    )
    first_admin_password: SecretStr | None = None

    @property
    def signin_delays(self) -> SignInDelays:
        return SignInDelays(
            free=self.signin_failures_per_account,
            first=timedelta(seconds=self.signin_first_delay_seconds),
            longest=timedelta(seconds=self.signin_longest_delay_seconds),
            memory=timedelta(hours=self.signin_failure_memory_hours),
        )

    @property
    def signin_known_for(self) -> KnownFor:
        return KnownFor(
            device=timedelta(days=self.signin_known_device_days),
            address=timedelta(days=self.signin_known_address_days),
        )

    @property
    def secure_cookies(self) -> bool:
        """Cookies go over HTTPS only in production."""
        return self.env == "production"
