"""The one place the project talks HTTP (the only module that imports httpx).

Keeping httpx behind this module means a later switch (httpx's successor fork, say) touches one
file, and every connector gets the same behaviour for free:

- timeouts on every request; retries only for failures that heal by themselves
  (``tracker.http.retry``), honouring ``Retry-After``; a client-side rate limit per platform
  (``tracker.http.ratelimit``); injectable ``sleep`` and ``clock`` so tests never sleep;
- the typed errors (``tracker.errors``): what a response *means* is decided here once, so a
  connector never sees a bare status code::

      429 / 408 / 5xx / throttle codes / transport error / invalid JSON  -> retried, then
          RateLimited / ConnectorError / ParseError
      401, 403    -> LoginRequired (the platform has a cookie variable: it is named) else Blocked
      3xx on JSON -> LoginRequired / Blocked (an API redirecting is a login or visitor wall)
      404, other 4xx -> ConnectorError
      sign=True without a signer -> SignerMissing

  A platform ``check(body, response)`` sees every decoded JSON body first and raises the
  platform's own meaning (``RateLimited`` is retried like a 429; ``LoginRequired`` is not;
  a ``Blocked`` is sent again only after a long pause, ``block_pause_s``, and at most
  ``block_retries`` times in a row across requests, so a block that persists still stops the
  platform at once);
- cookies: read from the environment variable the settings name, merged with cookies the
  platform sets on us, sent only to the platform's own hosts, and never written to logs,
  exception text, ``repr`` or ``stats``. A platform may echo them in an error body, so every
  error raised here (a ``check``'s too) is scrubbed of them and of every other configured
  secret, raw or encoded (``tracker.redaction``). Log lines and errors show host and path
  only: query strings carry tokens (``xsec_token``, ``msToken``), so they are left out, and
  httpx's own request log line is stripped of them too;
- signing: the final query is built here, signed, and sent byte for byte as signed (POST bodies
  are serialised once and the same string is signed and sent).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import httpx
from tenacity import RetryCallState

from tracker.errors import (
    Blocked,
    ConnectorError,
    LoginRequired,
    ParseError,
    RateLimited,
    SignerMissing,
    TrackerError,
)
from tracker.http.ratelimit import RateLimiter
from tracker.http.retry import Transient, build_retrying, retry_after_seconds
from tracker.http.settings import HttpSettings, signer_env_var
from tracker.http.signer import (
    Signer,
    SignerError,
    make_signer,
    normalise_answer,
    parse_cookie_header,
)
from tracker.redaction import register, register_env, scrub, secret_pieces

log = logging.getLogger("tracker.http")

Check = Callable[[Any, Any], None]
"""``check(body, response) -> None``: raises the platform's meaning of a decoded body."""

_T = TypeVar("_T")
_Want = Literal["json", "text"]
_MAX_HOPS = 10
_JSON_ACCEPT = "application/json, text/plain, */*"
_HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_BODY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""Compact UTF-8 JSON for POST bodies, built once: ``json.dumps`` with options builds one per call."""
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac", "co"}
_MIN_OWN_SECRET_CHARS = 4
"""This client's own cookie values are blanked from 4 characters on (the process-wide
registry, which scrubs every error, starts at ``tracker.redaction.MIN_SECRET_CHARS``)."""


Purpose = Literal["listing", "detail", "profile", "page", "comments"]
"""Why a request was sent: a tag/topic listing page, a work's detail, an account's profile, an
article page, a work's comments. Live collection is bounded by the platforms' rate limits, so
requests are the cost that matters, and a plan or a run report must say what they were spent on."""
PURPOSES: tuple[Purpose, ...] = ("listing", "detail", "profile", "page", "comments")


@dataclass(slots=True)
class HttpStats:
    """What one client did: attempts sent, retries slept for, response bytes read, and the
    attempts by purpose (a retry counts under ``retry`` as well as its purpose)."""

    requests: int = 0
    retries: int = 0
    block_pauses: int = 0
    bytes: int = 0
    by_purpose: dict[str, int] = field(default_factory=dict)

    def count(self, purpose: str) -> None:
        self.requests += 1
        self.by_purpose[purpose] = self.by_purpose.get(purpose, 0) + 1


class _RedactQuery(logging.Filter):
    """Strips query strings from httpx's own ``HTTP Request: GET <url>`` log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                _url_without_query(a) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


def _url_without_query(url: httpx.URL) -> str:
    shown = str(url.copy_with(query=None, fragment=None))
    return shown + "?…" if url.query else shown


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(f, _RedactQuery) for f in _httpx_log.filters):
    _httpx_log.addFilter(_RedactQuery())


def _param_text(name: str, value: Any) -> str:
    """Query values as the wire (and the signer) sees them: ``True`` is ``true``, as browsers send."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"query parameter {name!r} must be a str, int, float or bool")


def _params_text(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Stringified params; ``None`` values are left out (an optional parameter not sent)."""
    if not params:
        return {}
    return {str(k): _param_text(str(k), v) for k, v in params.items() if v is not None}


def _encode(params: Mapping[str, str]) -> str:
    """``k=v&...`` with RFC 3986 percent-encoding (space is ``%20``, as browsers' fetch sends)."""
    return urlencode(params, quote_via=quote, safe="")


def merge_query(raw_query: str, extra: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Append ``extra`` to an already-encoded query; return (wire query, decoded params).

    The existing query is kept byte for byte (a connector may have built it in a platform's own
    encoding); only when ``extra`` overrides one of its names is the whole query re-encoded, so
    a name is never sent twice.
    """
    existing = parse_qsl(raw_query, keep_blank_values=True)
    decoded = dict(existing)
    if not extra:
        return raw_query, decoded
    decoded.update(extra)
    if any(name in extra for name, _ in existing):
        return _encode(decoded), decoded
    added = _encode(extra)
    return (f"{raw_query}&{added}" if raw_query else added), decoded


def _registrable(host: str) -> str:
    """``m.weibo.cn`` -> ``weibo.cn``; ``www.example.com.cn`` -> ``example.com.cn``; IPs as is."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _response_date(response: httpx.Response) -> datetime | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class _SetCookieOnly(httpx.Cookies):
    """httpx's cookie store, reading a response only when it sets a cookie.

    httpx reads every response into its jar through urllib's cookie machinery (a
    ``urllib.request.Request`` and a parsed header message per response), about a quarter of
    what a request costs this side of the transport, while most platforms never set one. A response without
    ``Set-Cookie`` leaves the jar as it was anyway, so skipping it changes nothing.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers or "set-cookie2" in response.headers:
            super().extract_cookies(response)


def shared_ssl_context(trust_env: bool) -> ssl.SSLContext:
    """The verifying TLS context every client of this process shares.

    httpx builds a new one per client by default, loading the whole CA bundle each time (some
    20 ms); a collect or import makes a client per platform and per link service, and tests make
    hundreds. The settings are the same for all (verification on, httpx's CA bundle, or
    ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when the environment is trusted), so one context per
    distinct setting is built, the first time it is needed. A context is safe to share between
    clients and threads.
    """
    if not trust_env:
        return _ssl_context(False, None, None)
    return _ssl_context(True, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@lru_cache(maxsize=8)
def _ssl_context(trust_env: bool, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # cert_file and cert_dir are only the cache key: httpx reads them from the environment itself
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


class HttpClient:
    """HTTP for one platform: retries, rate limit, cookie, signer, typed errors."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        settings: HttpSettings | None = None,
        signer: Signer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings()
        self.stats = HttpStats()
        self._purpose: str = "listing"
        self._sleep = sleep
        self._clock = clock
        self._blocks_in_a_row = 0
        environ: Mapping[str, str] = os.environ if env is None else env

        cookie_env = self.settings.cookie_env
        raw_cookie = (environ.get(cookie_env) or "").strip() if cookie_env else ""
        self._env_cookies = parse_cookie_header(raw_cookie)
        self._session_cookies: dict[str, str] = {}
        self._raw_cookie = raw_cookie
        self._extra_secrets: set[str] = set()

        # Every secret of the environment is scrubbed from every error the process makes, even
        # those a connector builds from a body after this client returned it.
        register_env(environ, [cookie_env, signer_env_var(platform)])
        register(secret_pieces("SIGNER", self.settings.signer or ""))
        if signer is None:
            # An explicit spec (config file or command line, already merged) wins; the
            # TRACKER_<P>_SIGNER variable fills in when none was given.
            signer = make_signer(self.settings.signer or environ.get(signer_env_var(platform)))
        self.signer: Signer | None = signer

        self._limiter = (
            RateLimiter(
                self.settings.rate_per_s,
                burst=self.settings.burst,
                clock=clock,
                sleep=sleep,
                name=platform,
            )
            if self.settings.rate_per_s
            else None
        )

        base_host = (urlsplit(self.base_url).hostname or "").lower()
        self._base_host = base_host
        self._cookie_domains = {_registrable(base_host), *self.settings.cookie_domains} - {""}
        trust_env = base_host not in _LOOPBACK
        self._client = httpx.Client(
            transport=transport,
            # a given transport (tests) brings its own; building an unused context costs time
            verify=shared_ssl_context(trust_env) if transport is None else True,
            timeout=httpx.Timeout(self.settings.timeout_s, connect=self.settings.connect_timeout_s),
            follow_redirects=False,
            # A loopback simulator or signer must never be sent through a proxy from the env.
            trust_env=trust_env,
        )
        # httpx's ``cookies`` setter copies into a plain ``Cookies``, so the store goes in as is
        self._client._cookies = _SetCookieOnly()

    # ------------------------------------------------------------------ public API

    @property
    def has_cookie(self) -> bool:
        """True when the configured cookie variable held a value."""
        return bool(self._env_cookies)

    def get_cookie(self, name: str) -> str | None:
        """A cookie's current value (set by the platform, else from the environment)."""
        return self._session_cookies.get(name, self._env_cookies.get(name))

    def set_cookie(self, name: str, value: str) -> None:
        """Add a cookie obtained out of band (e.g. Bilibili's ``buvid3`` from a JSON endpoint)."""
        self._session_cookies[name] = value

    def get_json(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        sign: bool = False,
        check: Check | None = None,
    ) -> Any:
        """GET a JSON endpoint; ``path`` is relative to ``base_url`` or an absolute URL."""
        return self._call("GET", path, params, headers, None, sign=sign, check=check, want="json")

    def post_json(
        self,
        path: str,
        json_body: Any,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        sign: bool = False,
        check: Check | None = None,
    ) -> Any:
        """POST JSON (serialised once, compact, UTF-8; a ``str`` is sent as is) and decode JSON."""
        if isinstance(json_body, str):
            body = json_body
        else:
            body = _BODY_ENCODER.encode(json_body)
        return self._call("POST", path, params, headers, body, sign=sign, check=check, want="json")

    def get_text(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET a page (HTML, JS) as text, following redirects within the platform's hosts."""
        text: str = self._call(
            "GET", path, params, headers, None, sign=False, check=None, want="text"
        )
        return text

    def resolve_redirect(self, url: str) -> str:
        """Follow a short link (b23.tv, v.douyin.com) and return the final URL; no body is read.

        No cookie is sent: the link usually comes from a submitted spreadsheet, and a user's
        login must never travel to whatever host a link points at.
        """
        if not url.startswith(("http://", "https://")):
            raise ConnectorError(
                f"{self.platform}: not an http(s) link: {url.split('?')[0]!r}",
                platform=self.platform,
            )
        where = self._where(url)

        def attempt() -> str:
            if self._limiter:
                self._limiter.acquire()
            self.stats.count(self._purpose)
            try:
                with self._client.stream(
                    "GET",
                    url,
                    headers={"User-Agent": self.settings.user_agent, "Accept": _HTML_ACCEPT},
                    follow_redirects=True,
                ) as response:
                    final, hops = str(response.url), len(response.history)
            except httpx.TooManyRedirects:
                raise ConnectorError(
                    f"{self.platform}: too many redirects from {where}", platform=self.platform
                ) from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL):
                raise ConnectorError(
                    f"{self.platform}: cannot follow {where}: unsupported or invalid URL",
                    platform=self.platform,
                ) from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise Transient("unavailable", type(exc).__name__) from None
            finally:
                self._client.cookies.clear()
            if hops:
                return final
            self._raise_for_retryable(response)
            if response.status_code >= 300:
                raise ConnectorError(
                    f"{self.platform}: {where} answered HTTP {response.status_code} "
                    "instead of redirecting",
                    platform=self.platform,
                )
            return final

        return self._retrying("GET", where, attempt)

    def scrub(self, text: str) -> str:
        """``text`` without this client's cookies (the platform's own too) or any configured
        secret, raw or encoded: for messages made from what the platform answered."""
        return scrub(text, self._secrets(), min_chars=_MIN_OWN_SECRET_CHARS)

    @contextmanager
    def purpose(self, purpose: Purpose) -> Iterator[None]:
        """Count the requests sent inside the block under ``purpose`` (listing by default):
        connectors mark their detail and profile calls, services their refresh passes."""
        before = self._purpose
        self._purpose = purpose
        try:
            yield
        finally:
            self._purpose = before

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"HttpClient(platform={self.platform!r}, base_url={self.base_url!r}, "
            f"has_cookie={self.has_cookie}, signer={self.signer!r})"
        )

    # ------------------------------------------------------------------ one request

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        body: str | None,
        *,
        sign: bool,
        check: Check | None,
        want: _Want,
    ) -> Any:
        url = path if path.startswith(("http://", "https://")) else self._join(path)
        url = url.split("#", 1)[0]
        base, _, raw_query = url.partition("?")
        raw_query, decoded = merge_query(raw_query, _params_text(params))
        where = self._where(base)
        if sign and self.signer is None:
            env_var = signer_env_var(self.platform)
            raise SignerMissing(
                f"{self.platform} 需要签名插件 (signer plug-in) to request {where}: set "
                f"[platforms.{self.platform}] signer in config/campaign.toml or {env_var} "
                f"(在 config/campaign.toml 的 [platforms.{self.platform}] 中设置 signer，"
                f"或设置环境变量 {env_var})",
                platform=self.platform,
            )

        def attempt() -> Any:
            if self._limiter:
                self._limiter.acquire()
            return self._attempt(
                method, base, raw_query, decoded, headers, body, sign, check, want, where
            )

        return self._retrying(method, where, attempt)

    def _retrying(self, method: str, where: str, attempt: Callable[[], _T]) -> _T:
        while True:
            try:
                result = self._attempts(method, where, attempt)
            except Blocked as exc:
                if not self._pause_after_block(method, where, exc):
                    raise
                continue
            self._blocks_in_a_row = 0
            return result

    def _attempts(self, method: str, where: str, attempt: Callable[[], _T]) -> _T:
        """``attempt`` under the retry policy; a first attempt that succeeds skips tenacity.

        Nearly every request succeeds at once, and a tenacity ``Retrying`` costs more to build
        and drive than the client's own work on a request. A first attempt that fails is
        handed to it as its own first attempt, on a budget started before it was sent, so
        waits, the budget, the log lines and the attempt count are exactly tenacity's.
        """
        started = self._clock()
        try:
            return attempt()
        except Transient as exc:
            first = exc
        retrying = build_retrying(
            self.settings,
            sleep=self._sleep,
            clock=self._clock,
            before_sleep=lambda state: self._log_retry(method, where, state),
            started=started,
        )
        try:
            return retrying(_replaying(first, attempt))
        except Transient as exc:
            attempts = int(retrying.statistics.get("attempt_number", 1))
            raise self._give_up(exc, where, attempts) from None

    def _pause_after_block(self, method: str, where: str, exc: Blocked) -> bool:
        """Wait ``block_pause_s`` and say to send the request again, or False to give up.

        A block (captcha, risk control, an empty success) often clears after a pause, and a
        collection that stops at every one needs many runs under an unfriendly platform. One
        that persists does not clear, so blocks count in a row across requests: after
        ``block_retries`` pauses with no request succeeding in between, every further block
        fails at once, until a request gets through again.
        """
        in_a_row = self._blocks_in_a_row
        self._blocks_in_a_row += 1
        if not exc.pause_helps or in_a_row >= self.settings.block_retries:
            return False
        self.stats.retries += 1
        self.stats.block_pauses += 1
        self.stats.by_purpose["retry"] = self.stats.by_purpose.get("retry", 0) + 1
        log.warning(
            "%s: %s %s was blocked (%s); pausing %.0f s before trying again (%d/%d)",
            self.platform,
            method,
            where,
            exc,
            self.settings.block_pause_s,
            in_a_row + 1,
            self.settings.block_retries,
        )
        self._sleep(self.settings.block_pause_s)
        return True

    def _attempt(
        self,
        method: str,
        base: str,
        raw_query: str,
        decoded: dict[str, str],
        headers: Mapping[str, str] | None,
        body: str | None,
        sign: bool,
        check: Check | None,
        want: _Want,
        where: str,
    ) -> Any:
        host = (urlsplit(base).hostname or "").lower()
        cookies = self._cookies_for(host)
        send_headers = self._headers(headers, cookies, want, body is not None)
        query = raw_query
        if sign:
            assert self.signer is not None
            answer = self._sign(method, base, raw_query, decoded, body, cookies)
            query, _ = merge_query(raw_query, answer["params"])
            for name, value in answer["headers"].items():
                _set_header(send_headers, name, value)
        url = f"{base}?{query}" if query else base
        content = body.encode("utf-8") if body is not None else None

        if want == "text":
            response = self._follow(url, send_headers, where)
        else:
            response = self._send(method, url, send_headers, content, where)
        return self._interpret(response, want, check, where)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        where: str,
    ) -> httpx.Response:
        self.stats.count(self._purpose)
        try:
            response = self._client.request(
                method,
                _parsed_url(url),
                # httpx takes str and bytes values in one mapping; its annotation wants one kind.
                headers=_wire_headers(headers),  # type: ignore[arg-type]
                content=content,
            )
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            raise ConnectorError(
                f"{self.platform}: cannot request {where}: unsupported or invalid URL",
                platform=self.platform,
            ) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise Transient("unavailable", type(exc).__name__) from None
        finally:
            self._client.cookies.clear()  # one cookie store: ours (see _harvest_cookies)
        self.stats.bytes += len(response.content)
        self._harvest_cookies(response)
        return response

    def _follow(self, url: str, headers: dict[str, str], where: str) -> httpx.Response:
        """GET with redirects followed by hand, so the cookie goes only to the platform's hosts."""
        for _ in range(_MAX_HOPS):
            response = self._send("GET", url, headers, None, where)
            location = response.headers.get("location")
            if not (response.is_redirect and location):
                return response
            url = urljoin(str(response.url), location)
            host = (urlsplit(url).hostname or "").lower()
            headers = {k: v for k, v in headers.items() if k.lower() != "cookie"}
            cookie = self._cookie_header(self._cookies_for(host))
            if cookie:
                headers["Cookie"] = cookie
        raise ConnectorError(
            f"{self.platform}: too many redirects from {where}", platform=self.platform
        )

    def _sign(
        self,
        method: str,
        base: str,
        raw_query: str,
        decoded: dict[str, str],
        body: str | None,
        cookies: dict[str, str],
    ) -> dict[str, dict[str, str]]:
        assert self.signer is not None
        request = {
            "platform": self.platform,
            "method": method,
            "url": f"{base}?{raw_query}" if raw_query else base,
            "params": dict(decoded),
            "body": body,
            "cookies": dict(cookies),
        }
        try:
            answer = self.signer.sign(request)
        except TrackerError:
            raise
        except Exception as exc:  # a third-party signer object: report, never crash the run
            raise SignerError(
                f"{self.platform}: signer {type(self.signer).__name__} failed: "
                f"{type(exc).__name__}: {self.scrub(str(exc))}",
                platform=self.platform,
            ) from None
        return normalise_answer(answer, where="signer", platform=self.platform)

    # ------------------------------------------------------------------ meaning of a response

    def _raise_for_retryable(self, response: httpx.Response) -> None:
        status = response.status_code
        throttled = status == 429 or status in self.settings.throttle_statuses
        if throttled or status == 408 or status >= 500:
            retry_after = retry_after_seconds(
                response.headers.get("retry-after"), now=_response_date(response)
            )
            raise Transient(
                "throttled" if throttled else "unavailable", f"HTTP {status}", retry_after
            )

    def _interpret(
        self, response: httpx.Response, want: _Want, check: Check | None, where: str
    ) -> Any:
        self._raise_for_retryable(response)
        status = response.status_code
        decoded = False
        body: Any = None
        if want == "json":
            try:
                body = json.loads(response.content)
                decoded = True
            except (json.JSONDecodeError, UnicodeDecodeError):
                decoded = False
            if decoded and check is not None:
                try:
                    check(body, response)
                except RateLimited as exc:
                    reason = f"throttled: {self.scrub(str(exc))}"
                    raise Transient("throttled", reason, exc.retry_after) from None
                except ConnectorError as exc:
                    self._scrub_message(exc)
                    raise
        if 300 <= status < 400:
            raise self._redirect_error(response, where)
        if status >= 400:
            raise self._status_error(status, where)
        if want == "text":
            return response.text
        if not decoded:
            if self.settings.empty_body_blocked and not response.content.strip():
                raise Blocked(
                    f"{self.platform}: {where} answered HTTP {status} with an empty body "
                    "(the platform's silent block; 平台拦截了请求)",
                    platform=self.platform,
                )
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise Transient(
                "bad_body", f"body is not valid JSON ({len(response.content)} bytes, {kind})"
            )
        return body

    def _scrub_message(self, exc: ConnectorError) -> None:
        """Take this client's cookies out of a check's error text, in place: the message quotes
        the body, and the error's type and fields (``LoginRequired.variable``) must stay."""
        exc.args = tuple(self.scrub(a) if isinstance(a, str) else a for a in exc.args)

    def _login_or_blocked(self, what: str) -> ConnectorError:
        variable = self.settings.cookie_env
        if variable:
            return LoginRequired(
                f"{self.platform}: {what}: the cookie in {variable} is missing or has expired; "
                f"renew it (登录失效：请更新环境变量 {variable} 中的 Cookie)",
                platform=self.platform,
                variable=variable,
            )
        return Blocked(f"{self.platform}: {what} (平台拒绝了访问)", platform=self.platform)

    def _status_error(self, status: int, where: str) -> ConnectorError:
        if status in (401, 403):
            return self._login_or_blocked(f"HTTP {status} from {where}")
        if status == 404:
            return ConnectorError(
                f"{self.platform}: HTTP 404 from {where}: not found", platform=self.platform
            )
        return ConnectorError(
            f"{self.platform}: HTTP {status} from {where}", platform=self.platform
        )

    def _redirect_error(self, response: httpx.Response, where: str) -> ConnectorError:
        location = response.headers.get("location", "")
        target = self._where(urljoin(str(response.url), location)) if location else "nowhere"
        return self._login_or_blocked(
            f"{where} redirected (HTTP {response.status_code}) to {target}, "
            "a login or visitor check"
        )

    def _give_up(self, exc: Transient, where: str, attempts: int) -> ConnectorError:
        if attempts < self.settings.max_attempts:
            tail = (
                f"gave up after {attempts} attempt(s): the next wait would pass the retry "
                f"budget of {self.settings.max_wait_s:g} s"
            )
        else:
            tail = f"gave up after {attempts} attempts"
        message = f"{self.platform}: {where}: {exc.reason}; {tail}"
        if exc.kind == "throttled":
            return RateLimited(message, platform=self.platform, retry_after=exc.retry_after)
        if exc.kind == "bad_body":
            return ParseError(message, platform=self.platform)
        return ConnectorError(message, platform=self.platform)

    def _log_retry(self, method: str, where: str, state: RetryCallState) -> None:
        self.stats.retries += 1
        self.stats.by_purpose["retry"] = self.stats.by_purpose.get("retry", 0) + 1
        exc = state.outcome.exception() if state.outcome else None
        reason = exc.reason if isinstance(exc, Transient) else type(exc).__name__
        log.warning(
            "%s: %s %s failed (attempt %d/%d: %s); retrying in %.1f s",
            self.platform,
            method,
            where,
            state.attempt_number,
            self.settings.max_attempts,
            reason,
            state.upcoming_sleep,
        )

    # ------------------------------------------------------------------ headers and cookies

    def _join(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}" if path else self.base_url

    def _where(self, url: str) -> str:
        """Host and path only: what logs and errors may show of a URL."""
        parts = urlsplit(url)
        return f"{parts.netloc.rpartition('@')[2]}{parts.path or '/'}"

    def _headers(
        self,
        headers: Mapping[str, str] | None,
        cookies: dict[str, str],
        want: _Want,
        has_body: bool,
    ) -> dict[str, str]:
        out: dict[str, str] = {
            "User-Agent": self.settings.user_agent,
            "Accept": _JSON_ACCEPT if want == "json" else _HTML_ACCEPT,
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
        }
        if has_body:
            out["Content-Type"] = "application/json"

        for name, value in {**self.settings.extra_headers, **(headers or {})}.items():
            if name.lower() == "cookie":  # an explicit cookie joins the managed ones
                extra = parse_cookie_header(value)
                self._extra_secrets.update(extra.values())
                cookies.update(extra)
                continue
            _set_header(out, name, value)
        cookie = self._cookie_header(cookies)
        if cookie:
            _set_header(out, "Cookie", cookie)
        return out

    def _cookie_allowed(self, host: str) -> bool:
        if not host:
            return False
        if host == self._base_host:
            return True
        return any(host == d or host.endswith("." + d) for d in self._cookie_domains)

    def _cookies_for(self, host: str) -> dict[str, str]:
        if not self._cookie_allowed(host):
            return {}
        return {**self._env_cookies, **self._session_cookies}

    @staticmethod
    def _cookie_header(cookies: Mapping[str, str]) -> str:
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def _harvest_cookies(self, response: httpx.Response) -> None:
        """Keep cookies the platform sets (visitor tokens, ``buvid3``), as a browser would."""
        lines = response.headers.get_list("set-cookie")
        if not lines or not self._cookie_allowed((response.url.host or "").lower()):
            return
        now = _response_date(response) or datetime.now(UTC)
        for line in lines:
            first, *attributes = line.split(";")
            name, sep, value = first.partition("=")
            name, value = name.strip(), value.strip().strip('"')
            if not sep or not name:
                continue
            if value in ("", "deleted") or _expired(attributes, now):
                self._session_cookies.pop(name, None)
            else:
                self._session_cookies[name] = value

    def _secrets(self) -> list[str]:
        return [
            self._raw_cookie,
            *self._env_cookies.values(),
            *self._session_cookies.values(),
            *self._extra_secrets,
        ]


def _replaying(first: Transient, attempt: Callable[[], _T]) -> Callable[[], _T]:
    """``attempt``, whose first call fails with ``first`` (an attempt already sent)."""
    pending = [first]

    def replay() -> _T:
        if pending:
            raise pending.pop()
        return attempt()

    return replay


@lru_cache(maxsize=1024)
def _parsed_url(url: str) -> httpx.URL:
    """httpx's parse of ``url`` (immutable, so one serves every request for the same URL).

    httpx parses a string URL anew on every request, a tenth of what a request costs this side
    of the transport; runs that come back to the same listings and details (every scheduled
    collection, the refreshes) send the same URLs again. A URL httpx refuses raises here, inside
    the same ``try`` as the request, just as it would have inside httpx.
    """
    return httpx.URL(url)


def _wire_headers(headers: Mapping[str, str]) -> dict[str, str | bytes]:
    """Headers as sent: a value beyond ASCII (a cookie copied from a browser may hold CJK) goes
    out as UTF-8 bytes, as browsers send it, instead of failing the request in httpx."""
    return {k: v if v.isascii() else v.encode("utf-8") for k, v in headers.items()}


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    """Set a header, replacing any spelling of the same name (HTTP names are case-insensitive)."""
    for key in [k for k in headers if k.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


def _expired(attributes: list[str], now: datetime) -> bool:
    for attribute in attributes:
        key, _, value = attribute.strip().partition("=")
        key = key.strip().lower()
        if key == "max-age":
            try:
                return int(value.strip()) <= 0
            except ValueError:
                continue
        if key == "expires":
            try:
                when = parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                continue
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            if when <= now:
                return True
    return False
