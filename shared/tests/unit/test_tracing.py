"""Tracing is off unless an OTLP endpoint is configured: no provider, no trace context sent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider

from clinic_shared import tracing
from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientErased


def test_without_an_otlp_endpoint_no_tracer_provider_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert tracing.provider_from_environment("scheduling") is None
    assert tracing.current_traceparent() is None


def test_an_otlp_endpoint_gives_the_service_a_provider_named_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    provider = tracing.provider_from_environment("inventory")
    assert provider is not None
    try:
        assert provider.resource.attributes["service.name"] == "inventory"
    finally:
        provider.shutdown()  # no span was made: nothing to export


def test_an_envelope_emitted_in_a_span_carries_its_context() -> None:
    with tracing.tracer_of(TracerProvider()).start_as_current_span("request") as span:
        restamped = tracing.restamped(_envelope())
    context = span.get_span_context()
    assert restamped.traceparent is not None
    assert restamped.traceparent.startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")


def test_an_envelope_carries_no_trace_context_when_tracing_is_off() -> None:
    envelope = _envelope()
    assert envelope.traceparent is None
    assert tracing.restamped(envelope) is envelope


def _envelope() -> Envelope:
    event = PatientErased(patient_id=uuid.uuid4(), erased_at=datetime.now(UTC))
    return Envelope.wrap(event, producer="scheduling", correlation_id="c")


class _Span:
    def __init__(self, **attributes: str) -> None:
        self.attributes = attributes

    def set_attribute(self, key: str, value: str) -> None:
        self.attributes[key] = value


def test_a_patients_link_and_a_query_never_stay_in_a_span() -> None:
    from clinic_shared.tracing import _without_query

    span = _Span(
        **{
            "http.target": "/p/eyJhbGciOiJIUzI1NiJ9.eyJzdWIi.sig?move=1",
            "http.url": "http://dash/p/eyJ.abc.def/sessions/1/cancel",
            "url.path": "/p/eyJ.abc.def",
            "url.query": "move=1",
        }
    )
    _without_query(span, {})  # type: ignore[arg-type]
    assert span.attributes == {
        "http.target": "/p/{token}",
        "http.url": "http://dash/p/{token}/sessions/1/cancel",
        "url.path": "/p/{token}",
        "url.query": "",
    }


def test_a_calendar_feeds_secret_never_stays_in_a_span() -> None:
    from clinic_shared.tracing import _without_query

    span = _Span(
        **{
            "http.target": "/v1/feeds/r2X44ZiomTR9uNHkbJr8QQy5Pcon20sOmpq1O_3PvaA.ics",
            "url.full": "http://scheduling/v1/feeds/r2X44ZiomTR9uNHk.ics",
        }
    )
    _without_query(span, {})  # type: ignore[arg-type]
    assert span.attributes == {
        "http.target": "/v1/feeds/{secret}.ics",
        "url.full": "http://scheduling/v1/feeds/{secret}.ics",
    }
