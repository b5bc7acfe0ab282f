"""Serve one FastAPI app with uvicorn (uvloop + httptools), logs through our formatter."""

from __future__ import annotations

import gc
import socket

import uvicorn
from fastapi import FastAPI

from clinic_shared.logging import configure_logging
from clinic_shared.settings import ServiceSettings

# How long an idle client connection stays open. Longer than any client of ours keeps one idle
# in its pool (httpx: 5 s; nginx's upstream keepalive_timeout: 60 s), so the server never closes
# a connection a client is just then reusing. At uvicorn's default (5 s, the same as httpx's) the
# two raced: now and then the dashboard's or a peer's request went out on a connection the
# server was closing and failed with a ReadError (seen in CI, in the broker-faults stream).
KEEP_ALIVE_SECONDS = 75


def uvicorn_config(app: FastAPI, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        # Uvicorn believes X-Forwarded-For from loopback unless told otherwise: a client
        # rotating the header would dodge the per-address limits. Only the configured proxies.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or "",
        server_header=False,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def listening_sockets(config: uvicorn.Config, settings: ServiceSettings) -> list[socket.socket]:
    """The service's port, and its metrics port when `<SERVICE>_METRICS_PORT` is set: one server
    listens on both, and `edges.MetricsPort` tells the two apart by the port a request came in
    on. Bound by uvicorn's own `Config.bind_socket`, so both are bound as uvicorn binds one."""
    sockets = [config.bind_socket()]
    if settings.metrics_port is not None:
        metrics = uvicorn.Config(config.app, host=settings.host, port=settings.metrics_port)
        sockets.append(metrics.bind_socket())
    return sockets


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run until SIGINT/SIGTERM (uvicorn handles the signals and the app's lifespan)."""
    configure_logging(settings.log_level, settings.log_format)
    # What is loaded by now (modules, the app, its routes and models) lives as long as the
    # process: out of the collector's sight, a full collection no longer walks it (under load a
    # service's full collections took about 70 ms each, a pause every request then waits out).
    gc.freeze()
    config = uvicorn_config(app, settings)
    uvicorn.Server(config).run(sockets=listening_sockets(config, settings))
