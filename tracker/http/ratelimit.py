"""Client-side rate limit per platform: pyrate-limiter's token bucket on our clock.

pyrate-limiter provides the algorithm (``TokenBucket``, i.e. GCRA: one number of state, exact
waits) and the in-memory ``StateBucket``, which accepts a clock object. Its ``Limiter`` front
door, however, sleeps with ``time.sleep`` and measures deadlines with ``time.monotonic``
directly, and starts a background leak thread. So this module drives the bucket itself: it
stamps each request with the injected clock (through a tiny ``AbstractClock`` adapter), asks the
bucket, and when the bucket says "wait N ms" sleeps with the injected sleep and asks again.
Tests therefore advance a fake clock instead of sleeping, and no thread is left behind.

The limit is per ``HttpClient`` (one per platform per run); it spaces requests, retries
included, at ``rate_per_s`` with up to ``burst`` sent back to back.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pyrate_limiter import AbstractClock, Rate, RateItem, StateBucket, TokenBucket

_MAX_ROUNDS = 10_000
"""Guard against a pathological clock (one running backwards): fail instead of spinning."""


class _InjectedClock(AbstractClock):
    """Milliseconds from a seconds clock, as pyrate-limiter's buckets count time.

    ``skew`` is time the limiter slept that the clock did not show: when a caller injects a
    fake sleep but keeps the real clock (a fast test or demo run), the bucket still sees the
    wait as spent instead of spinning until real time catches up. With a real clock and real
    sleep, or a fake clock moved by its fake sleep, it stays 0.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.skew = 0.0

    def seconds(self) -> float:
        return self._clock() + self.skew

    def now(self) -> int:
        return math.floor(self.seconds() * 1000)


class RateLimiter:
    """Blocks (with the injected ``sleep``) until a request may go out."""

    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: int = 1,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        name: str = "http",
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        # limit=1000 per (1e6 / rate) ms gives an emission interval of exactly 1e6 / rate
        # microseconds, so fractional rates (0.2/s) and fast ones (500/s) both stay exact.
        interval_ms = max(1, round(1_000_000 / rate_per_s))
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._name = name
        self._sleep = sleep
        self._clock = _InjectedClock(clock)
        self._bucket = StateBucket(
            [Rate(1000, interval_ms, burst=burst)], algorithm=TokenBucket(), clock=self._clock
        )

    def acquire(self) -> float:
        """Wait for a slot; return the seconds waited (0.0 when one was free)."""
        waited = 0.0
        for _ in range(_MAX_ROUNDS):
            item = RateItem(self._name, self._clock.now(), weight=1)
            if self._bucket.put(item):
                return waited
            wait_ms = self._bucket.waiting(item)
            assert isinstance(wait_ms, int)  # StateBucket with an in-memory store is sync
            delay = max(wait_ms, 1) / 1000
            before = self._clock.seconds()
            self._sleep(delay)
            shown = self._clock.seconds() - before
            if shown < delay:
                self._clock.skew += delay - shown
            waited += delay
        raise RuntimeError("rate limiter clock keeps running backwards")
