"""OpenTelemetry traces that follow one booking through the outbox and the bus.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set: then each service gets a tracer provider of its
own (its `service.name`; `make run` serves four services from one process) that exports by OTLP.
Without it no provider is installed and every span below is a no-op.

The W3C `traceparent` travels in the event envelope, so it survives the outbox: the request's
context is stamped on each event it emits, the relay's publish span continues it (and stamps its
own on the published copy), each consumer's handling continues that, and the events a handler
emits in turn carry the handler's. Span attributes name event types and ids, never a patient.

Each statement sent to PostgreSQL is a client span of the service that sent it, whether through
SQLAlchemy or `clinic_shared.direct`. They are our own spans rather than the maintained asyncpg or
SQLAlchemy instrumentations: those are installed once per process with one tracer provider, so in
`make run` and the system tests, where the services share a process, every statement would be
attributed to one service; and SQLAlchemy's would miss the direct statements, the hottest ones.
A span holds the statement's text with its placeholders, never its parameters.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from clinic_shared.contracts import Envelope

ProviderFactory = Callable[[str], TracerProvider | None]
_propagator = TraceContextTextMapPropagator()


def provider_from_environment(service: str) -> TracerProvider | None:
    """An OTLP-exporting provider when OTEL_EXPORTER_OTLP_ENDPOINT is set, else None."""
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


_factory: ProviderFactory = provider_from_environment


def use_providers(factory: ProviderFactory) -> ProviderFactory:
    """Make services built from now on get their provider from `factory` (tests: an in-memory
    exporter); returns the factory in force before, to put back."""
    global _factory
    previous, _factory = _factory, factory
    return previous


def provider_for(service: str) -> TracerProvider | None:
    return _factory(service)


def tracer_of(provider: TracerProvider | None) -> Tracer:
    return (provider or trace.NoOpTracerProvider()).get_tracer("clinic")


def current_traceparent() -> str | None:
    """The W3C traceparent of the span in force, if one is recording."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def event_span(
    tracer: Tracer, name: str, envelope: Envelope, kind: SpanKind
) -> Iterator[trace.Span]:
    """A span continuing the trace the envelope carries, current while the block runs."""
    parent = _propagator.extract({"traceparent": envelope.traceparent or ""})
    attributes = {
        "messaging.system": "rabbitmq",
        "messaging.destination.name": envelope.type,
        "messaging.message.id": str(envelope.id),
    }
    with tracer.start_as_current_span(
        name, context=parent, kind=kind, attributes=attributes
    ) as span:
        yield span


def restamped(envelope: Envelope) -> Envelope:
    """The envelope carrying the current span's context, if one is recording."""
    traceparent = current_traceparent()
    if traceparent is None or traceparent == envelope.traceparent:
        return envelope
    return envelope.model_copy(update={"traceparent": traceparent})


def instrument_app(app: Any, provider: TracerProvider) -> None:
    """A server span per request (FastAPI's instrumentation), named by route template; the
    query string, which may hold a searched name or phone number, is left out of it."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="healthz,readyz,metrics",
        exclude_spans=["receive", "send"],
        server_request_hook=_without_query,
    )


_PATIENT_LINK = re.compile(r"/p/[^/?]+")
"""A patient's self-service link in a dashboard path: a secret, never put in a span."""
_FEED = re.compile(r"/v1/feeds/[^/?]+")
"""A practitioner's calendar feed in a scheduling path: its secret, never put in a span."""


def _without_query(span: trace.Span, scope: dict[str, Any]) -> None:
    attributes = getattr(span, "attributes", None) or {}
    for key in ("http.target", "http.url", "url.full", "url.path"):
        if not isinstance(value := attributes.get(key), str):
            continue
        clean = _PATIENT_LINK.sub("/p/{token}", value.split("?", 1)[0])
        clean = _FEED.sub("/v1/feeds/{secret}.ics", clean)
        if clean != value:
            span.set_attribute(key, clean)
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


@contextmanager
def in_trace_of(envelope: Envelope) -> Iterator[None]:
    """Run the block in the envelope's trace (its log lines name it), without a span."""
    if not envelope.traceparent:
        yield
        return
    token = context.attach(_propagator.extract({"traceparent": envelope.traceparent}))
    try:
        yield
    finally:
        context.detach(token)


def trace_id_of(envelope: Envelope) -> str | None:
    """The trace id in the envelope's traceparent (`00-<trace id>-<span id>-<flags>`)."""
    parts = (envelope.traceparent or "").split("-")
    return parts[1] if len(parts) == 4 else None


_statement_tracers: weakref.WeakKeyDictionary[sa.Engine, Tracer] = weakref.WeakKeyDictionary()
_OPEN_SPANS = "clinic_statement_spans"


def trace_statements(engine: sa.Engine, tracer: Tracer) -> None:
    """A client span for each statement sent on `engine` (the sync engine of a service's
    AsyncEngine), through SQLAlchemy's cursor events or `clinic_shared.direct`."""
    _statement_tracers[engine] = tracer

    def before(conn: sa.Connection, _cursor: Any, statement: str, *_: Any) -> None:
        span = _start_statement_span(tracer, conn.engine, statement)
        conn.info.setdefault(_OPEN_SPANS, []).append(span)

    def after(conn: sa.Connection, *_: Any) -> None:
        if spans := conn.info.get(_OPEN_SPANS):
            spans.pop().end()

    def failed(context: sa.engine.ExceptionContext) -> None:
        conn = context.connection
        if conn is not None and (spans := conn.info.get(_OPEN_SPANS)):
            span = spans.pop()
            span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
            span.end()

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    sa.event.listen(engine, "handle_error", failed)


@contextmanager
def statement_span(engine: sa.Engine, statement: str) -> Iterator[None]:
    """The client span of a statement sent on asyncpg directly (`clinic_shared.direct`)."""
    tracer = _statement_tracers.get(engine)
    if tracer is None:
        yield
        return
    span = _start_statement_span(tracer, engine, statement)
    try:
        yield
    except BaseException as exc:
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        span.end()


def _start_statement_span(tracer: Tracer, engine: sa.Engine, statement: str) -> trace.Span:
    operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
    database = engine.url.database or ""
    return tracer.start_span(
        f"{operation} {database}".strip(),
        kind=SpanKind.CLIENT,
        attributes={
            "db.system.name": "postgresql",
            "db.namespace": database,
            "db.operation.name": operation,
            "db.query.text": statement,
        },
    )
