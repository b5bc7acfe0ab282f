"""HTTP/1.1 keep-alive load generator: N connections, requests read from a JSON-lines file.

    python bench/loadgen.py --port P --path /v1/sessions --bodies FILE [--header H]...
        [--connections 32] [--duration 6] [--rate 0] [--record] [--jsonrpc]

Each line of FILE is one JSON body, POSTed once (the run ends when they are used up or the
duration is over). `--rate R` paces the sends at R per second across all connections. Prints one
JSON object: requests, errors, seconds, per_second, p50_ms, p99_ms, and with `--record` every
request's [sent (wall clock), answered (wall clock), status, id from the answer]. A bare client
on uvloop (no HTTP library) so that it costs the core it runs on as little as possible.

A server that answers `Connection: close` (Werkzeug's, which Tryton runs) gets a new connection
for the next request, and that request's latency includes the connect, as any client's would.
`--jsonrpc` counts an answer carrying an `"error"` as an error: JSON-RPC answers errors with 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from typing import Any

import uvloop


def requests(args: argparse.Namespace) -> Iterator[bytes]:
    head = f"POST {args.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "".join(f"{h}\r\n" for h in args.header)
    with open(args.bodies, "rb") as source:
        for line in source:
            body = line.rstrip(b"\n")
            yield (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def connection(
    args: argparse.Namespace,
    work: Iterator[tuple[int, bytes]],
    started: float,
    out: dict[str, Any],
) -> None:
    loop = asyncio.get_running_loop()
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None
    stream = await asyncio.open_connection("127.0.0.1", args.port)
    try:
        for index, request in work:
            now = loop.time()
            if now - started > args.duration:
                return
            if args.rate:
                await asyncio.sleep(max(0.0, started + index / args.rate - now))
            sent_wall, began = time.time(), time.perf_counter()
            if stream is None:
                stream = await asyncio.open_connection("127.0.0.1", args.port)
            reader, writer = stream
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, closing = 0, False
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                elif line.lower() == b"connection: close":
                    closing = True
            body = await reader.readexactly(length)
            out["latencies"].append(time.perf_counter() - began)
            if closing:
                writer.close()
                stream = None
            parse = status < 300 and (args.jsonrpc or args.record)
            answer = json.loads(body) if parse else {}
            if status >= 300 or answer.get("error"):
                out["errors"] += 1
                if len(out["samples"]) < 3:
                    out["samples"].append(body.decode(errors="replace")[:300])
            if args.record:
                found = answer.get("id") if status < 300 else None
                out["records"].append([sent_wall, time.time(), status, found])
    finally:
        if stream is not None:
            stream[1].close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "errors": 0, "samples": [], "records": []}
    work = enumerate(requests(args))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(connection(args, work, started, out) for _ in range(args.connections)))
    elapsed = loop.time() - started
    latencies = sorted(out["latencies"])
    result = {
        "requests": len(latencies),
        "errors": out["errors"],
        "error_samples": out["samples"],
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else None,
    }
    if args.record:
        result["records"] = out["records"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--jsonrpc", action="store_true")
    args = parser.parse_args()
    print(json.dumps(uvloop.run(run(args))))


if __name__ == "__main__":
    main()
