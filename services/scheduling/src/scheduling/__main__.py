"""Run scheduling alone: `python -m scheduling` (one replica; run more for scale)."""

from __future__ import annotations

from clinic_shared.serve import serve
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings


def main() -> None:
    settings = SchedulingSettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
