"""OpenTelemetry traces that follow one booking through the outbox and the bus.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set: then each service gets a tracer provider of its
own (its `service.name`; `make run` serves four services from one process) that exports by OTLP.
Without it no provider is installed and every span below is a no-op.

The W3C `traceparent` travels in the event envelope, so it survives the outbox: the request's
context is stamped on each event it emits, the relay's publish span continues it (and stamps its
own on the published copy), each consumer's handling continues that, and the events a handler
emits in turn carry the handler's. Span attributes name event types and ids, never a patient.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Tracer
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


def _without_query(span: trace.Span, scope: dict[str, Any]) -> None:
    attributes = getattr(span, "attributes", None) or {}
    for key in ("http.target", "http.url", "url.full"):
        if isinstance(value := attributes.get(key), str) and "?" in value:
            span.set_attribute(key, value.split("?", 1)[0])
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
