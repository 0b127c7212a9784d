"""The retry policy: which failures are worth another attempt, and how long to wait first.

httpx retries nothing above the connection level, so the policy is built on tenacity. Only
failures that can heal by themselves are retried: throttling (429, the platform's own throttle
codes, a ``RateLimited`` raised by a platform check), 408 and 5xx, transport errors (including
read timeouts) and bodies that are not valid JSON (truncated or an HTML error page). Anything
else (login walls, blocks, 404) fails here at once: repeating it soon only digs the hole
deeper. (Blocks get their own, much slower second chance in the client: ``block_pause_s``.)

The wait honours the server's ``Retry-After`` (delta-seconds or HTTP-date) and otherwise backs
off exponentially with jitter. A per-request budget (``max_wait_s``, measured on the injected
clock) bounds the total: when the next wait would overrun it, the request gives up and the
error carries ``retry_after`` so the scheduler can come back later instead of blocking a run.
Sleep and clock are injected so tests never sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from tracker.http.settings import HttpSettings

TransientKind = Literal["throttled", "unavailable", "bad_body"]


class Transient(Exception):
    """One failed attempt that may succeed if repeated.

    Internal to the HTTP layer: when attempts run out the client turns it into the public error
    for its ``kind`` (``RateLimited``, ``ConnectorError``, ``ParseError``). ``reason`` is safe to
    log: it never holds query strings, cookies or body text.
    """

    def __init__(self, kind: TransientKind, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.kind: TransientKind = kind
        self.reason = reason
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None when absent or unreadable.

    Both RFC 9110 forms: delta-seconds (``"7"``) and an HTTP-date, read against ``now`` (the
    response's own ``Date`` header when the caller has it, so clock skew between us and the
    server cancels out). A date in the past means "now": 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC in RFC 5322
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def build_retrying(
    settings: HttpSettings,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    before_sleep: Callable[[RetryCallState], None],
    started: float | None = None,
) -> Retrying:
    """A tenacity ``Retrying`` for one request, its budget started at ``started`` on ``clock``
    (default: now), so a caller that sent the first attempt itself keeps its time on it."""
    # Jitter up to 1 s spreads clients apart; never more than the initial step, so a test or
    # demo profile with backoff_initial_s=0 does not wait at all.
    backoff = wait_exponential_jitter(
        multiplier=settings.backoff_initial_s,
        max=settings.backoff_max_s,
        jitter=min(1.0, settings.backoff_initial_s),
    )
    begun = clock() if started is None else started
    slept = [0.0]

    def counted_sleep(seconds: float) -> None:
        slept[0] += seconds
        sleep(seconds)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        return float(backoff(state))

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= settings.max_attempts:
            return True
        # Elapsed is the larger of the clock's view and the sleeps asked for, so a fake sleep
        # paired with a real clock still spends the budget.
        elapsed = max(clock() - begun, slept[0])
        return elapsed + (state.upcoming_sleep or 0.0) > settings.max_wait_s

    return Retrying(
        retry=retry_if_exception_type(Transient),
        wait=wait,
        stop=stop,
        sleep=counted_sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
