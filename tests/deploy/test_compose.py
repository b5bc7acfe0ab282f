"""Checks on the production container setup: docker-compose.yml, the Dockerfiles, the settings."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from clinic_shared.crypto import new_key
from clinic_shared.settings import ServiceSettings
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET
from dashboard.settings import DashboardSettings
from inventory.settings import InventorySettings
from notifications.settings import NotificationsSettings
from scheduling.settings import SchedulingSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
INIT_SCRIPT = REPO_ROOT / "deploy" / "postgres" / "init-databases.sh"
GOOD_SECRET = secrets.token_urlsafe(30)  # 40 random characters
assert len(GOOD_SECRET) == 40
FIRST_ADMIN = {
    "DASHBOARD_FIRST_ADMIN_EMAIL": "owner@clinic.example",
    "DASHBOARD_FIRST_ADMIN_PASSWORD": "a long first password",
}
GOOD_KEYS = {"CLINIC_DATA_KEYS": f"k1:{new_key()}", "CLINIC_INDEX_KEY": new_key()}

SERVICES: dict[str, type[ServiceSettings]] = {
    "scheduling": SchedulingSettings,
    "inventory": InventorySettings,
    "notifications": NotificationsSettings,
    "dashboard": DashboardSettings,
}
HEALTHZ_PORT = re.compile(r"127\.0\.0\.1:(\d+)/healthz")


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _environment(service: str) -> dict[str, str]:
    env = _compose()["services"][service].get("environment", {})
    if isinstance(env, list):  # the `- NAME=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        where = "in CI (CI is set)" if os.environ.get("CI") else "on this machine"
        pytest.fail(
            f"docker-compose is not installed {where}; install it "
            "(`apt-get install -y docker-compose`) to validate docker-compose.yml",
            pytrace=False,
        )
    return binary


def _final_stage(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the last stage, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    last_from = max(i for i, (kw, _) in enumerate(instructions) if kw == "FROM")
    return instructions[last_from:]


def test_compose_config_is_valid() -> None:
    binary = _docker_compose()
    env = {**os.environ, "CLINIC_JWT_SECRET": GOOD_SECRET, **GOOD_KEYS, **FIRST_ADMIN}
    result = subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_requires_jwt_secret() -> None:
    binary = _docker_compose()
    env = {k: v for k, v in os.environ.items() if k != "CLINIC_JWT_SECRET"}
    result = subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "CLINIC_JWT_SECRET" in result.stderr


def test_compose_has_infrastructure_and_all_services() -> None:
    services = _compose()["services"]
    assert {"postgres", "rabbitmq", *SERVICES} <= set(services)
    assert "healthcheck" in services["postgres"]
    assert "healthcheck" in services["rabbitmq"]


@pytest.mark.parametrize("service", SERVICES)
def test_compose_sets_only_variables_the_settings_read(service: str) -> None:
    settings_cls = SERVICES[service]
    unknown = set(_environment(service)) - settings_cls.environment_variables()
    assert not unknown, f"{service} sets variables its settings never read: {sorted(unknown)}"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_service_wiring(service: str) -> None:
    spec = _compose()["services"][service]
    prefix = service.upper()
    env = _environment(service)
    assert env["CLINIC_ENV"] == "production"
    for secret in ("CLINIC_JWT_SECRET", *GOOD_KEYS):
        assert env[secret].startswith(f"${{{secret}:?")
    assert env[f"{prefix}_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env[f"{prefix}_DATABASE_URL"].endswith(f"/{service}")
    assert re.search(rf"\b{service}\b", INIT_SCRIPT.read_text())
    assert spec["build"]["context"] == "."
    assert "dockerfile" not in spec["build"], "every service builds from the one root Dockerfile"
    assert spec["build"]["args"]["SERVICE"] == service
    for dependency in ("postgres", "rabbitmq"):
        assert spec["depends_on"][dependency] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", SERVICES)
def test_compose_healthcheck_port_matches_service_port(service: str) -> None:
    spec = _compose()["services"][service]
    test = spec["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else test
    match = HEALTHZ_PORT.search(command)
    assert match, f"{service} healthcheck does not hit /healthz: {command}"
    port = _environment(service)[f"{service.upper()}_PORT"]
    assert match.group(1) == port
    assert int(port) == SERVICES[service].model_fields["port"].default


@pytest.mark.parametrize("service", SERVICES)
def test_compose_builds_the_image_for_the_services_own_port(service: str) -> None:
    args = _compose()["services"][service]["build"]["args"]
    assert int(args["PORT"]) == SERVICES[service].model_fields["port"].default


def test_one_dockerfile_builds_every_service_as_non_root_with_healthcheck() -> None:
    assert not list(REPO_ROOT.glob("services/*/Dockerfile")), "one Dockerfile, at the root"
    dockerfile = REPO_ROOT / "Dockerfile"
    build_args = re.findall(r"^ARG (\w+)$", dockerfile.read_text(), re.MULTILINE)
    assert {"SERVICE", "PORT"} <= set(build_args)
    assert 'uv sync --frozen --no-dev --no-editable --package "clinic-${SERVICE}"' in (
        dockerfile.read_text()
    )
    stage = _final_stage(dockerfile)
    users = [args for kw, args in stage if kw == "USER"]
    assert users, "the final stage has no USER line"
    assert users[-1].split(":")[0] not in {"root", "0"}
    env = " ".join(args for kw, args in stage if kw == "ENV")
    assert "CLINIC_SERVICE=${SERVICE}" in env
    assert "CLINIC_SERVICE_PORT=${PORT}" in env
    healthchecks = [args for kw, args in stage if kw == "HEALTHCHECK"]
    assert healthchecks, "the final stage has no HEALTHCHECK"
    assert (
        "'http://127.0.0.1:' + os.environ['CLINIC_SERVICE_PORT'] + '/healthz'" in (healthchecks[-1])
    )
    assert ("EXPOSE", "${PORT}") in stage
    assert ("CMD", 'exec python -m "$CLINIC_SERVICE"') in stage
    for service in SERVICES:  # the settings never read the image's own variables
        assert (
            not {"CLINIC_SERVICE", "CLINIC_SERVICE_PORT"}
            & SERVICES[service].environment_variables()
        )


@pytest.mark.parametrize("secret", [None, DEVELOPMENT_JWT_SECRET, "too-short"])
def test_production_settings_refuse_development_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@rabbitmq:5672/")
    if secret is None:
        monkeypatch.delenv("CLINIC_JWT_SECRET", raising=False)
    else:
        monkeypatch.setenv("CLINIC_JWT_SECRET", secret)
    with pytest.raises(ValidationError, match="CLINIC_JWT_SECRET"):
        SchedulingSettings()


def test_production_settings_accept_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("CLINIC_JWT_SECRET", GOOD_SECRET)
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@rabbitmq:5672/")
    for name, value in GOOD_KEYS.items():
        monkeypatch.setenv(name, value)
    settings = SchedulingSettings()
    assert settings.env == "production"
    assert settings.jwt_secret.get_secret_value() == GOOD_SECRET


def test_compose_points_the_export_at_the_other_services() -> None:
    env = _environment("scheduling")
    assert env["SCHEDULING_INVENTORY_URL"] == "http://inventory:8002"
    assert env["SCHEDULING_NOTIFICATIONS_URL"] == "http://notifications:8003"
