"""Run notifications alone: `python -m notifications` (one replica; run more for scale)."""

from __future__ import annotations

from clinic_shared.serve import serve
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings


def main() -> None:
    settings = NotificationsSettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
