"""Pure parts of the HTTP layer: Retry-After parsing, the retry budget, the token bucket."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.http import HttpSettings, RateLimiter, retry_after_seconds
from tracker.http.retry import Transient, build_retrying

NOW = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        ("Wed, 21 Oct 2026 07:28:42 GMT", 42.0),
        ("Wed, 21 Oct 2026 07:30:00 GMT", 120.0),
        ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),  # already past
        ("Wednesday, 21-Oct-26 07:28:10 GMT", 10.0),  # obsolete RFC 850 form
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == expected


def run_policy(settings: HttpSettings, failures: list[Transient]) -> tuple[list[float], int]:
    """Drive build_retrying over a scripted list of failures (then success)."""
    now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    script = iter(failures)
    calls = [0]

    def attempt() -> str:
        calls[0] += 1
        failure = next(script, None)
        if failure is not None:
            raise failure
        return "ok"

    retrying = build_retrying(
        settings, sleep=sleep, clock=lambda: now[0], before_sleep=lambda s: None
    )
    try:
        retrying(attempt)
    except Transient:
        pass
    return sleeps, calls[0]


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    settings = HttpSettings(
        max_attempts=6, max_wait_s=10_000, backoff_initial_s=1, backoff_max_s=60
    )
    sleeps, calls = run_policy(settings, [Transient("unavailable", "HTTP 503")] * 5)
    assert calls == 6
    for n, slept in enumerate(sleeps, start=1):
        base = 2 ** (n - 1)
        assert base <= slept <= base + 1


def test_backoff_is_capped() -> None:
    settings = HttpSettings(
        max_attempts=5, max_wait_s=10_000, backoff_initial_s=10, backoff_max_s=15
    )
    sleeps, _ = run_policy(settings, [Transient("unavailable", "x")] * 4)
    assert all(s <= 15 for s in sleeps) and sleeps[-1] == 15


def test_total_budget_stops_retrying() -> None:
    settings = HttpSettings(max_attempts=10, max_wait_s=20)
    failures = [Transient("throttled", "HTTP 429", retry_after=8)] * 9
    sleeps, calls = run_policy(settings, failures)
    assert sleeps == [8, 8]  # a third wait of 8 s would pass the 20 s budget
    assert calls == 3


def test_non_transient_errors_are_not_retried() -> None:
    settings = HttpSettings()
    retrying = build_retrying(
        settings, sleep=lambda s: None, clock=lambda: 0.0, before_sleep=lambda s: None
    )
    calls = [0]

    def attempt() -> None:
        calls[0] += 1
        raise KeyError("x")

    with pytest.raises(KeyError):
        retrying(attempt)
    assert calls == [1]


class Clock:
    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def test_rate_limiter_fractional_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(0.25, burst=1, clock=clock, sleep=clock.sleep)
    assert limiter.acquire() == 0.0
    assert limiter.acquire() == 4.0
    assert clock.now == 54.0


def test_rate_limiter_refills_while_idle() -> None:
    clock = Clock()
    limiter = RateLimiter(10, burst=2, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.acquire()
    clock.now += 5  # idle: the bucket refills to its burst, not beyond
    limiter.acquire()
    limiter.acquire()
    assert clock.sleeps == []
    assert limiter.acquire() == pytest.approx(0.1)


def test_rate_limiter_with_fake_sleep_and_a_clock_that_does_not_follow() -> None:
    """A fake sleep with a clock it does not move: the waits still count, nothing spins."""
    slept: list[float] = []
    limiter = RateLimiter(2, clock=lambda: 7.0, sleep=slept.append)
    for _ in range(4):
        limiter.acquire()
    assert slept == [0.5, 0.5, 0.5]


def test_retry_budget_counts_fake_sleeps_even_if_the_clock_stands_still() -> None:
    settings = HttpSettings(max_attempts=10, max_wait_s=20)
    sleeps: list[float] = []
    retrying = build_retrying(
        settings, sleep=sleeps.append, clock=lambda: 0.0, before_sleep=lambda s: None
    )

    def attempt() -> None:
        raise Transient("throttled", "HTTP 429", retry_after=8)

    with pytest.raises(Transient):
        retrying(attempt)
    assert sleeps == [8, 8]


def test_rate_limiter_validates() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0, clock=lambda: 0.0, sleep=lambda s: None)
    with pytest.raises(ValueError):
        RateLimiter(1, burst=0, clock=lambda: 0.0, sleep=lambda s: None)


def test_zero_backoff_means_no_waiting() -> None:
    settings = HttpSettings(backoff_initial_s=0)
    sleeps, calls = run_policy(settings, [Transient("unavailable", "HTTP 500")] * 3)
    assert sleeps == [0, 0, 0] and calls == 4
