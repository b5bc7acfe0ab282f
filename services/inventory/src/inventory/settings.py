"""Inventory's settings: INVENTORY_* variables plus the shared CLINIC_* and AMQP_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from clinic_shared.settings import ServiceSettings


class InventorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INVENTORY_")

    service_name: str = "inventory"
    port: int = Field(8002, ge=0, le=65535)
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/inventory"

    forecast_days: int = Field(60, ge=1, le=365)
    # With seed_demo_data: the living demo clinic's deliveries (inventory.seed), as `make run` has.
    seed_living_clinic: bool = False
    expiry_warning_days: int = Field(30, ge=1, le=365)
    course_pace_days: int = Field(
        10, ge=1, le=60, description="Days assumed between a course's unbooked sessions."
    )
    scan_interval_seconds: float = Field(
        3600, gt=0, description="How often the expiry and reorder scan runs."
    )
    scan_first_after_seconds: float = Field(
        10, ge=0, description="Delay of the first scan after the service starts."
    )
    reorder_review_pause_seconds: float = Field(
        0.5,
        ge=0,
        le=60,
        description="The least time between two reviews of the reorders that bookings' stock "
        "changes call for: a steady stream of bookings is reviewed a few times a second, "
        "not once each.",
    )
    scheduling_url: str = Field(
        "http://127.0.0.1:8001", description="Scheduling, whose sessions inventory reconciles with."
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
