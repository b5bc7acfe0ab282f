"""One booking is one trace across the three services, over the real outbox and RabbitMQ: the
request, the relay's publish, each consumer's handling, and the events they emit in turn."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from clinic_shared import tracing
from clinic_testing.helpers import eventually

from .conftest import Stack
from .one_booking import PATIENT, book_one_session

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
BOOKED = "scheduling.session.booked"


@pytest.fixture(autouse=True)
def spans() -> Iterator[InMemorySpanExporter]:
    """Every service built in the test traces into one in-memory exporter."""
    exporter = InMemorySpanExporter()

    def provider(service: str) -> TracerProvider:
        made = TracerProvider(resource=Resource.create({"service.name": service}))
        made.add_span_processor(SimpleSpanProcessor(exporter))
        return made

    previous = tracing.use_providers(provider)
    yield exporter
    tracing.use_providers(previous)


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


async def test_a_booking_is_one_trace_through_scheduling_inventory_and_notifications(
    stack: Stack, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await book_one_session(stack)

    async def finished() -> tuple[ReadableSpan, ...]:
        return tuple(spans.get_finished_spans())

    consumed = {f"inventory process {BOOKED}", f"notifications process {BOOKED}"}
    consumed.add("publish inventory.stock.shortage")
    done = await eventually(
        finished, until=lambda found: consumed <= {s.name for s in found}, timeout=20
    )
    [request] = [s for s in done if s.name == "POST /v1/sessions"]
    trace = [s for s in done if s.context.trace_id == request.context.trace_id]
    by_name = {s.name: s for s in trace}

    assert {_service(s) for s in trace} == {"scheduling", "inventory", "notifications"}
    assert request.kind is SpanKind.SERVER
    assert request.parent is None
    publish = by_name[f"publish {BOOKED}"]
    assert (_service(publish), publish.kind) == ("scheduling", SpanKind.PRODUCER)
    assert publish.parent is not None
    assert publish.parent.span_id == request.context.span_id
    for consumer in ("inventory", "notifications"):
        handled = by_name[f"{consumer} process {BOOKED}"]
        assert (_service(handled), handled.kind) == (consumer, SpanKind.CONSUMER)
        assert handled.parent is not None
        assert handled.parent.span_id == publish.context.span_id
    # inventory's answer (vials short for this kit) is published within the booking's trace
    assert _service(by_name["publish inventory.stock.shortage"]) == "inventory"
    # each service's statements are client spans inside the trace, the direct ones included
    statements = [s for s in trace if s.kind is SpanKind.CLIENT]
    assert {_service(s) for s in statements} == {"scheduling", "inventory", "notifications"}
    for statement in statements:
        attributes = dict(statement.attributes or {})
        assert attributes["db.system.name"] == "postgresql"
        assert attributes["db.namespace"] in statement.name
        assert statement.parent is not None
    queries = {
        (_service(s), str((s.attributes or {})["db.query.text"]).split("(")[0].strip())
        for s in statements
    }
    assert ("scheduling", "INSERT INTO outbox") in queries  # sent on asyncpg by Direct
    handled = by_name[f"inventory process {BOOKED}"].context.span_id
    assert any(_service(s) == "inventory" and s.parent.span_id == handled for s in statements)
    # the consumers' log lines of this booking name its trace beside its correlation id
    trace_id = format(request.context.trace_id, "032x")
    logged = [
        r
        for r in caplog.records
        if trace_id in (getattr(r, "trace_id", ""), *getattr(r, "trace_ids", "").split())
    ]
    assert {getattr(r, "consumer", None) for r in logged} >= {"inventory", "notifications"}
    assert all(getattr(r, "correlation_id", None) for r in logged)


async def test_no_span_names_the_patient(stack: Stack, spans: InMemorySpanExporter) -> None:
    await book_one_session(stack)
    searched = await stack.clients["scheduling"].get(
        "/v1/patients", params={"q": PATIENT["phone"]}, headers={"Authorization": "x"}
    )
    assert searched.status_code == 401
    shown = " ".join(
        f"{s.name} {dict(s.attributes or {})} {[dict(e.attributes or {}) for e in s.events]}"
        for s in spans.get_finished_spans()
    )
    assert "/v1/patients" in shown
    for secret in ("Nora", "Metric", "12 34 56 78", "612345678", "nora.metric@example.com"):
        assert secret not in shown
