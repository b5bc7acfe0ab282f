"""The one place scheduling is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.outbox import scoped_handlers
from clinic_shared.ratelimit import Limit, RateLimiter
from clinic_shared.web import build_service_app
from scheduling.adapters.orm import metadata
from scheduling.entrypoints.api import (
    agenda,
    closures,
    courses,
    export,
    feeds,
    patients,
    prescriptions,
    recalls,
    reports,
    self_service,
    session_states,
    sessions,
    staff,
    time_off,
)
from scheduling.entrypoints.workers import build_workers
from scheduling.seed import demo_seeder
from scheduling.service_layer.handlers import EVENT_HANDLERS
from scheduling.service_layer.scope import make_scope
from scheduling.settings import SchedulingSettings


def build_app(settings: SchedulingSettings | None = None, bus: MessageBus | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    app = build_service_app(
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
            closures.router,
            courses.router,
            courses.plans_router,
            prescriptions.router,
            session_states.router,  # before sessions': `states` is not a session id
            sessions.router,
            agenda.router,
            recalls.router,
            reports.router,
            self_service.router,
            feeds.router,
        ],
        handlers=scoped_handlers(EVENT_HANDLERS, make_scope(settings)),
        seed=demo_seeder(settings),
        workers=build_workers(settings),
        bus=bus,
    )
    feed_limit = Limit(settings.feed_rate_limit, settings.feed_rate_window_seconds)
    app.state.feed_limiter = RateLimiter(
        feed_limit, refusal="Too many calendar feed requests from this address. Try again later."
    )
    return app
