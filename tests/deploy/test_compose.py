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
INIT_SCRIPT = REPO_ROOT / "deploy" / "compose" / "postgres-init.sh"
GOOD_SECRET = secrets.token_urlsafe(30)  # 40 random characters
assert len(GOOD_SECRET) == 40
FIRST_ADMIN = {
    "DASHBOARD_FIRST_ADMIN_EMAIL": "owner@clinic.example",
    "DASHBOARD_FIRST_ADMIN_PASSWORD": "a long first password",
}
GOOD_KEYS = {"CLINIC_DATA_KEYS": f"k1:{new_key()}", "CLINIC_INDEX_KEY": new_key()}
LINK_KEY = {"CLINIC_PATIENT_LINK_KEY": secrets.token_urlsafe(30)}
LINK_SERVICES = ("scheduling", "notifications", "dashboard")  # make or read patients' links
BUS_SERVICES = ("scheduling", "inventory", "notifications")  # the dashboard uses no broker
PASSWORDS = {
    name: secrets.token_urlsafe(24)
    for name in (
        "POSTGRES_PASSWORD",
        *(f"{s.upper()}_DB_PASSWORD" for s in ("scheduling", "inventory", "notifications")),
        "DASHBOARD_DB_PASSWORD",
        *(f"RABBITMQ_{s.upper()}_PASSWORD" for s in BUS_SERVICES),
    )
}
REQUIRED = {
    "CLINIC_JWT_SECRET": GOOD_SECRET,
    **GOOD_KEYS,
    **LINK_KEY,
    **FIRST_ADMIN,
    **PASSWORDS,
}

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
    env = {**os.environ, **REQUIRED}
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


@pytest.mark.parametrize("variable", sorted(REQUIRED))
def test_compose_requires_every_secret(variable: str) -> None:
    """No default for any secret, password or key: compose refuses to start without each."""
    binary = _docker_compose()
    env = {**{k: v for k, v in os.environ.items() if k not in REQUIRED}, **REQUIRED}
    del env[variable]
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
    assert variable in result.stderr


def test_compose_has_infrastructure_and_all_services() -> None:
    services = _compose()["services"]
    assert {"postgres", "rabbitmq", "proxy", *SERVICES} <= set(services)
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
    links = LINK_KEY if service in LINK_SERVICES else {}
    for secret in ("CLINIC_JWT_SECRET", *GOOD_KEYS, *links):
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
    for name, value in (GOOD_KEYS | LINK_KEY).items():
        monkeypatch.setenv(name, value)
    settings = SchedulingSettings()
    assert settings.env == "production"
    assert settings.jwt_secret.get_secret_value() == GOOD_SECRET


def test_compose_points_the_export_at_the_other_services() -> None:
    env = _environment("scheduling")
    assert env["SCHEDULING_INVENTORY_URL"] == "http://inventory:8002"
    assert env["SCHEDULING_NOTIFICATIONS_URL"] == "http://notifications:8003"


SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEYS?)$")
REQUIRED_VALUE = re.compile(r"^\$\{(\w+):\?[^}]*\}$")
EMBEDDED = re.compile(r"\$\{(\w+)(:[?-][^}]*)?\}")


def _all_environments() -> dict[str, dict[str, str]]:
    return {name: _environment(name) for name in _compose()["services"]}


def test_compose_uses_no_default_credentials() -> None:
    text = COMPOSE_FILE.read_text()
    assert "guest" not in text
    assert ":-postgres" not in text
    for service, env in _all_environments().items():
        for name, value in env.items():
            if SECRET_NAME.search(name):
                match = REQUIRED_VALUE.match(value)
                assert match, f"{service} {name}={value}"
                assert match.group(1) == name, f"{service} {name}={value}"
            for variable, default in EMBEDDED.findall(value):  # in URLs: required, no default
                if SECRET_NAME.search(variable):
                    assert default.startswith(":?"), f"{service} {name} uses {variable}{default}"


def test_only_the_proxy_is_published_on_the_host() -> None:
    services = _compose()["services"]
    published = {name for name, spec in services.items() if spec.get("ports")}
    always_on = {name for name in published if not services[name].get("profiles")}
    assert always_on == {"proxy"}
    assert services["proxy"]["ports"] == ["${CLINIC_HTTP_PORT:-8080}:8080"]
    for name in published - always_on:  # opt-in observability: loopback only
        assert all(str(p).startswith("127.0.0.1:") for p in services[name]["ports"]), name
    assert "15672" not in COMPOSE_FILE.read_text()
    assert "management" not in services["rabbitmq"]["image"], "no management plugin"
    assert "expose" not in services["rabbitmq"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_connects_as_its_own_database_role(service: str) -> None:
    url = _environment(service)[f"{service.upper()}_DATABASE_URL"]
    prefix = f"postgresql+asyncpg://{service}:${{{service.upper()}_DB_PASSWORD:?"
    assert url.startswith(prefix), url
    assert url.endswith(f"}}@postgres:5432/{service}")
    postgres = _environment("postgres")
    variable = f"{service.upper()}_DB_PASSWORD"
    assert postgres[variable].startswith(f"${{{variable}:?")
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    # The init script reads <SERVICE>_DB_PASSWORD for each service of its loop.
    assert '"${service^^}_DB_PASSWORD"' in INIT_SCRIPT.read_text()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_connects_as_its_own_broker_user(service: str) -> None:
    env = _environment(service)
    if service not in BUS_SERVICES:
        assert "AMQP_URL" not in env, "the dashboard publishes and consumes nothing"
        assert not SERVICES[service].uses_bus
        return
    variable = f"RABBITMQ_{service.upper()}_PASSWORD"
    assert env["AMQP_URL"].startswith(f"amqp://{service}:${{{variable}:?")
    assert env["AMQP_URL"].endswith("}@rabbitmq:5672/")
    # The broker declares the other consumers' queues; this user may not (test_compose_broker).
    assert env["AMQP_DECLARE_ALL_QUEUES"] == "false"
    assert "AMQP_NAMESPACE" not in env, "the broker's permissions name the queues unprefixed"
    assert _environment("rabbitmq")[variable].startswith(f"${{{variable}:?")


def test_the_broker_loads_the_users_and_topology_at_boot() -> None:
    spec = _compose()["services"]["rabbitmq"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in spec["volumes"] if m.startswith("./")}
    entrypoint = mounts[spec["entrypoint"][0]]
    assert entrypoint == "./deploy/compose/rabbitmq-entrypoint.sh"
    script = (REPO_ROOT / entrypoint).read_text()
    conf = (REPO_ROOT / mounts["/etc/rabbitmq/conf.d/90-clinic.conf"]).read_text()
    loaded = re.search(r"^load_definitions = (\S+)$", conf, re.MULTILINE)
    assert loaded, conf
    assert loaded.group(1) == "/etc/rabbitmq/clinic-definitions.json"
    assert "/etc/rabbitmq/clinic-definitions.json}" in script  # where the script writes them
    topology = mounts["/etc/rabbitmq/clinic-topology.json"]
    assert topology == "./deploy/compose/rabbitmq-topology.json"
    assert spec["command"] == ["rabbitmq-server"]


def test_the_proxy_is_the_only_address_the_services_believe() -> None:
    services = _compose()["services"]
    proxy = services["proxy"]
    address = proxy["networks"]["edge"]["ipv4_address"]
    assert proxy["volumes"] == ["./deploy/compose/nginx.conf:/etc/nginx/nginx.conf:ro"]
    for name in SERVICES:
        env = _environment(name)
        if name in ("dashboard", "notifications"):
            assert env["FORWARDED_ALLOW_IPS"] == address
            assert "edge" in services[name]["networks"]
        else:
            assert "FORWARDED_ALLOW_IPS" not in env
            assert "networks" not in services[name]


def test_production_needs_a_broker_for_the_services_but_not_the_dashboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.delenv("AMQP_URL", raising=False)
    for name, value in {"CLINIC_JWT_SECRET": GOOD_SECRET, **GOOD_KEYS, **LINK_KEY}.items():
        monkeypatch.setenv(name, value)
    assert DashboardSettings().amqp_url is None
    for service in BUS_SERVICES:
        with pytest.raises(ValidationError, match="AMQP_URL is required"):
            SERVICES[service]()
