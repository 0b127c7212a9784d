"""The simulator's HTTP face: one loopback server, every platform under its own path prefix.

``http://127.0.0.1:PORT/<platform>/<the platform's real path>`` reaches the module its spec names
(``tracker.sim.platforms.<platform>``, or :mod:`tracker.sim.articles` for the article sites), so
a connector's ``base_url`` is the only thing a test changes. :class:`SimApp` is the whole
request -> response logic without sockets (route lookup, faults, virtual clock, control
endpoints); :class:`SimHTTPServer` puts it on a stdlib ``ThreadingHTTPServer``.

Control endpoints (not platforms, never faulted):

- ``GET /_sim/clock`` -> ``{"now": iso}``; ``POST /_sim/clock`` with ``{"now": iso}`` or
  ``{"advance_s": n}`` moves virtual time;
- ``GET /_sim/health`` -> seed, scale, mounted platforms;
- ``GET /_sim/faults`` -> the fault profile and how many faults of each kind were served.
"""

from __future__ import annotations

import importlib
import json
import logging
import socket
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from connectors import catalogue
from tracker.sim.clock import VirtualClock
from tracker.sim.faults import LOGIN_WALL, FaultInjector, ShufflingContext, request_key
from tracker.sim.ids import stable_hash
from tracker.sim.model import PlatformSim, Route, SimContext, SimRequest, SimResponse
from tracker.sim.platform_list import sim_platforms
from tracker.sim.world import World

log = logging.getLogger(__name__)


JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

_5XX_BODY = (
    "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1>"
    "</center><hr><center>nginx</center></body></html>"
)
_HTML_CHALLENGE = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>安全验证</title></head>'
    '<body><div id="captcha-verify">请完成下方验证后继续访问</div></body></html>'
)


def load_platform_sims(platforms: Iterable[str] | None = None) -> dict[str, PlatformSim]:
    """The platform simulators to mount, in display order, from each spec's ``simulator``.

    ``module`` names a module exposing ``SIM``; ``module:factory`` a function of the platform id
    (the article sites share one). An import error is a bug and propagates.
    """
    wanted = list(sim_platforms() if platforms is None else platforms)
    sims: dict[str, PlatformSim] = {}
    for platform in wanted:
        spec = catalogue.get(platform)
        if spec is None or spec.simulator is None:
            raise ValueError(f"unknown simulated platform {platform!r}")
        module_name, _, factory = spec.simulator.partition(":")
        module = importlib.import_module(module_name)
        sims[platform] = getattr(module, factory)(platform) if factory else module.SIM
    return sims


class Headers(Mapping[str, str]):
    """Request headers with case-insensitive lookup (keys are stored lower-case)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._d: dict[str, str] = {}
        for k, v in items:
            self._d.setdefault(k.lower(), v)

    def __getitem__(self, key: str) -> str:
        return self._d[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._d

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)


@dataclass(slots=True)
class RawResponse:
    """What goes on the wire: status, headers, bytes, and an optional delay before sending."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
"""What ``json.dumps`` with these options builds anew on every call (an encoder keeps no state
between calls, so one serves every thread). A body is a fresh tree of dicts and lists, never
circular, so the encoder skips the bookkeeping that would only detect a cycle: the bytes are
the same."""


def encode_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return _ENCODER.encode(body).encode("utf-8")


def to_raw(resp: SimResponse) -> RawResponse:
    headers = dict(resp.headers)
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = resp.content_type
    return RawResponse(resp.status, headers, encode_body(resp.body))


@lru_cache(maxsize=8192)
def _split_target(target: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """``/<mount>/<path>?<query>`` -> (mount, ``/<path>``, the query's pairs, first of each name).

    A collection asks for the same URLs again at every virtual instant; the parse is a pure
    function of the target, so it is made once (callers build their own dict from the pairs).
    """
    url = urlsplit(target)
    query: dict[str, str] = {}
    for k, v in parse_qsl(url.query, keep_blank_values=True):
        query.setdefault(k, v)
    _, _, rest = url.path.partition("/")
    mount, _, sub = rest.partition("/")
    return mount, "/" + sub, tuple(query.items())


def _json(status: int, body: Any) -> RawResponse:
    return RawResponse(status, {"Content-Type": JSON_TYPE}, encode_body(body))


class SimApp:
    """Request -> response for the whole simulator (no sockets; thread-safe)."""

    def __init__(
        self,
        world: World,
        clock: VirtualClock,
        sims: Mapping[str, PlatformSim],
        injector: FaultInjector,
    ) -> None:
        self.world = world
        self.clock = clock
        self.sims = dict(sims)
        self.injector = injector
        self._routes: dict[tuple[str, str], list[Route]] = {}
        for platform, sim in self.sims.items():
            for route in sim.routes():
                self._routes.setdefault((platform, route.method.upper()), []).append(route)
        # The routes never change after start-up, so a path's route is looked up once.
        self._route_cached = lru_cache(maxsize=4096)(self._find_route)

    # --- entry point ---------------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> RawResponse:
        mount, path, pairs = _split_target(target)
        query = dict(pairs)
        if mount == "_sim":
            return self._control(method.upper(), path, body)
        sim = self.sims.get(mount)
        if sim is None:
            return _json(404, {"error": f"no simulated platform mounted at /{mount}"})
        request = SimRequest(method.upper(), path, query, Headers(headers), body)
        route = self._route(mount, request.method, path)
        if route is None:
            return _json(404, {"error": f"{mount}: no route for {request.method} {path}"})
        return self._platform(mount, sim, route, request)

    def _route(self, platform: str, method: str, path: str) -> Route | None:
        return self._route_cached(platform, method, path)

    def _find_route(self, platform: str, method: str, path: str) -> Route | None:
        routes = self._routes.get((platform, method), [])
        for route in routes:
            if route.pattern.fullmatch(path):
                return route
        for route in routes:
            if route.pattern.match(path):
                return route
        return None

    # --- platforms -----------------------------------------------------------------------------

    def context(self) -> SimContext:
        ctx: SimContext = self.world.context(self.clock.now())
        if self.injector.config.page_fault_rate:
            ctx = ShufflingContext(ctx, self.injector)
        return ctx

    def _platform(
        self, platform: str, sim: PlatformSim, route: Route, request: SimRequest
    ) -> RawResponse:
        # Only a drawn fault reads the request's identity; a world without faults skips it.
        key = ""
        if self.injector.draws_faults:
            key = request_key(request.method, request.path, request.query, request.body)
        fault = self.injector.decide(platform, key)
        cfg = self.injector.config
        if fault == LOGIN_WALL:
            return to_raw(sim.login_wall_response())
        if fault == "429":
            return RawResponse(
                429,
                {"Content-Type": JSON_TYPE, "Retry-After": str(cfg.retry_after_s)},
                encode_body({"error": "Too Many Requests"}),
            )
        if fault == "throttle":
            return to_raw(sim.throttle_response())
        if fault == "block":
            return to_raw(sim.block_response())
        if fault == "5xx":
            code, reason = (
                (500, "Internal Server Error"),
                (502, "Bad Gateway"),
                (503, "Service Unavailable"),
            )[stable_hash(key) % 3]
            return RawResponse(
                code,
                {"Content-Type": HTML_TYPE},
                _5XX_BODY.format(code=code, reason=reason).encode(),
            )
        if fault == "html":
            return RawResponse(200, {"Content-Type": HTML_TYPE}, _HTML_CHALLENGE.encode("utf-8"))
        raw = self._call(platform, route, request)
        if fault == "truncated" and len(raw.body) > 1:
            raw.body = raw.body[: len(raw.body) // 2]
        elif fault == "slow":
            raw.delay_s = cfg.slow_s
        return raw

    def _call(self, platform: str, route: Route, request: SimRequest) -> RawResponse:
        try:
            return to_raw(route.handler(request, self.context()))
        except Exception as exc:  # a platform module bug must not kill the server thread
            log.exception("simulator: %s handler failed for %s", platform, request.path)
            return _json(500, {"error": "simulator handler failed", "detail": repr(exc)})

    # --- control -------------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: bytes) -> RawResponse:
        if path == "/clock":
            if method == "POST":
                try:
                    data = json.loads(body.decode("utf-8") or "{}")
                    if "now" in data:
                        self.clock.set(str(data["now"]))
                    elif "advance_s" in data:
                        self.clock.advance(float(data["advance_s"]))
                    else:
                        return _json(400, {"error": 'expected {"now": iso} or {"advance_s": n}'})
                except (ValueError, TypeError) as exc:
                    return _json(400, {"error": f"bad clock request: {exc}"})
            return _json(200, {"now": self.clock.now().isoformat()})
        if path == "/health" and method == "GET":
            return _json(
                200,
                {
                    "ok": True,
                    "seed": self.world.seed,
                    "scale": self.world.scale,
                    "platforms": list(self.sims),
                    "now": self.clock.now().isoformat(),
                },
            )
        if path == "/faults" and method == "GET":
            cfg = self.injector.config
            return _json(
                200,
                {
                    "profile": cfg.profile,
                    "rate": cfg.rate,
                    "max_consecutive": cfg.max_consecutive,
                    "kinds": list(cfg.kinds or ()),
                    "served": self.injector.snapshot(),
                },
            )
        return _json(404, {"error": f"unknown control endpoint {method} /_sim{path}"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections
    # Headers and body go out in separate writes; with Nagle on, every keep-alive response then
    # waits for the client's delayed ACK (~40 ms). Loopback benchmarks need it off.
    disable_nagle_algorithm = True
    server_version = "kepu-sim/1.0"
    timeout = 60  # idle keep-alive connections end instead of pinning a thread forever
    server: SimHTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm and
        # the client's delayed ACK stall every keep-alive response by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        resp = self.server.app.handle(method, self.path, self.headers.items(), body)
        if resp.delay_s:
            time.sleep(resp.delay_s)
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s - %s", self.address_string(), format % args)


class SimHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one :class:`SimApp`."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, app: SimApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (a killed collector) is normal here, not a
        traceback on stderr; anything else is logged with its traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("client %s went away: %s", client_address, exc)
            return
        log.exception("simulator: request from %s failed", client_address)
