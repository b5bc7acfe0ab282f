"""Rate limits for the doors anyone can knock on: sign-in and the SMS provider's webhooks.

A sliding window per key (a client address, an account): at most `requests` in any
`per_seconds`. Refusals are 429 problem+json with `Retry-After`. Counts live in the process,
so each replica counts its own (SECURITY.md says what that means for the settings); memory is
bounded by evicting the least recently seen keys.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from clinic_shared.errors import TooManyRequests

MAX_KEYS = 10_000


@dataclass(frozen=True)
class Limit:
    requests: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise ValueError("a limit needs at least one request in a positive window")


class RateLimiter:
    def __init__(
        self,
        limit: Limit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
        refusal: str = "Too many requests. Try again later.",
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._refusal = refusal
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def _window(self, key: str) -> deque[float]:
        now = self._clock()
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - self.limit.per_seconds:
            times.popleft()
        self._seen[key] = times  # most recently seen last
        while len(self._seen) > self._max_keys:
            self._seen.popitem(last=False)
        return times

    def check(self, key: str) -> None:
        """Refuse with TooManyRequests if `key` has used its window up; records nothing."""
        times = self._window(key)
        if len(times) >= self.limit.requests:
            wait = times[0] + self.limit.per_seconds - self._clock()
            raise TooManyRequests(self._refusal, retry_after_seconds=max(1, math.ceil(wait)))

    def record(self, key: str) -> None:
        self._window(key).append(self._clock())

    def hit(self, key: str) -> None:
        """Count one request for `key`, refusing it when the window is full."""
        self.check(key)
        self.record(key)

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limited(attribute: str) -> Callable[[Request], Awaitable[None]]:
    """A route dependency: one hit per request on `app.state.<attribute>`, by client address."""

    async def dependency(request: Request) -> None:
        limiter: RateLimiter = getattr(request.app.state, attribute)
        limiter.hit(client_address(request))

    return dependency
