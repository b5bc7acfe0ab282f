"""Run inventory alone: `python -m inventory` (one replica; run more for scale)."""

from __future__ import annotations

from clinic_shared.serve import serve
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings


def main() -> None:
    settings = InventorySettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
