"""The simulator as a context manager, for tests and the demo.

::

    with SimServer(seed=1, scale=200, faults="none") as sim:
        url = sim.base_urls["weibo"]          # http://127.0.0.1:<port>/weibo
        sim.set_clock(datetime(2024, 9, 20, tzinfo=UTC))
        sim.advance(86400)                    # one virtual day later: metrics have grown

The server runs in a daemon thread on a free loopback port and is shut down (socket closed)
on exit, so a test suite can start many of them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any

from tracker.sim.clock import VirtualClock
from tracker.sim.faults import FaultConfig, FaultInjector
from tracker.sim.model import PlatformSim
from tracker.sim.server import SimApp, SimHTTPServer, load_platform_sims
from tracker.sim.world import World


class SimServer:
    """A running simulator (see the module doc).

    ``faults`` is a profile name or a :class:`FaultConfig`; ``fault_options`` overrides fields
    of the profile (``slow_s``, ``login_after``, ``rate``...). ``platforms`` restricts which
    platforms are mounted (default: all whose module exists); ``extra_sims`` mounts additional
    ``PlatformSim`` objects under their own prefixes (test doubles). ``hostile_titles`` plants
    XSS titles in the world (default: only with the ``hostile`` fault profile).
    """

    def __init__(
        self,
        seed: int = 1,
        scale: int = 200,
        faults: str | FaultConfig = "none",
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        clock: datetime | str | None = None,
        fault_options: Mapping[str, Any] | None = None,
        platforms: Iterable[str] | None = None,
        extra_sims: Mapping[str, PlatformSim] | None = None,
        world: World | None = None,
        hostile_titles: bool | None = None,
    ) -> None:
        config = faults if isinstance(faults, FaultConfig) else FaultConfig(profile=faults)
        if fault_options:
            config = replace(config, **dict(fault_options))
        if hostile_titles is None:  # the hostile fault profile brings hostile content too
            hostile_titles = config.profile == "hostile"
        self.world = (
            world
            if world is not None
            else World(seed=seed, scale=scale, hostile_titles=hostile_titles)
        )
        self.clock = VirtualClock(clock)
        self.injector = FaultInjector(self.world.seed, config)
        sims = load_platform_sims(platforms)
        sims.update(extra_sims or {})
        self.app = SimApp(self.world, self.clock, sims, self.injector)
        self._host = host
        self._port = port
        self._httpd: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SimServer:
        if self._httpd is not None:
            return self
        self._httpd = SimHTTPServer(self.app, self._host, self._port)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"kepu-sim:{self._httpd.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the simulator is not running")
        return self._httpd.port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def platforms(self) -> list[str]:
        return list(self.app.sims)

    @property
    def base_urls(self) -> dict[str, str]:
        """Platform id -> base URL (``http://127.0.0.1:PORT/<platform>``) of every mount."""
        return {p: f"{self.url}/{p}" for p in self.app.sims}

    # --- virtual time ----------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def set_clock(self, now: datetime | str) -> datetime:
        return self.clock.set(now)

    def advance(self, seconds: float) -> datetime:
        return self.clock.advance(seconds)

    def fault_counts(self) -> dict[str, dict[str, int]]:
        """Faults served so far, by platform and kind."""
        return self.injector.snapshot()
