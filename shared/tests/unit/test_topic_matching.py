"""AMQP topic semantics of the routing rules every bus implementation shares."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_shared.messaging.topology import SUBSCRIPTIONS, topic_matches

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
routing_keys = st.lists(words, min_size=1, max_size=6).map(".".join)


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("scheduling.patient.*", "scheduling.patient.registered"),
        ("scheduling.#", "scheduling.patient.registered"),
        ("scheduling.#", "scheduling.session"),
        ("scheduling.#", "scheduling"),
        ("#", "scheduling.patient.registered"),
        ("#.registered", "scheduling.patient.registered"),
        ("#.registered", "registered"),
        ("scheduling.#.registered", "scheduling.registered"),
        ("scheduling.#.registered", "scheduling.patient.x.registered"),
        ("*.patient.*", "scheduling.patient.updated"),
    ],
)
def test_key_matching_the_pattern_is_routed(pattern: str, key: str) -> None:
    assert topic_matches(pattern, key)


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("scheduling.patient.*", "scheduling.patient"),
        ("scheduling.patient.*", "scheduling.patient.registered.late"),
        ("scheduling.patient.*", "inventory.patient.registered"),
        ("scheduling.*", "scheduling"),
        ("scheduling.#", "schedulingx.patient"),
        ("scheduling.#", "inventory.stock.low"),
        ("*.patient.*", "scheduling.session.booked"),
        ("#.registered", "scheduling.patient.updated"),
    ],
)
def test_key_not_matching_the_pattern_is_not_routed(pattern: str, key: str) -> None:
    assert not topic_matches(pattern, key)


def test_star_stands_for_exactly_one_word() -> None:
    assert not topic_matches("a.*.c", "a.c")
    assert topic_matches("a.*.c", "a.b.c")
    assert not topic_matches("a.*.c", "a.b.b.c")


def test_inventory_receives_patient_events_but_not_its_own_stock_events() -> None:
    inventory = SUBSCRIPTIONS["inventory"]
    assert any(topic_matches(p, "scheduling.patient.registered") for p in inventory)
    assert not any(topic_matches(p, "inventory.stock.low") for p in inventory)


@settings(max_examples=60, deadline=None)
@given(routing_keys)
def test_pattern_equal_to_the_key_always_matches(key: str) -> None:
    assert topic_matches(key, key)


@settings(max_examples=60, deadline=None)
@given(routing_keys)
def test_hash_alone_matches_every_key(key: str) -> None:
    assert topic_matches("#", key)


@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_replacing_any_one_word_with_star_still_matches(
    parts: list[str], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(parts) - 1))
    pattern = [*parts[:index], "*", *parts[index + 1 :]]
    assert topic_matches(".".join(pattern), ".".join(parts))


@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_prefix_followed_by_hash_matches_the_prefix_and_anything_longer(
    parts: list[str], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(parts)))
    pattern = ".".join([*parts[:cut], "#"])
    assert topic_matches(pattern, ".".join(parts))


@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=6), words)
def test_key_with_an_extra_word_does_not_match_an_exact_pattern(
    parts: list[str], extra: str
) -> None:
    key = ".".join(parts)
    assert not topic_matches(key, f"{key}.{extra}")
    assert not topic_matches(f"{key}.{extra}", key)


def test_an_erasure_reaches_every_service_that_holds_something_about_the_patient() -> None:
    hearing = {
        consumer
        for consumer, patterns in SUBSCRIPTIONS.items()
        if any(topic_matches(p, "scheduling.patient.erased") for p in patterns)
    }
    assert hearing == {"notifications", "inventory"}
