"""The one place the dashboard is wired."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from clinic_shared.auth import TokenVerifier
from clinic_shared.edges import PAGES_POLICY
from clinic_shared.ratelimit import Limit, StoredRateLimiter
from clinic_shared.web import create_app
from dashboard.adapters.orm import rate_limit_hits
from dashboard.errors import install_error_pages
from dashboard.i18n import LanguageMiddleware
from dashboard.pages import (
    agenda,
    agenda_actions,
    agenda_complete,
    alerts,
    booking,
    calendar,
    calendar_actions,
    language,
    messages,
    orders,
    patient,
    patient_courses,
    patient_edit,
    patient_link,
    patient_prescription,
    patient_timeline,
    patients,
    reports,
    signin,
    signin_notice,
    stock,
    suppliers,
    waitlist,
)
from dashboard.pages.settings import routers as settings_routers
from dashboard.pages.signin import TOO_MANY_SIGN_INS
from dashboard.runtime import DashboardRuntime
from dashboard.seed import seed_demo
from dashboard.settings import DashboardSettings
from dashboard.web import templates

ROUTERS = [
    signin.router,
    signin_notice.router,
    language.router,
    agenda.router,
    agenda_actions.router,
    agenda_complete.router,
    calendar.router,
    calendar_actions.router,
    *settings_routers,
    booking.router,
    patients.router,
    patient.router,
    patient_edit.router,
    patient_courses.router,
    patient_prescription.router,
    patient_timeline.router,
    stock.router,
    orders.router,
    suppliers.router,
    alerts.router,
    reports.router,
    messages.router,
    patient_link.router,
    waitlist.router,
]


def build_app(settings: DashboardSettings | None = None) -> FastAPI:
    settings = settings or DashboardSettings()
    runtime = DashboardRuntime(settings, seed=seed_demo)
    app = create_app(
        title="Clinic dashboard",
        description="The staff's pages over scheduling, inventory and notifications.",
        runtime=runtime,
        verifier=TokenVerifier(
            settings.jwt_secret.get_secret_value(),
            settings.jwt_issuer,
            max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
        ),
        routers=ROUTERS,
        content_security_policy=PAGES_POLICY,
        max_body_bytes=settings.max_body_bytes,
        metrics_port=settings.metrics_port,
    )
    app.state.settings = settings
    app.state.signin_by_address = StoredRateLimiter(
        runtime.db,
        rate_limit_hits,
        "signin-address",
        Limit(settings.signin_attempts_per_address, 60),
        refusal=TOO_MANY_SIGN_INS,
    )
    app.state.patient_links = StoredRateLimiter(
        runtime.db,
        rate_limit_hits,
        "patient-link",
        Limit(settings.patient_link_requests_per_minute, 60),
        refusal="Too many requests for this page. Try again in a minute.",
    )
    app.state.signin_failures = StoredRateLimiter(
        runtime.db,
        rate_limit_hits,
        "signin-account",
        settings.signin_delays,
        clock=lambda: runtime.clock(),  # tests move the runtime's clock through the delays
        refusal=TOO_MANY_SIGN_INS,
    )
    templates.env.globals["clinic_zone"] = settings.zone
    install_error_pages(app)
    app.add_middleware(LanguageMiddleware)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
