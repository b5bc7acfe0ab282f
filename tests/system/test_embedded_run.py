"""`make run`: three services and the dashboard in one process, seeded once, stopped by Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_testing.helpers import bearer, eventually, free_port
from dashboard.seed import DEMO_ACCOUNTS
from scheduling.seed import UNDELIVERABLE

PARIS = ZoneInfo("Europe/Paris")  # the demo clinic's


def quiet_hours_now(within: timedelta = timedelta(minutes=10)) -> bool | None:
    """Whether the demo's quiet hours (the default policy: 20:00 to 08:00 in Paris) hold from now
    for `within` (True), do not (False), or begin or end meanwhile (None). In quiet hours the
    demo's SMS wait for 08:00: a run in the evening sends none, and has no failed SMS to show."""
    held = [
        not clock(8) <= moment.astimezone(PARIS).time() < clock(20)
        for moment in (datetime.now(UTC), datetime.now(UTC) + within)
    ]
    return held[0] if held[0] == held[1] else None


# make run prints the demo staff sign-ins to the terminal on purpose; nothing else may show.
pytestmark = [
    pytest.mark.system,
    pytest.mark.contacts_shown(*(email for _, email, _, _ in DEMO_ACCOUNTS)),
]
DEMO_PATIENT = "00000000-0000-4000-8000-000000000001"
SERVED = ("scheduling", "inventory", "notifications", "dashboard")
# The base demo only: the living clinic's seed (tested once, below) takes a minute to book.
BASE_DEMO = {
    "SCHEDULING_SEED_LIVING_CLINIC": "false",
    "INVENTORY_SEED_LIVING_CLINIC": "false",
    "NOTIFICATIONS_LOCAL_UNDELIVERABLE_NUMBERS": "[]",
}
REPOSITORY = Path(__file__).resolve().parents[2]


class Embedded:
    def __init__(self, workdir: Path, env: dict[str, str], living: bool = False) -> None:
        self.workdir = workdir
        self.ports = {name: free_port() for name in SERVED}
        self.env = (
            os.environ
            | ({} if living else BASE_DEMO)
            | env
            | {f"{name.upper()}_PORT": str(port) for name, port in self.ports.items()}
        )
        self.log = workdir / "run.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clinic_embedded"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_healthy(self, client: httpx.AsyncClient, timeout: float = 60) -> None:
        async def healthy() -> bool:
            try:
                codes = [
                    (await client.get(self.url(s) + "/healthz")).status_code for s in self.ports
                ]
            except httpx.TransportError:
                return False
            return codes == [200] * len(SERVED)

        await eventually(healthy, timeout=timeout, interval=0.2)

    @property
    def data(self) -> Path:
        return self.workdir / "var" / "postgres"

    def postmasters(self) -> list[int]:
        """The PostgreSQL servers running on this run's data folder."""
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError):
                words = cmdline.read_bytes().split(b"\0")
                if words[0].endswith(b"/postgres") and str(self.data).encode() in words:
                    found.append(int(cmdline.parent.name))
        return found

    def kill(self) -> None:
        """SIGKILL the run, as a crash would: its PostgreSQL server is left behind."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    async def interrupt(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        for _ in range(200):
            if (code := self.process.poll()) is not None:
                return code
            await asyncio.sleep(0.1)
        self.process.kill()
        raise AssertionError("did not stop within 20 s of Ctrl-C")


@pytest.fixture(params=["embedded-default", "postgres-rabbitmq"])
async def embedded(request, tmp_path: Path, amqp_namespace):
    env = {"CLINIC_LOG_FORMAT": "json"}
    for name in ("SCHEDULING", "INVENTORY", "NOTIFICATIONS"):
        env.pop(f"{name}_DATABASE_URL", None)
    if request.param == "postgres-rabbitmq":
        databases = request.getfixturevalue("postgres_databases")
        namespace = amqp_namespace
        namespace.url = request.getfixturevalue("rabbitmq_url")
        env |= {"AMQP_URL": namespace.url, "AMQP_NAMESPACE": namespace.prefix}
        for name in SERVED:
            env[f"{name.upper()}_DATABASE_URL"] = await databases.fresh(name, f"{name}:migrations")
    run = Embedded(tmp_path, env)
    if request.param == "embedded-default":
        for key in (
            "AMQP_URL",
            "SCHEDULING_DATABASE_URL",
            "INVENTORY_DATABASE_URL",
            "NOTIFICATIONS_DATABASE_URL",
            "DASHBOARD_DATABASE_URL",
        ):
            run.env.pop(key, None)
    yield run
    if run.process is not None and run.process.poll() is None:
        run.process.kill()


async def test_run_serves_the_services_and_dashboard_seeds_once_and_stops_on_ctrl_c(
    embedded,
) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        embedded.start()
        await embedded.wait_healthy(client)

        async def contact() -> int:
            response = await client.get(
                embedded.url("notifications") + f"/v1/contacts/{DEMO_PATIENT}",
                headers=bearer("receptionist"),
            )
            return response.status_code

        await eventually(contact, until=lambda status: status == 200, timeout=20)
        ready = [
            (await client.get(embedded.url(s) + "/readyz")).status_code for s in embedded.ports
        ]
        assert ready == [200] * len(SERVED)
        await _sign_in_to_the_dashboard_as_the_demo_receptionist(embedded.url("dashboard"))
        assert await embedded.interrupt() == 0

        embedded.start()
        await embedded.wait_healthy(client)
        patients = await client.get(
            embedded.url("scheduling") + "/v1/patients", headers=bearer("admin")
        )
        assert await embedded.interrupt() == 0
    assert embedded.postmasters() == []  # Ctrl-C left no PostgreSQL server behind

    assert len(patients.json()) == 2  # the demo clinic was seeded once, not per start
    log = embedded.log.read_text()
    assert "service started" in log
    for _, email, role, password in DEMO_ACCOUNTS:
        assert f"{role.value:<14} {email:<30} {password}" in log
    for secret in ("7911123456", "amelia.hart@example.com", "chloe.martin@example.com"):
        assert secret not in log


@pytest.mark.timeout(600)  # its seed books ~400 sessions through the rules before serving
async def test_run_shows_a_living_clinic_busy_today_with_an_alert_and_a_failed_sms(
    tmp_path: Path,
) -> None:
    run = Embedded(tmp_path, {"CLINIC_LOG_FORMAT": "json"}, living=True)
    for key in (
        "AMQP_URL",
        "SCHEDULING_DATABASE_URL",
        "INVENTORY_DATABASE_URL",
        "NOTIFICATIONS_DATABASE_URL",
        "DASHBOARD_DATABASE_URL",
    ):
        run.env.pop(key, None)
    admin = bearer("admin")
    async with httpx.AsyncClient(timeout=30) as client:
        run.start()
        try:
            await run.wait_healthy(client, timeout=300)  # the seed books ~400 sessions first

            async def get(service: str, path: str, **params: str) -> Any:
                answer = await client.get(run.url(service) + path, params=params, headers=admin)
                assert answer.status_code == 200, answer.text
                return answer.json()

            now = datetime.now(UTC)
            today = await get(
                "scheduling", "/v1/agenda", **{"from": now.isoformat(),
                                               "to": (now + timedelta(days=1)).isoformat()}
            )  # fmt: skip
            patients = await get("scheduling", "/v1/patients", limit="100")
            alerts = await eventually(
                lambda: get("inventory", "/v1/alerts"),
                until=lambda found: {"expiry", "shortage"} <= {a["kind"] for a in found},
                timeout=120,
            )
            inventory = run.url("inventory")
            proposed = await client.post(f"{inventory}/v1/order-proposals", headers=admin)
            assert proposed.status_code == 200, proposed.text
            drafts = await get("inventory", "/v1/purchase-orders", status="draft")
            quiet = quiet_hours_now(timedelta(minutes=15))
            if quiet:  # the undeliverable patient's SMS waits for 08:00, as every SMS then
                held = await eventually(
                    lambda: get(
                        "notifications",
                        "/v1/messages",
                        channel="sms",
                        kind="confirmation",
                        status="scheduled",
                        deferred="true",
                    ),
                    timeout=120,
                )
                failed = await get("notifications", "/v1/messages", status="failed")
            elif quiet is False:
                failed = await eventually(
                    lambda: get("notifications", "/v1/messages", status="failed"), timeout=120
                )
        finally:
            assert await run.interrupt() == 0

    assert today, "sessions in the next 24 hours, whatever the day"
    assert len(patients) == 40
    low = [a["product_code"] for a in alerts if a["kind"] == "shortage"]
    assert low == ["vitamin-blend"], "one product low"
    ordered = {(d["supplier_name"], line["product_code"]) for d in drafts for line in d["lines"]}
    assert ("Méso Distribution France", "vitamin-blend") in ordered, "the short blend is ordered"
    expiring = {a["product_code"] for a in alerts if a["kind"] == "expiry"}
    assert "glycolic-acid" in expiring, "the lot no kit uses, expiring within the window"
    if quiet:
        assert failed == [], "no SMS goes in quiet hours, so none has failed"
        starts = {datetime.fromisoformat(m["scheduled_for"]).astimezone(PARIS) for m in held}
        assert {s.time() for s in starts} == {clock(8)}, "they go when quiet hours end"
    elif quiet is False:
        assert [(m["channel"], m["last_error"]) for m in failed] == [
            ("sms", "the number is not in service (a local outbox refusal)")
        ]
    assert UNDELIVERABLE.removeprefix("+33") not in run.log.read_text()


@pytest.mark.parametrize("embedded", ["embedded-default"], indirect=True)
async def test_run_after_a_crash_stops_the_server_it_left_and_keeps_the_data(embedded) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        embedded.start()
        await embedded.wait_healthy(client)
        admin = bearer("admin")
        created = await client.post(
            embedded.url("scheduling") + "/v1/patients",
            json={"first_name": "Inès", "last_name": "Crash", "phone": "+33612345678"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        embedded.kill()
        left = embedded.postmasters()

        embedded.start()
        await embedded.wait_healthy(client)
        found = await client.get(
            embedded.url("scheduling") + f"/v1/patients/{created.json()['id']}", headers=admin
        )
        assert await embedded.interrupt() == 0

    assert len(left) == 1, "the crashed run's server was expected to outlive it"
    assert "stopping a PostgreSQL server a previous run left" in embedded.log.read_text()
    assert found.status_code == 200
    assert found.json()["last_name"] == "Crash"
    assert embedded.postmasters() == []


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    from clinic_embedded.postgres import AlreadyRunning, EmbeddedPostgres

    first, second = EmbeddedPostgres(tmp_path / "var"), EmbeddedPostgres(tmp_path / "var")
    first.hold()
    try:
        with pytest.raises(AlreadyRunning, match="another `make run` is using"):
            second.hold()
    finally:
        first.release()
    second.hold()  # free again once the first run is gone
    second.release()


async def _sign_in_to_the_dashboard_as_the_demo_receptionist(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as browser:
        form = await browser.get("/signin")
        csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        _, email, _, password = next(a for a in DEMO_ACCOUNTS if a[2].value == "receptionist")
        signed_in = await browser.post(
            "/signin", data={"email": email, "password": password, "csrf_token": csrf}
        )
        today = await browser.get("/")
    assert signed_in.status_code == 303, signed_in.text
    assert today.status_code == 200
    assert "Sign out" in today.text


async def test_run_exits_with_an_error_naming_the_service_that_cannot_start(
    tmp_path: Path, postgres_admin_url: str
) -> None:
    missing = postgres_admin_url.rsplit("/", 1)[0] + "/no_such_database_for_clinic_tests"
    run = Embedded(tmp_path, {"CLINIC_LOG_FORMAT": "text"})
    for key in (
        "AMQP_URL",
        "INVENTORY_DATABASE_URL",
        "NOTIFICATIONS_DATABASE_URL",
        "DASHBOARD_DATABASE_URL",
    ):
        run.env.pop(key, None)
    run.env["SCHEDULING_DATABASE_URL"] = missing
    run.start()
    assert run.process is not None

    for _ in range(600):
        if run.process.poll() is not None:
            break
        await asyncio.sleep(0.1)
    else:
        run.process.kill()
        raise AssertionError("still running 60 s after a service failed to start")

    assert run.process.returncode == 1
    assert "could not start: scheduling" in run.log.read_text()


async def test_a_service_given_a_metrics_port_serves_its_metrics_there_only(
    tmp_path: Path,
) -> None:
    run = Embedded(tmp_path, {"CLINIC_LOG_FORMAT": "json"})
    for key in (
        "AMQP_URL",
        "SCHEDULING_DATABASE_URL",
        "INVENTORY_DATABASE_URL",
        "NOTIFICATIONS_DATABASE_URL",
        "DASHBOARD_DATABASE_URL",
    ):
        run.env.pop(key, None)
    metrics_port = free_port()
    run.env["INVENTORY_METRICS_PORT"] = str(metrics_port)
    async with httpx.AsyncClient(timeout=5) as client:
        run.start()
        try:
            await run.wait_healthy(client)
            own = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")
            on_api = await client.get(run.url("inventory") + "/metrics")
            others = await client.get(run.url("scheduling") + "/metrics")
            nothing_else = await client.get(f"http://127.0.0.1:{metrics_port}/v1/products")
        finally:
            assert await run.interrupt() == 0
    assert own.status_code == 200
    assert "clinic_stock_" in own.text  # inventory's own gauges
    assert on_api.status_code == 404
    assert others.status_code == 200  # the services without the setting keep it on their port
    assert nothing_else.status_code == 404


def test_make_run_keeps_a_quiet_terminal_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    """What a new user sees in their terminal: timestamped lines, one per service saying where
    it listens, nothing per request, and Ctrl-C (SIGINT to the whole foreground group, as a
    terminal sends it) ending make without an error."""
    ports = {name: free_port() for name in SERVED}
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_DATABASE_URL") and k not in {"AMQP_URL", "CLINIC_LOG_FORMAT"}
    }
    env |= {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
    env |= {"CLINIC_VAR_DIR": str(tmp_path / "var")} | BASE_DEMO  # the terminal, not the seed
    pid, terminal = pty.fork()
    if pid == 0:  # the child: make, in the repository, its own session and foreground group
        os.chdir(REPOSITORY)
        os.execvpe("make", ["make", "--no-print-directory", "run"], env)
    shown = _read_until(terminal, lambda text: text.count(" on http://") == len(SERVED), 120)
    dashboard = f"http://127.0.0.1:{ports['dashboard']}/healthz"
    for _ in range(300):
        shown += _read_until(terminal, lambda _: False, 0.2)
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(dashboard).status_code == 200:
                break
    shown += _read_until(terminal, lambda _: False, 2)  # what starting still had to say
    for _ in range(20):  # the dashboard's pages poll; none of it may reach the terminal
        httpx.get(dashboard, timeout=30)  # a loaded machine (CI's two cores) answers slowly
    quiet = _read_until(terminal, lambda _: False, 2)
    os.killpg(os.getpgid(pid), signal.SIGINT)
    stopped = _read_until(terminal, lambda text: "stopped" in text, 60)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)

    assert "GET" not in quiet
    assert "/healthz" not in quiet
    assert "Error" not in stopped
    assert "Traceback" not in stopped
    assert "***" not in stopped
    # make ends by the Ctrl-C it was sent, or with the program's 0: never "Error 130"
    assert os.waitstatus_to_exitcode(status) in (0, -signal.SIGINT)
    logged = [
        line for line in (shown + stopped).splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line)
    ]
    assert len(logged) >= len(SERVED)
    assert not [line for line in logged if "uvicorn" in line]  # its start and stop lines
    for name, port in ports.items():
        assert f"{name} on http://127.0.0.1:{port}" in shown


def test_run_points_inventory_and_notifications_at_its_own_scheduling(monkeypatch) -> None:
    """On other ports than 8000-8003, inventory and notifications still read this run's
    scheduling (reconciliation, treatments): not a scheduling on the default :8001, which may
    be another `make run`'s. A URL set in the environment is kept."""
    from clinic_embedded.__main__ import _settings

    for name in ("INVENTORY", "NOTIFICATIONS"):
        monkeypatch.delenv(f"{name}_SCHEDULING_URL", raising=False)
    monkeypatch.setenv("SCHEDULING_PORT", "9301")
    monkeypatch.setenv("INVENTORY_PORT", "9302")
    _, inventory, notifications = _settings({})
    assert inventory.scheduling_url == "http://127.0.0.1:9301"
    assert notifications.scheduling_url == "http://127.0.0.1:9301"

    monkeypatch.setenv("NOTIFICATIONS_SCHEDULING_URL", "http://scheduling.internal:8001")
    _, inventory, notifications = _settings({})
    assert inventory.scheduling_url == "http://127.0.0.1:9301"
    assert notifications.scheduling_url == "http://scheduling.internal:8001"


def _read_until(terminal: int, done: Callable[[str], bool], timeout: float) -> str:
    text, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline and not done(text):
        ready, _, _ = select.select([terminal], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            text += chunk.decode(errors="replace").replace("\r\n", "\n")
    return text


@pytest.mark.parametrize("embedded", ["embedded-default"], indirect=True)
async def test_the_local_outbox_shows_a_patients_link_that_opens_their_page(embedded) -> None:
    link = re.compile(re.escape(embedded.url("dashboard")) + r"/p/[\w.-]+")
    outbox = embedded.workdir / "var" / "outbox"

    async def links() -> list[str]:
        texts = [p.read_text() for p in outbox.glob("*.sms.txt")] if outbox.exists() else []
        return [found.group(0) for text in texts if (found := link.search(text))]

    async with httpx.AsyncClient(timeout=10) as client:
        embedded.start()
        try:
            await embedded.wait_healthy(client)
            quiet = quiet_hours_now()
            if quiet:  # the SMS wait for 08:00: none is in the outbox yet
                held = await eventually(
                    lambda: client.get(
                        embedded.url("notifications") + "/v1/messages",
                        params={
                            "channel": "sms",
                            "kind": "confirmation",
                            "status": "scheduled",
                            "deferred": "true",
                        },
                        headers=bearer("admin"),
                    ),
                    until=lambda answer: answer.status_code == 200 and bool(answer.json()),
                    timeout=60,
                )
                assert await links() == []
            elif quiet is False:
                [first, *_] = await eventually(links, timeout=60)
                page = await client.get(first)
        finally:
            assert await embedded.interrupt() == 0

    if quiet:
        starts = {datetime.fromisoformat(m["scheduled_for"]) for m in held.json()}
        assert {s.astimezone(PARIS).time() for s in starts} == {clock(8)}
    elif quiet is False:
        assert page.status_code == 200, page.text
        assert "Hello " in page.text
        assert first.rsplit("/", 1)[1] not in embedded.log.read_text()  # never logged
