"""Browser tests: the running stack served over HTTP, and Chromium driven by Playwright.

Fixtures: `stack` (scheduling, inventory, notifications and the dashboard, each by uvicorn on a
free port, on PostgreSQL and RabbitMQ, demo data seeded), `browser` (headless Debian Chromium),
`signed_in` (`page = await signed_in(Role.RECEPTIONIST)`) and `screenshot(page, name)`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from clinic_shared.auth import Role
from clinic_testing.helpers import Served, bearer
from dashboard.bootstrap import build_app as dashboard_app
from dashboard.seed import DEMO_ACCOUNTS
from dashboard.settings import DashboardSettings
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
# Scheduling last: it is given the others' URLs (a patient's export, a completion's lot check).
SERVICES = (
    ("inventory", InventorySettings, inventory_app),
    ("notifications", NotificationsSettings, notifications_app),
    ("scheduling", SchedulingSettings, scheduling_app),
)
DEMO_PATIENT = "00000000-0000-4000-8000-000000000001"
TABLET = {"width": 768, "height": 1024}
# ms: a sign-in is a password hash, a redirect and the agenda's calls to the services; a machine
# running the fault tests beside this can take many seconds for that.
SIGN_IN_WAIT = 90_000
SERVICE_WAIT = 20  # s, see `stack`
# ms: an expectation waits for a page that waits for the services (Playwright's own is 5 s)
ANSWER = SERVICE_WAIT * 1000 + 10_000
DEFAULT_WAIT = 5_000
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an `e2e` test."""
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class E2EStack:
    apps: dict[str, FastAPI]
    servers: dict[str, Served]

    @property
    def dashboard_url(self) -> str:
        return self.servers["dashboard"].url

    def api(self, service: str, role: Role | str = Role.ADMIN) -> httpx.AsyncClient:
        """A client of a service's API with a bearer token of `role`."""
        url = self.servers[service].url
        return httpx.AsyncClient(base_url=url, headers=bearer(role), timeout=10)

    async def demo_sessions(self) -> list[dict[str, Any]]:
        """The seeded course's sessions (Amelia Hart's, from tomorrow on), in order."""
        async with self.api("scheduling") as api:
            courses = await api.get("/v1/courses", params={"patient_id": DEMO_PATIENT})
        sessions = courses.json()[0]["sessions"]
        return sorted(sessions, key=lambda s: int(s["sequence"]))

    async def session(self, session_id: str) -> dict[str, Any]:
        async with self.api("scheduling") as api:
            return dict((await api.get(f"/v1/sessions/{session_id}")).json())

    def travel_to(self, service: str, moment: datetime) -> None:
        """Set a service's clock (a session can be completed only once it has started)."""
        self.apps[service].state.runtime.clock = lambda: moment


@pytest.fixture(autouse=True)
def service_answer_expectations() -> Iterator[None]:
    """Each expectation waits for an answer of the services, which a busy machine slows."""
    expect.set_options(timeout=ANSWER)
    yield
    expect.set_options(timeout=DEFAULT_WAIT)


@pytest.fixture
async def stack(stack_settings: Callable[..., Awaitable[Any]]) -> AsyncIterator[E2EStack]:
    """The three services and the dashboard over real HTTP, with the demo clinic seeded."""
    apps: dict[str, FastAPI] = {}
    servers: dict[str, Served] = {}
    for name, cls, build in SERVICES:
        peers = {f"{n}_url": s.url for n, s in servers.items()} if name == "scheduling" else {}
        apps[name] = build(await stack_settings(cls, seed_demo_data=True, **peers))
        servers[name] = Served(apps[name])
    urls = {f"{name}_url": servers[name].url for name, _, _ in SERVICES}
    # Tests move the dashboard's clock days ahead to a session's start: sign-ins made before
    # must outlast the jump. The four apps share this test's one event loop, on a machine
    # running other test files beside it: a service's answer can take longer than the 5 s a
    # clinic's dashboard waits before showing it as down (a CI run saw a patient's page do so
    # right after the demo seed). A stopped service is still shown down at once (refused).
    settings = await stack_settings(
        DashboardSettings,
        seed_demo_data=True,
        session_hours=24 * 30,
        service_timeout_seconds=SERVICE_WAIT,
        **urls,
    )
    apps["dashboard"] = dashboard_app(settings)
    servers["dashboard"] = Served(apps["dashboard"])
    async with AsyncExitStack() as stop:
        for server in servers.values():
            await server.start()
            stop.push_async_callback(server.stop)
        yield E2EStack(apps, servers)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium "
            "(`apt-get install -y chromium`; .ci/run installs it). Never `playwright install`.",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


def demo_account(role: Role) -> tuple[str, str]:
    """The email and password of the demo account of `role`."""
    _, email, _, password = next(a for a in DEMO_ACCOUNTS if a[2] is role)
    return email, password


async def sign_in(page: Page, email: str, password: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def signed_in(stack: E2EStack, browser: Browser) -> Callable[[Role], Awaitable[Page]]:
    """`await signed_in(role)`: a tablet-sized page signed in as the demo account of `role`."""

    async def open_as(role: Role) -> Page:
        context = await browser.new_context(base_url=stack.dashboard_url, viewport=TABLET)
        page = await context.new_page()
        await page.goto("/signin")
        await sign_in(page, *demo_account(role))
        try:
            await page.get_by_role("button", name="Sign out").wait_for(timeout=SIGN_IN_WAIT)
        except PlaywrightTimeoutError as timed_out:
            await screenshot(page, f"signin-failed-{role.value}")
            body = await page.locator("body").inner_text()
            shown = f"{page.url} shows {body!r}"
            raise AssertionError(f"not signed in as {role.value}: {shown}") from timed_out
        return page

    return open_as


async def screenshot(page: Page, name: str) -> None:
    """Save the whole page under test-artifacts/screenshots/ (git ignores it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
