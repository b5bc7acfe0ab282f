"""The reorder reviews the consumer's stock changes ask for: coalesced, and never settled before
the review of a change already committed."""

from __future__ import annotations

import asyncio

from inventory.service_layer.scans import ReorderReviews


async def test_changes_committed_meanwhile_are_reviewed_in_one_batch() -> None:
    reviews, stopping = ReorderReviews(), asyncio.Event()
    for codes in ({"caffeine"}, {"caffeine", "vitamin-blend"}, {"lidocaine"}):
        reviews.expect(codes)
        reviews.mark(codes)

    batch = await reviews.next_batch(stopping)

    assert batch == {"caffeine", "vitamin-blend", "lidocaine"}
    reviews.reviewed()
    await asyncio.wait_for(reviews.settled(), timeout=5)


async def test_a_change_made_but_not_yet_committed_keeps_the_reviews_unsettled() -> None:
    reviews, stopping = ReorderReviews(), asyncio.Event()
    reviews.expect({"caffeine"})  # made; the loop is not woken until it commits

    settled = asyncio.ensure_future(reviews.settled())
    waiting = asyncio.ensure_future(reviews.next_batch(stopping))
    await asyncio.sleep(0)
    assert not settled.done()
    assert not waiting.done()

    reviews.mark({"caffeine"})  # committed
    assert await waiting == {"caffeine"}
    assert not settled.done()
    reviews.reviewed()
    await asyncio.wait_for(settled, timeout=5)


async def test_a_change_committed_during_a_review_is_reviewed_again() -> None:
    reviews, stopping = ReorderReviews(), asyncio.Event()
    reviews.mark({"caffeine"})
    assert await reviews.next_batch(stopping) == {"caffeine"}

    reviews.mark({"caffeine"})  # committed while the first review ran
    reviews.reviewed()

    assert await reviews.next_batch(stopping) == {"caffeine"}


async def test_at_stop_what_is_marked_is_reviewed_once_then_the_loop_ends() -> None:
    reviews, stopping = ReorderReviews(), asyncio.Event()
    reviews.expect({"caffeine"})
    stopping.set()

    assert await reviews.next_batch(stopping) == {"caffeine"}
    reviews.reviewed()
    assert await reviews.next_batch(stopping) is None


async def test_a_steady_stream_of_changes_is_reviewed_once_per_pause() -> None:
    pause = 0.3
    reviews, stopping = ReorderReviews(pause_seconds=pause), asyncio.Event()
    loop = asyncio.get_running_loop()
    reviews.mark({"caffeine"})
    began = loop.time()
    assert await reviews.next_batch(stopping) == {"caffeine"}  # after a quiet spell: at once
    first = loop.time()
    reviews.reviewed()

    for code in ("caffeine", "vitamin-blend", "lidocaine"):  # a booking every 10 ms meanwhile
        reviews.mark({code})
        await asyncio.sleep(0.01)
    batch = await reviews.next_batch(stopping)

    assert first - began < pause
    assert batch == {"caffeine", "vitamin-blend", "lidocaine"}  # one review for the three
    assert loop.time() - first >= pause


async def test_stopping_during_the_pause_reviews_what_is_marked_at_once() -> None:
    reviews, stopping = ReorderReviews(pause_seconds=30), asyncio.Event()
    reviews.mark({"caffeine"})
    assert await reviews.next_batch(stopping) == {"caffeine"}
    reviews.reviewed()
    reviews.mark({"lidocaine"})

    waiting = asyncio.ensure_future(reviews.next_batch(stopping))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # paused
    stopping.set()

    assert await asyncio.wait_for(waiting, timeout=5) == {"lidocaine"}
