"""`make bench`: every figure of issue 8 as a ratio against a baseline measured in the same run.

    uv run python bench/run.py [--only booking,pipeline,growth,dispatch,metrics,peer,pages]

Needs the local PostgreSQL and RabbitMQ. Prints a table and writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import booking
import dispatch
import growth
import metrics_cost
import pages
import peer
import pipeline
from common import RESULTS, pin_self
from report import table

SECTIONS = {
    "booking": booking.run,
    "pipeline": pipeline.run,
    "growth": growth.run,
    "dispatch": dispatch.run,
    "metrics": metrics_cost.run,
    "peer": peer.run,
    "pages": pages.run,
}


def machine() -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False)  # noqa: S607
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "uptime": load.stdout.strip(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))
    args = parser.parse_args()
    pin_self()
    results: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "machine": machine()}
    began = time.monotonic()
    failed = False
    for name in args.only.split(","):
        started = time.monotonic()
        print(f"-- {name} ...", flush=True)
        try:
            results[name] = await SECTIONS[name]()
        except Exception as exc:  # one section failing still leaves the others' figures
            failed = True
            results[name] = {"error": repr(exc)}
            print(f"   {name} failed: {exc!r}", flush=True)
        results[name]["seconds"] = round(time.monotonic() - started, 1)
        results["seconds"] = round(time.monotonic() - began, 1)
        results["machine"]["uptime_after"] = machine()["uptime"]
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
