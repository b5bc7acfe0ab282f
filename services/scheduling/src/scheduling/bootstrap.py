"""The one place scheduling is wired: settings, runtime, app."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.auth import TokenVerifier
from clinic_shared.messaging import MessageBus
from clinic_shared.runtime import ServiceRuntime
from clinic_shared.web import create_app
from scheduling.adapters.orm import metadata
from scheduling.entrypoints.api import patients
from scheduling.seed import seed_demo
from scheduling.settings import SchedulingSettings

MIGRATIONS = "scheduling:migrations"


def build_runtime(settings: SchedulingSettings, bus: MessageBus | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings=settings,
        metadata=metadata,
        migrations_location=MIGRATIONS,
        handlers={},
        bus=bus,
        seed=seed_demo,
    )


def build_app(settings: SchedulingSettings | None = None, bus: MessageBus | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    return create_app(
        title="Scheduling",
        description="Patients, practitioners, rooms and treatment courses.",
        runtime=build_runtime(settings, bus),
        verifier=TokenVerifier(settings.jwt_secret.get_secret_value(), settings.jwt_issuer),
        routers=[patients.router],
    )
