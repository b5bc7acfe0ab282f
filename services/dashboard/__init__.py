"""Test-collection anchor: gives this folder's tests unique module names (no code here)."""
