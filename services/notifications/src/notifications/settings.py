"""Notifications's settings: NOTIFICATIONS_* variables plus the shared CLINIC_* and AMQP_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from clinic_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_")

    service_name: str = "notifications"
    port: int = Field(8003, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/notifications.db"
