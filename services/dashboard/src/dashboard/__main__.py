"""Run the dashboard alone: `python -m dashboard`."""

from __future__ import annotations

from clinic_shared.serve import serve
from dashboard.bootstrap import build_app
from dashboard.settings import DashboardSettings


def main() -> None:
    settings = DashboardSettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
