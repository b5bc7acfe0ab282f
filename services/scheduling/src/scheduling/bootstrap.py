"""The one place scheduling is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.web import build_service_app
from scheduling.adapters.orm import metadata
from scheduling.entrypoints.api import patients
from scheduling.seed import seed_demo
from scheduling.settings import SchedulingSettings


def build_app(settings: SchedulingSettings | None = None, bus: MessageBus | None = None) -> FastAPI:
    return build_service_app(
        settings or SchedulingSettings(),
        title="Scheduling",
        description="Patients, practitioners, rooms and treatment courses.",
        metadata=metadata,
        migrations_location="scheduling:migrations",
        routers=[patients.router],
        seed=seed_demo,
        bus=bus,
    )
