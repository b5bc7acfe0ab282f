"""The Grafana board and the alert rules read only what the services expose: every panel's
and every rule's query names metrics that some service's /metrics serves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]

OBSERVABILITY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
GRAFANA = OBSERVABILITY / "grafana"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or"}
PROMQL_WORDS |= {"unless", "bool", "offset"}


def _panels() -> list[dict[str, Any]]:
    board = json.loads((GRAFANA / "dashboards" / "clinic.json").read_text())
    return [p for p in board["panels"] if p["type"] != "row"]


def _metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression selects (not its functions, labels or keywords)."""
    bare = re.sub(r'"[^"]*"', "", expr)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", bare)
    bare = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", bare)
    names = set()
    for found in re.finditer(r"[A-Za-z_:][\w:]*", bare):
        follows = bare[found.end() :].lstrip()[:1]
        if follows != "(" and found.group() not in PROMQL_WORDS:
            names.add(found.group())
    return names


async def _exposed(stack: Stack) -> set[str]:
    names = {"up"}  # Prometheus records it for every target it scrapes
    for client in stack.clients.values():
        text = (await client.get("/metrics")).text
        for family in text_string_to_metric_families(text):
            names |= {family.name + s for s in SUFFIXES.get(family.type, ("",))}
    return names


def test_every_panel_queries_the_provisioned_prometheus() -> None:
    provisioned = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    uid = provisioned["datasources"][0]["uid"]
    for panel in _panels():
        assert panel["targets"], panel["title"]
        assert {t["datasource"]["uid"] for t in panel["targets"]} == {uid}, panel["title"]


async def test_every_panel_queries_metrics_the_services_expose(stack: Stack) -> None:
    exposed = await _exposed(stack)
    for panel in _panels():
        for target in panel["targets"]:
            names = _metric_names(target["expr"])
            assert names, f"{panel['title']}: no metric in {target['expr']}"
            assert names <= exposed, f"{panel['title']}: {sorted(names - exposed)} not exposed"


async def test_every_alert_rule_reads_metrics_the_services_expose(stack: Stack) -> None:
    exposed = await _exposed(stack)
    rules = yaml.safe_load((OBSERVABILITY / "prometheus" / "alerts.yml").read_text())
    for rule in (r for group in rules["groups"] for r in group["rules"]):
        names = _metric_names(rule["expr"])
        assert names, rule["alert"]
        assert names <= exposed, f"{rule['alert']}: {sorted(names - exposed)} not exposed"
