"""The envelope and the event registry: what producers send is what consumers parse."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from clinic_shared.contracts import REGISTRY, Envelope, parse_event
from clinic_shared.contracts.events import ALL_EVENTS, PatientRegistered, PatientUpdated
from clinic_shared.errors import PermanentMessageError


def patient(**overrides: object) -> PatientRegistered:
    values: dict[str, object] = {
        "patient_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "+14155552671",
        "email": "ada@example.com",
        "consent_sms": True,
    }
    return PatientRegistered.model_validate(values | overrides)


def envelope_for(
    data: dict[str, object], *, type_: str = PatientRegistered.TYPE, version: int = 1
) -> Envelope:
    return Envelope(
        type=type_, version=version, producer="scheduling", correlation_id="corr-1", data=data
    )


def test_envelope_survives_the_wire_with_its_ids() -> None:
    occurred = datetime(2026, 11, 26, 15, 49, 51, 201744, tzinfo=UTC)
    sent = Envelope.wrap(
        patient(),
        producer="scheduling",
        correlation_id="corr-123",
        causation_id="cause-456",
        occurred_at=occurred,
    )
    received = Envelope.from_bytes(sent.to_bytes())
    assert received == sent
    assert received.id == sent.id
    assert received.type == "scheduling.patient.registered"
    assert received.version == 1
    assert received.producer == "scheduling"
    assert received.correlation_id == "corr-123"
    assert received.causation_id == "cause-456"
    assert received.occurred_at == occurred


def test_each_wrapped_event_gets_its_own_id_and_an_aware_timestamp() -> None:
    first = Envelope.wrap(patient(), producer="scheduling", correlation_id="c")
    second = Envelope.wrap(patient(), producer="scheduling", correlation_id="c")
    assert first.id != second.id
    assert first.occurred_at.tzinfo is not None
    assert first.causation_id is None


def test_wire_format_is_plain_json_with_the_event_data() -> None:
    body = json.loads(
        Envelope.wrap(patient(), producer="scheduling", correlation_id="c").to_bytes()
    )
    assert body["type"] == "scheduling.patient.registered"
    assert body["data"]["patient_id"] == "00000000-0000-4000-8000-000000000001"
    assert body["data"]["first_name"] == "Ada"


def test_consumer_parses_a_valid_envelope_into_the_typed_event() -> None:
    event = patient()
    wire = Envelope.wrap(event, producer="scheduling", correlation_id="c").to_bytes()
    parsed = parse_event(Envelope.from_bytes(wire))
    assert isinstance(parsed, PatientRegistered)
    assert parsed == event


def test_updated_event_parses_as_its_own_contract() -> None:
    event = PatientUpdated(patient_id=uuid.uuid4(), first_name="Ada", last_name="King")
    parsed = parse_event(Envelope.wrap(event, producer="scheduling", correlation_id="c"))
    assert type(parsed) is PatientUpdated


def test_every_contract_is_registered_under_its_type_and_version() -> None:
    for contract in ALL_EVENTS:
        assert REGISTRY[(contract.TYPE, contract.VERSION)] is contract


def test_unknown_event_type_is_a_permanent_failure() -> None:
    with pytest.raises(PermanentMessageError, match=r"billing\.invoice\.paid v1"):
        parse_event(envelope_for({"x": 1}, type_="billing.invoice.paid"))


def test_unknown_version_of_a_known_type_is_a_permanent_failure() -> None:
    data = patient().model_dump(mode="json")
    with pytest.raises(PermanentMessageError, match="v2"):
        parse_event(envelope_for(data, version=2))


@pytest.mark.parametrize(
    "broken",
    [
        {"first_name": "Ada", "last_name": "L"},  # patient_id missing
        {"patient_id": "not-a-uuid", "first_name": "Ada", "last_name": "L"},
        {
            "patient_id": "00000000-0000-4000-8000-000000000001",
            "first_name": "Ada",
            "last_name": "L",
            "preferred_channel": "pigeon",
        },
    ],
)
def test_data_breaking_the_contract_is_a_permanent_failure(broken: dict[str, object]) -> None:
    with pytest.raises(PermanentMessageError, match=r"scheduling\.patient\.registered v1"):
        parse_event(envelope_for(broken))


def test_fields_added_by_a_newer_producer_are_ignored() -> None:
    data = patient().model_dump(mode="json") | {"loyalty_tier": "gold", "tags": ["vip"]}
    parsed = parse_event(envelope_for(data))
    assert parsed == patient()


def test_envelope_fields_added_by_a_newer_producer_are_ignored() -> None:
    sent = Envelope.wrap(patient(), producer="scheduling", correlation_id="c")
    body = json.loads(sent.to_bytes()) | {"schema_url": "https://example.invalid/s"}
    assert Envelope.from_bytes(json.dumps(body).encode()) == sent


def test_envelope_refuses_a_timestamp_without_timezone() -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        Envelope.wrap(
            patient(),
            producer="scheduling",
            correlation_id="c",
            occurred_at=datetime(2026, 11, 26, 15, 49, 51),
        )


def test_envelope_keeps_a_non_utc_offset() -> None:
    cet = timezone(timedelta(hours=1))
    occurred = datetime(2026, 11, 26, 16, 49, tzinfo=cet)
    sent = Envelope.wrap(patient(), producer="s", correlation_id="c", occurred_at=occurred)
    assert Envelope.from_bytes(sent.to_bytes()).occurred_at == occurred


@pytest.mark.parametrize(
    "bad_type",
    [
        "patient",
        "scheduling.patient",
        "scheduling.patient.registered.v2",
        "Scheduling.Patient.X",
        "scheduling.patient-x.registered",
        "a..b",
    ],
)
def test_envelope_refuses_a_type_not_shaped_service_entity_verb(bad_type: str) -> None:
    with pytest.raises(ValidationError, match="type"):
        envelope_for({}, type_=bad_type)


def test_envelope_refuses_version_zero_and_empty_correlation_id() -> None:
    with pytest.raises(ValidationError, match="version"):
        envelope_for({}, version=0)
    with pytest.raises(ValidationError, match="correlation_id"):
        Envelope(type="a.b.c", version=1, producer="p", correlation_id="", data={})


def test_envelope_is_immutable() -> None:
    sent = envelope_for({})
    with pytest.raises(ValidationError):
        sent.correlation_id = "other"  # type: ignore[misc]


@settings(max_examples=50, deadline=None)
@given(
    first_name=st.text(min_size=1, max_size=40),
    last_name=st.text(min_size=1, max_size=40),
    phone=st.none() | st.text(max_size=20),
    channel=st.sampled_from(["sms", "email"]),
    correlation_id=st.text(min_size=1, max_size=100),
)
def test_any_valid_patient_event_round_trips_through_bytes_and_parse(
    first_name: str, last_name: str, phone: str | None, channel: str, correlation_id: str
) -> None:
    event = PatientRegistered(
        patient_id=uuid.uuid4(),
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        preferred_channel=channel,  # type: ignore[arg-type]
    )
    sent = Envelope.wrap(event, producer="scheduling", correlation_id=correlation_id)
    received = Envelope.from_bytes(sent.to_bytes())
    assert received == sent
    assert parse_event(received) == event
