"""Test support shared by every service's tests: real backends, isolated per run, and helpers."""
