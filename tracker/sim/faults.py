"""Fault profiles: what goes wrong, when, and how it stays reproducible yet recoverable.

The server asks :class:`FaultInjector` before every platform request. Decisions are a pure
function of (seed, platform, request identity, attempt number), where the identity leaves out
values a client changes on every retry (signatures, timestamps) and the attempt number counts
identical requests. So a run is reproducible, and a fault is *transient*: after at most
``max_consecutive`` faults in a row the same request succeeds, which is what lets a client with
retries still reach the ground truth. The login wall is the exception on purpose: once a
platform has served ``login_after`` requests it answers every further one with its wall.

Fault kinds:

=============  =====================================================================
``429``        HTTP 429 with ``Retry-After`` (seconds, small so tests stay fast)
``throttle``   the platform's own throttle signal (Weibo 418, Bilibili -412, ...)
``5xx``        HTTP 500/502/503 with an HTML body
``slow``       the real answer, after ``slow_s`` seconds (past a short client timeout)
``truncated``  the real answer cut in half (a body that does not parse)
``html``       HTTP 200 with an HTML "verification" page instead of JSON
``block``      the platform's block disguised as success (``v_voucher`` under code 0...)
=============  =====================================================================

Paging faults (duplicated and reordered items across pages) are not request failures: they are
applied by :class:`ShufflingContext` around ``SimContext.search`` and keep the union of all
pages complete whether a client advances by ``limit`` or by the number of items it received.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from tracker.normalize.tags import tag_key
from tracker.sim.ids import stable_hash, unit_float
from tracker.sim.model import SimAccount, SimComment, SimComments, SimContext, SimPost

PROFILES = ("none", "flaky", "hostile", "login-wall")
FAULT_KINDS = ("429", "throttle", "5xx", "slow", "truncated", "html", "block")
LOGIN_WALL = "login_wall"
MAX_TRACKED_REQUESTS = 1_000_000
"""Attempt counters kept before starting afresh (bounds memory in endless runs)."""

VOLATILE_PARAMS = frozenset(
    {"w_rid", "wts", "a_bogus", "X-Bogus", "__NS_hxfalcon", "_signature", "msToken", "_t", "_"}
)
"""Query parameters a client changes between retries; left out of the request identity."""


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """A fault profile and its knobs (``None`` means the profile's default)."""

    profile: str = "none"
    rate: float | None = None
    max_consecutive: int | None = None
    kinds: tuple[str, ...] | None = None
    slow_s: float = 0.3
    retry_after_s: int = 1
    login_after: int = 3
    page_fault_rate: float | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(
                f"unknown fault profile {self.profile!r}; one of {', '.join(PROFILES)}"
            )
        for kind in self.kinds or ():
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")

    def resolved(self) -> FaultConfig:
        """The config with every default of its profile filled in."""
        defaults = {
            "none": (0.0, 0, (), 0.0),
            "flaky": (0.15, 2, ("429", "throttle", "5xx", "slow", "truncated", "html"), 0.3),
            "hostile": (0.4, 4, FAULT_KINDS, 0.6),
            "login-wall": (0.0, 0, (), 0.0),
        }[self.profile]
        rate, cap, kinds, page_rate = defaults
        return replace(
            self,
            rate=rate if self.rate is None else self.rate,
            max_consecutive=cap if self.max_consecutive is None else self.max_consecutive,
            kinds=kinds if self.kinds is None else self.kinds,
            page_fault_rate=page_rate if self.page_fault_rate is None else self.page_fault_rate,
        )


def request_key(method: str, path: str, query: Mapping[str, str], body: bytes) -> str:
    """The identity of a request for fault decisions (volatile parameters left out)."""
    items = sorted((k, v) for k, v in query.items() if k not in VOLATILE_PARAMS)
    qs = "&".join(f"{k}={v}" for k, v in items)
    digest = stable_hash(body.decode("utf-8", errors="replace")) if body else 0
    return f"{method} {path}?{qs}#{digest:x}"


class FaultInjector:
    """Decides, per request, whether and how it fails (thread-safe; see the module doc)."""

    def __init__(self, seed: int, config: FaultConfig | None = None) -> None:
        self.seed = seed
        self.config = (config or FaultConfig()).resolved()
        self._lock = threading.Lock()
        self._attempts: dict[tuple[str, str], list[int]] = {}
        self._served: Counter[str] = Counter()
        self.stats: Counter[tuple[str, str]] = Counter()

    @property
    def active(self) -> bool:
        c = self.config
        return bool(c.rate) or c.profile == "login-wall" or bool(c.page_fault_rate)

    @property
    def draws_faults(self) -> bool:
        """Whether :meth:`decide` may draw a fault (and so reads the request ``key``)."""
        c = self.config
        return bool(c.rate) and bool(c.kinds)

    def decide(self, platform: str, key: str) -> str | None:
        """The fault for this attempt of ``key`` on ``platform``, or ``None`` to answer normally."""
        c = self.config
        with self._lock:
            self._served[platform] += 1
            if c.profile == "login-wall" and self._served[platform] > c.login_after:
                self.stats[(platform, LOGIN_WALL)] += 1
                return LOGIN_WALL
            if not c.rate or not c.kinds:
                return None
            if len(self._attempts) >= MAX_TRACKED_REQUESTS:  # a long benchmark run
                self._attempts.clear()
            state = self._attempts.setdefault((platform, key), [0, 0])
            attempt = state[0]
            state[0] += 1
            if state[1] >= (c.max_consecutive or 0):
                state[1] = 0
                return None
            draw = stable_hash(self.seed, "fault", platform, key, attempt)
            if unit_float(draw) >= c.rate:
                state[1] = 0
                return None
            state[1] += 1
            kind = c.kinds[(draw >> 7) % len(c.kinds)]
            self.stats[(platform, kind)] += 1
            return kind

    def count(self, kind: str, platform: str | None = None) -> int:
        with self._lock:
            return sum(n for (p, k), n in self.stats.items() if k == kind and platform in (None, p))

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            out: dict[str, dict[str, int]] = {}
            for (p, k), n in sorted(self.stats.items()):
                out.setdefault(p, {})[k] = n
            return out

    def record(self, platform: str, kind: str) -> None:
        with self._lock:
            self.stats[(platform, kind)] += 1


class ShufflingContext:
    """``SimContext`` whose search pages carry duplicated and reordered items across pages.

    Events sit on page boundaries ``b`` (a multiple of the requested ``limit``), decided from
    the seed, the query and ``b``:

    - *swap*: the item just before ``b`` and the item at ``b`` trade pages;
    - *overlap k*: the page ending at ``b`` also carries the next page's first ``k`` items
      (which that page serves again: duplicates).

    Plus, inside a page, two neighbouring items may trade places. A client paging by ``limit``
    sees every item at least once; one paging by the number of items received skips the
    overlapped items it already has and meets no boundary event after the first overlap.
    """

    def __init__(self, inner: SimContext, injector: FaultInjector) -> None:
        self._inner = inner
        self._injector = injector
        self.now: datetime = inner.now

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def post(self, platform: str, post_id: str) -> SimPost | None:
        return self._inner.post(platform, post_id)

    def account(self, platform: str, uid: str) -> SimAccount | None:
        return self._inner.account(platform, uid)

    def comments(self, platform: str, post_id: str) -> SimComments | None:
        return self._inner.comments(platform, post_id)

    def comment_thread(
        self, platform: str, comment_id: str
    ) -> tuple[SimComments, SimComment] | None:
        return self._inner.comment_thread(platform, comment_id)

    def rng(self, *key: object) -> random.Random:
        return self._inner.rng(*key)

    def _event(self, scope: tuple[object, ...], boundary: int) -> tuple[str, int]:
        rate = self._injector.config.page_fault_rate or 0.0
        draw = stable_hash(self._injector.seed, "page", *scope, boundary)
        u = unit_float(draw)
        if u < rate / 2:
            return "swap", 1
        if u < rate:
            return "overlap", 1 + (draw >> 9) % 3
        return "none", 0

    def search(
        self,
        platform: str,
        query: str,
        *,
        offset: int,
        limit: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[SimPost], int]:
        inner = self._inner
        if limit <= 1 or offset % limit:
            return inner.search(
                platform, query, offset=offset, limit=limit, since=since, until=until
            )
        scope = (platform, tag_key(query), limit, since, until)
        start_event, _ = self._event(scope, offset) if offset > 0 else ("none", 0)
        end_event, k = self._event(scope, offset + limit)
        lo = offset - 1 if start_event == "swap" else offset
        hi = offset + limit + (k if end_event in ("swap", "overlap") else 0)
        window, total = inner.search(
            platform, query, offset=lo, limit=hi - lo, since=since, until=until
        )
        items = list(window)
        if start_event == "swap" and len(items) > 1:
            # [b-1, b, b+1, ...]: b went to the previous page, b-1 came from it.
            items.pop(1)
            self._injector.record(platform, "page_swap")
        if end_event == "swap" and len(items) > limit:
            # [..., e-2, e-1, e]: e-1 goes to the next page, e comes from it.
            items.pop(-2)
            self._injector.record(platform, "page_swap")
        elif end_event == "overlap" and len(items) > limit:
            self._injector.record(platform, "page_overlap")
        u = unit_float(stable_hash(self._injector.seed, "reorder", *scope, offset))
        if len(items) > 2 and u < (self._injector.config.page_fault_rate or 0.0) / 2:
            j = int(u * 1e6) % (len(items) - 1)
            items[j], items[j + 1] = items[j + 1], items[j]
            self._injector.record(platform, "page_reorder")
        return items, total
