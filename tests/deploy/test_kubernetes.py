"""The Kubernetes manifests (deploy/k8s), checked offline: each overlay renders, every object is
valid for Kubernetes 1.32, and the pieces are wired as the services read their settings."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest

from clinic_shared.settings import ServiceSettings
from dashboard.settings import DashboardSettings
from inventory.settings import InventorySettings
from notifications.settings import NotificationsSettings
from scheduling.settings import SchedulingSettings
from tests.deploy.kubernetes import (
    OVERLAYS,
    Obj,
    Pod,
    can_connect,
    environment,
    of_kind,
    pod_spec,
    render,
)

KUBERNETES_VERSION = "1.32"
SERVICES: dict[str, type[ServiceSettings]] = {
    "scheduling": SchedulingSettings,
    "inventory": InventorySettings,
    "notifications": NotificationsSettings,
    "dashboard": DashboardSettings,
}
METRICS_PORT = 9464  # `<SERVICE>_METRICS_PORT`: /metrics only, for Prometheus only
# Operator kinds: kubernetes-validate has no schema for them; their key fields are asserted below.
OPERATOR_KINDS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
}
# Read by the driver, not the settings: asyncpg takes the password from PGPASSWORD when the URL
# has none (libpq's documented variable), so the URL stays in a ConfigMap and only the password
# in a Secret.
DRIVER_VARIABLES = {"PGPASSWORD"}
SECRETS = {"CLINIC_JWT_SECRET", "CLINIC_DATA_KEYS", "CLINIC_INDEX_KEY", "AMQP_URL", "PGPASSWORD"}


def _validate(obj: Obj) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_for_kubernetes_1_32(overlay: str) -> None:
    validated, operator = 0, []
    for obj in render(overlay):
        try:
            _validate(obj)
            validated += 1
        except kubernetes_validate.SchemaNotFoundError:
            assert (obj["apiVersion"], obj["kind"]) in OPERATOR_KINDS, (
                f"{obj['kind']} {obj['metadata']['name']} has no schema and is not an operator kind"
            )
            operator.append(obj["kind"])
    assert validated >= 30
    if overlay == "ha":
        assert sorted(operator) == ["Cluster", "RabbitmqCluster", "ScheduledBackup"]
    else:
        assert operator == []


def _mutations() -> dict[str, Callable[[Obj], None]]:
    def container(d: Obj) -> Obj:
        c: Obj = pod_spec(d)["containers"][0]
        return c

    return {
        "unknown field in a probe": lambda d: container(d)["readinessProbe"].update(httpGett={}),
        "replicas as a word": lambda d: d["spec"].update(replicas="three"),
        "secret reference without a key": lambda d: container(d)["env"][1]["valueFrom"][
            "secretKeyRef"
        ].pop("key"),
        "a list given as a string": lambda d: container(d).update(envFrom="scheduling-config"),
        "misspelled security field": lambda d: container(d)["securityContext"].update(
            readOnlyRootFileSystem=True
        ),
    }


@pytest.mark.parametrize("mutation", _mutations())
def test_one_wrong_field_in_a_deployment_fails_validation(mutation: str) -> None:
    deployment = of_kind(render("ha"), "Deployment")["scheduling"]
    _validate(deployment)
    broken = copy.deepcopy(deployment)
    _mutations()[mutation](broken)
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate(broken)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_manifests_set_only_variables_the_settings_read(overlay: str, service: str) -> None:
    objects = render(overlay)
    spec = pod_spec(of_kind(objects, "Deployment")[service])
    read = SERVICES[service].environment_variables() | DRIVER_VARIABLES
    for container in spec["initContainers"] + spec["containers"]:
        names = set(environment(objects, container))
        unknown = {n for n in names - read if not n.startswith("OTEL_")}
        assert not unknown, f"{service}/{container['name']} sets what nothing reads: {unknown}"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_piece_runs_probed_bounded_non_root_and_read_only(overlay: str, service: str) -> None:
    objects = render(overlay)
    deployment = of_kind(objects, "Deployment")[service]
    spec = pod_spec(deployment)
    port = SERVICES[service].model_fields["port"].default
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    for container in spec["initContainers"] + spec["containers"]:
        assert container["image"] == f"clinic-{service}"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
    (main,) = spec["containers"]
    assert main["ports"] == [
        {"name": "http", "containerPort": port},
        {"name": "metrics", "containerPort": METRICS_PORT},
    ]
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    env = environment(objects, main)
    assert env[f"{service.upper()}_PORT"]["value"] == str(port)
    assert env[f"{service.upper()}_HOST"]["value"] == "0.0.0.0"
    assert env["CLINIC_ENV"]["value"] == "production"
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert env[f"{service.upper()}_METRICS_PORT"]["value"] == str(METRICS_PORT)
    assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_secrets_come_only_from_secret_references(overlay: str, service: str) -> None:
    objects = render(overlay)
    spec = pod_spec(of_kind(objects, "Deployment")[service])
    (main,) = spec["containers"]
    env = environment(objects, main)
    links = {"CLINIC_PATIENT_LINK_KEY"} if service != "inventory" else set()
    for name in SECRETS | links:
        assert set(env[name]) == {"name", "valueFrom"}, f"{name} is not from a secret"
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] in {"clinic-secrets", "clinic-db-app"}
    for obj in objects:
        assert obj["kind"] != "Secret", "no secret is committed: the operator creates them"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_migrations_run_once_in_an_init_container_not_in_each_replica(
    overlay: str, service: str
) -> None:
    objects = render(overlay)
    spec = pod_spec(of_kind(objects, "Deployment")[service])
    (migrate,) = spec["initContainers"]
    assert migrate["command"] == ["python", "-m", "clinic_shared.migrate", service]
    url = f"{service.upper()}_DATABASE_URL"
    (main,) = spec["containers"]
    assert environment(objects, migrate)[url] == environment(objects, main)[url]
    assert environment(objects, main)[f"{service.upper()}_RUN_MIGRATIONS"]["value"] == "false"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_piece_has_a_service_and_a_disruption_budget(overlay: str, service: str) -> None:
    objects = render(overlay)
    labels = {"app.kubernetes.io/name": service}
    port = SERVICES[service].model_fields["port"].default
    svc = of_kind(objects, "Service")[service]
    assert svc["spec"]["selector"] == labels
    assert svc["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
    pdb = of_kind(objects, "PodDisruptionBudget")[service]
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"] == labels
    assert pdb["spec"]["maxUnavailable"] == 1


def _database_urls(objects: list[Obj]) -> dict[str, str]:
    urls = {}
    for service in SERVICES:
        (main,) = pod_spec(of_kind(objects, "Deployment")[service])["containers"]
        urls[service] = environment(objects, main)[f"{service.upper()}_DATABASE_URL"]["value"]
    return urls


def test_dev_runs_one_of_each_on_one_database_and_one_broker() -> None:
    objects = render("dev")
    for deployment in of_kind(objects, "Deployment").values():
        assert deployment["spec"]["replicas"] == 1
    statefulsets = of_kind(objects, "StatefulSet")
    assert {n: s["spec"]["replicas"] for n, s in statefulsets.items()} == {
        "postgres": 1,
        "rabbitmq": 1,
    }
    for service, url in _database_urls(objects).items():
        assert url == f"postgresql+asyncpg://clinic@postgres:5432/{service}"
    init = of_kind(objects, "ConfigMap")
    (sql,) = (c["data"]["databases.sql"] for n, c in init.items() if n.startswith("postgres-init"))
    for service in SERVICES:
        assert f"CREATE DATABASE {service};" in sql


def test_ha_runs_three_replicas_each_with_a_cpu_autoscaler() -> None:
    objects = render("ha")
    autoscalers = of_kind(objects, "HorizontalPodAutoscaler")
    for name, deployment in of_kind(objects, "Deployment").items():
        assert deployment["spec"]["replicas"] == 3
        hpa = autoscalers[name]["spec"]
        assert hpa["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["minReplicas"] == 3
        assert hpa["metrics"][0]["resource"]["name"] == "cpu"


def test_ha_rabbitmq_is_three_nodes_pausing_a_minority() -> None:
    (cluster,) = of_kind(render("ha"), "RabbitmqCluster").values()
    assert cluster["spec"]["replicas"] == 3
    config = cluster["spec"]["rabbitmq"]["additionalConfig"]
    assert "cluster_partition_handling = pause_minority" in config.splitlines()
    template = cluster["spec"]["override"]["statefulSet"]["spec"]["template"]
    assert template["metadata"]["labels"]["clinic-role"] == "broker"


def test_ha_postgres_commits_on_a_synchronous_standby_and_backs_up() -> None:
    objects = render("ha")
    clusters = of_kind(objects, "Cluster")
    spec: dict[str, Any] = clusters["clinic-db"]["spec"]
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"] == {"method": "any", "number": 1}
    assert spec["inheritedMetadata"]["labels"]["clinic-role"] == "database"
    assert spec["bootstrap"]["initdb"]["owner"] == "clinic"
    for service in SERVICES:
        assert (
            f"CREATE DATABASE {service} OWNER clinic" in spec["bootstrap"]["initdb"]["postInitSQL"]
        )
    store = spec["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    assert store["s3Credentials"]["accessKeyId"]["name"] == "clinic-backup-s3"
    assert spec["backup"]["retentionPolicy"]
    (backup,) = of_kind(objects, "ScheduledBackup").values()
    assert backup["spec"]["cluster"] == {"name": "clinic-db"}
    assert backup["spec"]["method"] == "barmanObjectStore"
    assert len(backup["spec"]["schedule"].split()) == 6  # CloudNativePG's: seconds first
    # The services write through the service that follows the primary.
    for service, url in _database_urls(objects).items():
        assert url == f"postgresql+asyncpg://clinic@clinic-db-rw:5432/{service}"


PORTS = {name: cls.model_fields["port"].default for name, cls in SERVICES.items()}


def _pods(objects: list[Obj]) -> dict[str, Pod]:
    namespace = next(iter(of_kind(objects, "Deployment").values()))["metadata"]["namespace"]
    pods = {
        name: Pod(d["spec"]["template"]["metadata"]["labels"], namespace)
        for name, d in of_kind(objects, "Deployment").items()
    }
    pods["database"] = Pod({"clinic-role": "database", "cnpg.io/cluster": "clinic-db"}, namespace)
    pods["broker"] = Pod(
        {"clinic-role": "broker", "app.kubernetes.io/name": "clinic-rabbitmq"}, namespace
    )
    pods["ingress"] = Pod({"app.kubernetes.io/name": "ingress-nginx"}, "ingress-nginx")
    pods["prometheus"] = Pod({"app.kubernetes.io/name": "prometheus"}, "monitoring")
    pods["stranger"] = Pod({"app.kubernetes.io/name": "stranger"}, namespace)
    return pods


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_deny_by_default_then_allow_what_each_piece_needs(overlay: str) -> None:
    objects = render(overlay)
    pods = _pods(objects)

    def allowed(source: str, target: str, port: int) -> bool:
        return can_connect(objects, pods[source], pods[target], port)

    deny = of_kind(objects, "NetworkPolicy")["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    services = ("scheduling", "inventory", "notifications")
    for service in services:
        assert allowed("dashboard", service, PORTS[service])
        assert allowed(service, "database", 5432)
        assert allowed(service, "broker", 5672)
    assert allowed("dashboard", "database", 5432)
    assert not allowed("dashboard", "broker", 5672)
    assert allowed("scheduling", "inventory", PORTS["inventory"])
    # Inventory and notifications read scheduling's session list to reconcile.
    assert allowed("inventory", "scheduling", PORTS["scheduling"])
    assert allowed("notifications", "scheduling", PORTS["scheduling"])
    assert not allowed("inventory", "notifications", PORTS["notifications"])
    assert not allowed("notifications", "inventory", PORTS["inventory"])
    assert not allowed("ingress", "scheduling", PORTS["scheduling"])
    assert not allowed("ingress", "inventory", PORTS["inventory"])
    assert allowed("ingress", "dashboard", PORTS["dashboard"])
    assert allowed("ingress", "notifications", PORTS["notifications"])  # the SMS webhooks
    assert not allowed("ingress", "database", 5432)
    for piece in SERVICES:
        assert allowed("prometheus", piece, METRICS_PORT)
        assert not allowed("prometheus", piece, PORTS[piece])  # the metrics port only
        assert not allowed("stranger", piece, PORTS[piece])
        assert not allowed("stranger", piece, METRICS_PORT)
        assert not allowed("ingress", piece, METRICS_PORT)
    assert not allowed("stranger", "database", 5432)
    assert not allowed("stranger", "broker", 5672)
    assert not allowed("stranger", "prometheus", 9090)  # nothing leaves unless allowed


def test_the_ingress_exposes_only_the_dashboard_and_the_sms_webhooks() -> None:
    (ingress,) = of_kind(render("ha"), "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
    assert routes == {"/": "dashboard", "/v1/webhooks/sms": "notifications"}
