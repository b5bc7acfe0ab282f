"""The table `make bench` prints: each figure, its baseline from the same run, ratio and target."""

from __future__ import annotations

from typing import Any

MEMORY_LIMIT_MB = 150.0


def _row(what: str, subject: str, baseline: str, ratio: float, target: str, met: bool) -> str:
    return (
        f"| {what} | {subject} | {baseline} | {ratio:.2f} | {target} | {'yes' if met else 'NO'} |"
    )


def _booking(r: dict[str, Any]) -> list[str]:
    f = r["figures"]

    def rate(label: str) -> str:
        x = f[label]
        return f"{x['per_second']:.0f}/s, p50 {x['p50_ms']:.0f} ms, p99 {x['p99_ms']:.0f} ms"

    ratio = r["ratio_to_raw_asyncpg"]
    return [
        _row("1 booking, 32 connections", rate("booking"), "raw asyncpg: " + rate("raw"),
             ratio, ">= 0.5", ratio >= 0.5),
        _row("1 booking vs ORM insert", rate("booking"), "ORM: " + rate("orm"),
             r["ratio_to_orm"], "(context)", True),
        _row("1 a booking's shape on the bare drivers", rate("shape"),
             "raw asyncpg: " + rate("raw"), r["raw_shape_ratio_to_raw_asyncpg"],
             "(the target's ceiling)", True),
        _row("1 booking vs its shape on the bare drivers", rate("booking"),
             "bare shape: " + rate("shape"), r["ratio_to_raw_shape"], "(context)", True),
        _row("1 booking, server CPU per request",
             f"{f['booking']['cpu_ms_per_request']:.2f} ms",
             f"raw asyncpg: {f['raw']['cpu_ms_per_request']:.2f} ms",
             r["cpu_ratio_to_raw_asyncpg"], "(context)", True),
        _row("1 bare shape, server CPU per request",
             f"{f['shape']['cpu_ms_per_request']:.2f} ms",
             f"raw asyncpg: {f['raw']['cpu_ms_per_request']:.2f} ms",
             f["raw"]["cpu_ms_per_request"] / f["shape"]["cpu_ms_per_request"], "(context)", True),
    ]  # fmt: skip


def _pipeline(r: dict[str, Any]) -> list[str]:
    p = r["pipeline"][-1]
    raw = r["raw_aio_pika"][-1]
    chain = r["raw_chain"][-1]
    paced = r["paced_200_per_second"]
    ratio = r["ratio_to_raw_aio_pika"]
    return [
        _row(
            f"2 pipeline, {p['bookings']} bookings",
            f"{p['per_second']:.0f}/s, p50 {p['p50_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms",
            f"aio-pika {raw['per_second']:.0f}/s, p50 {raw['p50_ms']:.0f} ms, "
            f"p99 {raw['p99_ms']:.0f} ms ({r['payload_bytes']} B)",
            ratio, ">= 0.5", ratio >= 0.5,
        ),
        _row("2 pipeline, CPU per booking (3 services)",
             ", ".join(f"{k} {v:.1f}" for k, v in p["cpu_ms_per_booking"].items()) + " ms",
             f"aio-pika {raw['cpu_ms_per_message']:.2f} ms per message",
             r["cpu_ratio"], "(context)", True),
        _row("2 raw chain (the pipeline's hops on the bare drivers)",
             f"{chain['per_second']:.0f}/s, p50 {chain['p50_ms']:.0f} ms, "
             f"p99 {chain['p99_ms']:.0f} ms, CPU {chain['cpu_ms_per_booking']:.2f} ms per booking",
             f"aio-pika {raw['per_second']:.0f}/s", r["raw_chain_ratio_to_raw_aio_pika"],
             "(the target's ceiling)", True),
        _row("2 pipeline vs the raw chain", f"{p['per_second']:.0f}/s",
             f"raw chain {chain['per_second']:.0f}/s", r["ratio_to_raw_chain"], "(context)", True),
        f"| 2 pipeline paced at 200/s | p50 {paced['p50_ms']:.0f} ms, p99 {paced['p99_ms']:.0f} ms,"
        f" {paced['per_second']:.0f}/s | | | | |",
        *(
            _row(f"2 paced at 50/s: booking answered to its {hop}, p99",
                 f"{f['ours_p99_ms']:.0f} ms", f"bare chain: {f['chain_p99_ms']:.0f} ms",
                 f["ratio"], "<= 2", f["ratio"] <= 2)
            for hop, f in paced["felt"].items()
        ),
    ]  # fmt: skip


def _growth(r: dict[str, Any]) -> list[str]:
    rows = []
    for name in ("planning", "forecast"):
        g = r[name]
        small, large = g["median_ms"].values()
        rows.append(
            _row(f"3 {name}, 1k -> 100k history", f"{large:.1f} ms", f"{small:.1f} ms",
                 g["ratio"], "<= 1.5", g["ratio"] <= 1.5)
        )  # fmt: skip
    return rows


def _dispatch(r: dict[str, Any]) -> list[str]:
    rates = r["per_second"]
    return [
        _row(f"4 dispatch, {r['messages']} emails", f"{rates['dispatcher']:.0f}/s",
             f"bare loop {rates['bare_connection_per_message']:.0f}/s",
             r["ratio_to_bare_loop"], ">= 0.5", r["ratio_to_bare_loop"] >= 0.5),
        _row("4 dispatch vs one reused connection", f"{rates['dispatcher']:.0f}/s",
             f"{rates['bare_one_connection']:.0f}/s", r["ratio_to_bare_one_connection"],
             "(context)", True),
    ]  # fmt: skip


def _peer(r: dict[str, Any]) -> list[str]:
    """Ours against GNU Health: each figure, the peer's, ours / peer's, and issue 27's targets."""
    ours, peer, ratio, met = r["figures"]["ours"], r["figures"]["peer"], r["ratios"], r["targets"]

    def row(what: str, mode: str, key: str, unit: str, target: str, ok: bool = True) -> str:
        return _row(
            f"6 {what}",
            f"{ours[mode][key]:.1f} {unit}",
            f"GNU Health: {peer[mode][key]:.1f} {unit}",
            ratio[f"{mode}_{key}"],
            target,
            ok,
        )

    flight = ours["in_flight"]
    spread = flight["p99_ms"] / flight["p50_ms"]
    return [
        row("sequential, throughput", "sequential", "per_second", "/s", "(context)"),
        row("sequential, p50", "sequential", "p50_ms", "ms", "(context)"),
        row("sequential, p99", "sequential", "p99_ms", "ms", "(context)"),
        row("32 in flight, throughput", "in_flight", "per_second", "/s", ">= 2",
            met["throughput_at_least_2x"]),
        row("32 in flight, p50", "in_flight", "p50_ms", "ms", "(context)"),
        row("32 in flight, p99", "in_flight", "p99_ms", "ms", "< 1", met["p99_below_peer"]),
        _row("6 32 in flight, our p99 / our p50", f"{flight['p99_ms']:.1f} ms",
             f"our p50: {flight['p50_ms']:.1f} ms", spread, "<= 3", met["p99_at_most_3x_p50"]),
        row("32 in flight, server CPU per create", "in_flight", "cpu_ms_per_request", "ms",
            "<= 0.35", met["cpu_at_most_0_35"]),
        row("sequential, server CPU per create", "sequential", "cpu_ms_per_request", "ms",
            "(context)"),
        f"| 6 double booking: same professional, same start | ours: {', '.join(r['probe']['ours'])}"
        f" | GNU Health: {', '.join(r['probe']['peer'])} | | refused | "
        f"{'yes' if r['probe']['ours'][-1].startswith('409') else 'NO'} |",
        f"| 6 GNU Health's waits for a pooled connection (1 s each) | | {r['peer_pool_waits']} | |"
        " (context) | |",
    ]  # fmt: skip


def _memory(results: dict[str, Any]) -> list[str]:
    memory: dict[str, dict[str, float]] = {}
    for section in ("booking", "pipeline"):
        for name, sample in results.get(section, {}).get("memory_mb", {}).items():
            memory[name] = sample if name not in memory else memory[name] | sample
    return [
        f"| 5 memory, {name} | idle {m['idle']:.0f} MB, after {m['after']:.0f} MB | | "
        f"{max(m.values()) / MEMORY_LIMIT_MB:.2f} | <= 150 MB | "
        f"{'yes' if max(m.values()) <= MEMORY_LIMIT_MB else 'NO'} |"
        for name, m in memory.items()
    ]


def _metrics(r: dict[str, Any]) -> list[str]:
    f = r["figures"]

    def rate(label: str) -> str:
        x = f[label]
        return f"{x['per_second']:.0f}/s, {x['cpu_ms_per_request']:.2f} ms CPU per request"

    return [
        _row("5 booking with metrics (cost)", rate("on"), "metrics off: " + rate("off"),
             r["throughput_cost"], f"< {r['target']:.2f}", r["throughput_cost"] < r["target"]),
        _row("5 metrics' CPU per booking (cost)", f"{f['on']['cpu_ms_per_request']:.2f} ms",
             f"metrics off: {f['off']['cpu_ms_per_request']:.2f} ms", r["cpu_cost"], "(context)",
             True),
    ]  # fmt: skip


def _pages(r: dict[str, Any]) -> list[str]:
    counts, rows = r["sessions"], []
    labels = {
        "html": "calendar week, its HTML",
        "events": "calendar week, its data",
        "patient": "a patient's page (one course of 10)",
    }
    for page, m in r["median_ms"].items():
        ratio, label = r["ratio"][page], labels.get(page, f"{page}, 29 days")
        rows.append(
            _row(f"6 {label}: {counts['year']:,} vs {counts['month']:,} sessions",
                 f"{m['year']:.1f} ms", f"{m['month']:.1f} ms", ratio, "<= 1.5", ratio <= 1.5)
        )  # fmt: skip
    return rows


def table(results: dict[str, Any]) -> str:
    lines = [
        "| what | measured | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, rows in (("booking", _booking), ("pipeline", _pipeline), ("growth", _growth),
                       ("dispatch", _dispatch), ("metrics", _metrics),
                       ("peer", _peer), ("pages", _pages)):  # fmt: skip
        if "error" in results.get(name, {}):
            lines.append(f"| {name} | failed: {results[name]['error'][:80]} | | | | |")
        elif name in results:
            lines += rows(results[name])
    lines += _memory(results)
    m = results["machine"]
    lines.append("")
    lines.append(f"{m['nproc']} x {m['cpu']}, Python {m['python']}; {results['seconds']:.0f} s")
    lines.append(f"load before: {m['uptime']}")
    lines.append(f"load after:  {m['uptime_after']}")
    return "\n".join(lines)
