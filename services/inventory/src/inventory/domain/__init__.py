"""Inventory's pure rules and model: no I/O, time passed in."""
