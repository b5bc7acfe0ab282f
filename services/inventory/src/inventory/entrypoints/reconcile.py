"""Inventory's reconciliation with scheduling, wired: scheduling's session list read with a
token inventory mints, compared and repaired by `service_layer.reconcile`
(`clinic_shared.reconcile.wired`)."""

from __future__ import annotations

from clinic_shared.reconcile import reconcile_interval, wired
from inventory.service_layer.reconcile import reconcile_sessions

reconciler = wired(reconcile_sessions)
interval = reconcile_interval
