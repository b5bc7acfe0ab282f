"""docker-compose.yml's proxy, for real: Debian's nginx runs deploy/compose/nginx.conf (only its
listening port and its two upstreams' addresses changed) in front of two small HTTP servers that
stand for the dashboard and notifications. `/` and the dashboard's pages reach the dashboard,
`/v1/webhooks/sms...` reaches notifications, every other path of a service's API is 404 here,
and the caller's own X-Forwarded-For is replaced by its real address.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from clinic_testing.helpers import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO_ROOT / "deploy" / "compose" / "nginx.conf"


class Upstream:
    """An HTTP server that answers every request with its name, method, path and forwarded-for."""

    def __init__(self, name: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = json.dumps(
                    {
                        "upstream": name,
                        "method": self.command,
                        "path": self.path,
                        "forwarded_for": self.headers.get("X-Forwarded-For"),
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Upstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _nginx() -> str:
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if binary is None:
        pytest.fail(
            "nginx is not installed; `apt-get install -y nginx-light` (scripts/test-prerequisites "
            "does it for make test)",
            pytrace=False,
        )
    return binary


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, f"{old!r} is not in {NGINX_CONF.name}"
    return text.replace(old, new)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[str]:
    binary = _nginx()
    with Upstream("dashboard") as dashboard, Upstream("notifications") as notifications:
        port = free_port()
        conf = NGINX_CONF.read_text()
        conf = _replace_once(conf, "listen 8080;", f"listen 127.0.0.1:{port};")
        conf = _replace_once(conf, "http://dashboard:8000", f"http://127.0.0.1:{dashboard.port}")
        conf = _replace_once(
            conf, "http://notifications:8003", f"http://127.0.0.1:{notifications.port}"
        )
        conf = _replace_once(conf, "/tmp/", f"{tmp_path}/")  # its pid and temporary files
        path = tmp_path / "nginx.conf"
        path.write_text(conf)
        test = subprocess.run(
            [binary, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert test.returncode == 0, test.stderr
        process = subprocess.Popen(
            [binary, "-e", "stderr", "-p", str(tmp_path), "-c", str(path), "-g", "daemon off;"],
            stderr=(tmp_path / "nginx.err").open("wb"),
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(base + "/", timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError((tmp_path / "nginx.err").read_text()) from None
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.mark.parametrize(
    ("method", "path", "upstream"),
    [
        ("GET", "/", "dashboard"),
        ("GET", "/agenda?day=2026-12-07", "dashboard"),
        ("POST", "/signin", "dashboard"),
        ("GET", "/static/app.css", "dashboard"),
        ("POST", "/v1/webhooks/sms", "notifications"),
        ("POST", "/v1/webhooks/sms/inbound", "notifications"),
        ("POST", "/v1/webhooks/sms/status?x=1", "notifications"),
    ],
)
def test_the_dashboard_and_the_sms_webhooks_pass(
    proxy: str, method: str, path: str, upstream: str
) -> None:
    answer = httpx.request(method, proxy + path, headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 200
    seen = answer.json()
    assert (seen["upstream"], seen["method"], seen["path"]) == (upstream, method, path)
    assert seen["forwarded_for"] == "127.0.0.1", "the caller's own X-Forwarded-For went through"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/patients",
        "/v1/patients/6f1c1b1e-1b1e-4c1e-8c1e-1b1e1b1e1b1e",
        "/v1/messages",
        "/v1/sessions",
        "/v1/stock",
        "/v1/webhooks/smsx",
        "/v1/webhooks/email",
        "/v1",
        "/v1/",
        "/metrics",
        # Dot segments are resolved before the path is matched, encoded or not.
        "/v1/webhooks/sms/../../patients",
        "/v1/webhooks/sms/%2e%2e/%2e%2e/patients",
        "/v1/webhooks/sms/..%2f..%2fpatients",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_other_service_path_is_404(proxy: str, method: str, path: str) -> None:
    status, body = _raw(proxy, method, path)
    assert status == 404
    assert b"upstream" not in body


def _raw(base: str, method: str, path: str) -> tuple[int, bytes]:
    """The request line as written (an HTTP client library would resolve the dot segments)."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()
