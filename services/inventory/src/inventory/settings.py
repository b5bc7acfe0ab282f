"""Inventory's settings: INVENTORY_* variables plus the shared CLINIC_* and AMQP_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from clinic_shared.settings import ServiceSettings


class InventorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INVENTORY_")

    service_name: str = "inventory"
    port: int = Field(8002, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/inventory.db"
