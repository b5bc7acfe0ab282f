"""Section 1: POST /v1/sessions at 32 connections against raw asyncpg and ORM one-row inserts.

Three real uvicorn servers on the server core (scheduling as `python -m scheduling` on RabbitMQ,
and bench/baseline_app.py serving /raw and /orm); the load generator on the other core. Rounds
interleave the three subjects; each ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import sys
from typing import Any

from clinic import auth_header, booking_bodies, open_clinic
from common import (
    BENCH_DIR,
    RESULTS,
    Server,
    dsn_of,
    free_port,
    median,
    rabbit_namespace,
    run_loadgen,
    scratch_databases,
    servers,
    service,
)

from clinic_shared.auth import Role

LANES = 32
CONNECTIONS = 32


async def load(server: Server, path: str, bodies: str, duration: float) -> dict[str, Any]:
    """Load one path for `duration`; the load generator's figures, and the server's CPU per
    request (which the other helpers' load on the machine moves less than the rates)."""
    cpu = server.cpu()
    result = await run_loadgen(
        "--port", str(server.port), "--path", path, "--bodies", bodies,
        "--header", auth_header(Role.RECEPTIONIST),
        "--connections", str(CONNECTIONS), "--duration", str(duration),
    )  # fmt: skip
    if result["errors"]:
        raise RuntimeError(f"{path}: {result['errors']} errors, e.g. {result['error_samples']}")
    result["cpu_ms_per_request"] = (server.cpu() - cpu) * 1000 / max(1, result["requests"])
    return result


async def run(rounds: int = 3, duration: float = 6.0, per_round: int = 6000) -> dict[str, Any]:
    async with scratch_databases("scheduling", "baseline") as urls, rabbit_namespace() as ns:
        scheduling = service("scheduling", urls["scheduling"], ns)
        port = free_port()
        baseline = Server(
            "baseline",
            [sys.executable, str(BENCH_DIR / "baseline_app.py"), str(port)],
            {"BASELINE_DATABASE_URL": urls["baseline"]},
            port,
            RESULTS / "baseline.log",
        )
        async with servers(scheduling, baseline):
            clinic = await open_clinic(scheduling.url, LANES)
            dsn = dsn_of(urls["scheduling"])
            scheduling.sample_memory("idle")
            spare = str(RESULTS / "baseline-bodies.jsonl")
            await booking_bodies(clinic, dsn, per_round * 4, RESULTS / "baseline-bodies.jsonl")
            warm = await booking_bodies(clinic, dsn, 300, RESULTS / "warm.jsonl")
            for path in ("/raw", "/orm", "/raw-booking"):
                await load(baseline, path, str(warm), 2)
            await load(scheduling, "/v1/sessions", str(warm), 2)
            measured: dict[str, list[dict[str, Any]]] = {
                "raw": [], "orm": [], "shape": [], "booking": []
            }  # fmt: skip
            for n in range(rounds):
                bodies = await booking_bodies(clinic, dsn, per_round, RESULTS / f"book{n}.jsonl")
                order = [
                    ("raw", "/raw"), ("orm", "/orm"), ("shape", "/raw-booking"),
                    ("booking", "/v1/sessions"),
                ]  # fmt: skip
                for label, path in order[n % 4 :] + order[: n % 4]:
                    target = scheduling if label == "booking" else baseline
                    source = str(bodies) if label == "booking" else spare
                    measured[label].append(await load(target, path, source, duration))
            scheduling.sample_memory("after")
            memory = dict(scheduling.memory)
    return summarise(measured) | {"memory_mb": {"scheduling": memory}}


def summarise(measured: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    rounds = len(measured["booking"])
    ratio = {
        base: median(
            [measured["booking"][i]["per_second"] / measured[base][i]["per_second"]
             for i in range(rounds)]
        )
        for base in ("raw", "orm", "shape")
    }  # fmt: skip
    shape_to_raw = median(
        [measured["shape"][i]["per_second"] / measured["raw"][i]["per_second"]
         for i in range(rounds)]
    )  # fmt: skip
    figures = {
        label: {
            key: median([r[key] for r in results])
            for key in ("per_second", "p50_ms", "p99_ms", "requests", "cpu_ms_per_request")
        }
        for label, results in measured.items()
    }
    return {
        "connections": CONNECTIONS,
        "rounds": rounds,
        "figures": figures,
        "ratio_to_raw_asyncpg": ratio["raw"],
        "ratio_to_orm": ratio["orm"],
        "ratio_to_raw_shape": ratio["shape"],
        "raw_shape_ratio_to_raw_asyncpg": shape_to_raw,
        "cpu_ratio_to_raw_asyncpg": figures["raw"]["cpu_ms_per_request"]
        / figures["booking"]["cpu_ms_per_request"],
        "per_round": measured_rates(measured),
    }


def measured_rates(measured: dict[str, list[dict[str, Any]]]) -> dict[str, list[float]]:
    return {k: [round(r["per_second"], 1) for r in v] for k, v in measured.items()}
