"""The one place scheduling is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.web import build_service_app
from scheduling.adapters.orm import metadata
from scheduling.entrypoints.api import courses, export, patients, sessions, staff, time_off
from scheduling.seed import demo_seeder
from scheduling.service_layer.handlers import HANDLERS
from scheduling.service_layer.nudges import nudge_worker
from scheduling.settings import SchedulingSettings


def build_app(settings: SchedulingSettings | None = None, bus: MessageBus | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    return build_service_app(
        settings,
        title="Scheduling",
        description="Patients, practitioners, rooms and treatment courses.",
        metadata=metadata,
        migrations_location="scheduling:migrations",
        routers=[
            patients.router,
            export.router,
            staff.router,
            time_off.router,
            courses.router,
            sessions.router,
        ],
        handlers=HANDLERS,
        seed=demo_seeder(settings),
        workers=[nudge_worker(settings.nudge_interval_seconds, settings.nudge_lead_days)],
        bus=bus,
    )
