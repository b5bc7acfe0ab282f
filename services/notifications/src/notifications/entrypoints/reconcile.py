"""Notifications' reconciliation with scheduling, wired: scheduling's session list read with a
token notifications mints, compared and repaired by `service_layer.reconcile`
(`clinic_shared.reconcile.wired`)."""

from __future__ import annotations

from clinic_shared.reconcile import reconcile_interval, wired
from notifications.service_layer.reconcile import reconcile_sessions

reconciler = wired(reconcile_sessions)
interval = reconcile_interval
