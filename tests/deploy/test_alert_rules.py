"""The alert rules an operator loads into Prometheus: valid, and each one fired on synthetic
series by `promtool test rules` (deploy/observability/prometheus/alerts_test.yml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "observability" / "prometheus"
CACHE = Path(tempfile.gettempdir()) / "clinic-promtool"


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _unpack_debian_promtool() -> Path:
    """promtool from Debian's `prometheus` package, unpacked without installing it: no
    Prometheus server is installed, started or left running."""
    promtool = CACHE / "usr" / "bin" / "promtool"
    if promtool.exists():
        return promtool
    CACHE.mkdir(parents=True, exist_ok=True)
    download = _run("apt-get", "download", "prometheus", cwd=CACHE)
    if download.returncode != 0 and os.geteuid() == 0:  # no package lists yet
        _run("apt-get", "update", "-qq")
        download = _run("apt-get", "download", "prometheus", cwd=CACHE)
    packages = sorted(CACHE.glob("prometheus_*.deb"))
    if download.returncode != 0 or not packages:
        pytest.fail(
            "promtool is needed to test the alert rules and could not be fetched "
            f"({download.stderr.strip()[-300:]}). Put promtool on PATH, or run as root: "
            "apt-get update && apt-get download prometheus",
            pytrace=False,
        )
    unpacked = _run("dpkg-deb", "-x", packages[-1], CACHE)
    assert unpacked.returncode == 0, unpacked.stderr
    return promtool


@pytest.fixture(scope="module")
def promtool() -> Path:
    on_path = shutil.which("promtool")
    return Path(on_path) if on_path else _unpack_debian_promtool()


def test_prometheus_config_and_its_alert_rules_are_valid(promtool: Path) -> None:
    checked = _run(promtool, "check", "config", "prometheus.yml", cwd=PROMETHEUS_DIR)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "8 rules found" in checked.stdout


def test_every_alert_fires_on_synthetic_series_and_holds_back_otherwise(promtool: Path) -> None:
    tested = _run(promtool, "test", "rules", "alerts_test.yml", cwd=PROMETHEUS_DIR)
    assert tested.returncode == 0, tested.stdout + tested.stderr

    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    alerts = {r["alert"] for group in rules["groups"] for r in group["rules"] if "alert" in r}
    cases = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text())["tests"]
    checks = [check for case in cases for check in case["alert_rule_test"]]
    fired = {c["alertname"] for c in checks if c["exp_alerts"]}
    held = {c["alertname"] for c in checks if not c["exp_alerts"]}
    assert fired == alerts, "every alert needs a case where it fires"
    assert held == alerts, "every alert needs a case where it does not fire"
