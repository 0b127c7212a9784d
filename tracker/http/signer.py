"""The signer plug-in: where request signatures the project cannot compute come from.

Zhihu ``x-zse-96``, Douyin ``a_bogus``, Kuaishou ``__NS_hxfalcon`` and Xiaohongshu ``X-S`` are
made by obfuscated browser code that changes every few months, so the project does not ship
them. A user plugs in a signer instead, and the HTTP layer asks it for every signed request.

The JSON contract (one request in, one answer out)::

    request  {"platform": "zhihu", "method": "GET",
              "url": "https://www.zhihu.com/api/v4/search_v3?t=general&q=...",  # exact, pre-signature
              "params": {"t": "general", "q": "..."},    # the decoded query, exactly what is sent
              "body": null,                              # POST: the exact body string sent
              "cookies": {"d_c0": "...", "z_c0": "..."}} # parsed from the Cookie header sent
    answer   {"params": {...}, "headers": {...}}         # what to add; either may be empty

Three ways to plug one in (``HttpSettings.signer`` / ``TRACKER_<P>_SIGNER``):
``cmd:<command line>`` runs a program per request (request on stdin, answer on stdout);
``http://127.0.0.1:PORT/sign`` POSTs the request to a local service; ``dev`` signs in process
with the development scheme the simulator checks (``tracker.signing.dev.DevSigner``). This
production layer never builds the development signer itself: the layer that builds clients
(``tracker.services.signers``) chooses it and hands it to ``HttpClient``, so no real
collection can fall back on a stand-in signature by accident.

The request carries cookies (some signatures need ``d_c0`` or ``a1``) and query tokens, so no
error raised here echoes them: a signer's stderr or error text is shown only with cookie and
query values blanked.
This module does not import httpx (the project keeps that to ``tracker.http.client``); the
local HTTP signer is reached with the standard library, proxies disabled (it is loopback).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol, runtime_checkable

from tracker.errors import ConfigError, ConnectorError
from tracker.redaction import scrub
from tracker.signing.spec import SIGNER_FORMS, check_signer_spec, signer_spec_message

SignRequest = dict[str, Any]
SignAnswer = dict[str, dict[str, str]]

_TAIL = 300
"""How much of a signer's stderr / error body an exception shows."""


class SignerError(ConnectorError):
    """The configured signer failed: not found, timed out, exited non-zero, or answered garbage."""


@runtime_checkable
class Signer(Protocol):
    """Anything that turns a signer request into the params/headers to add."""

    def sign(self, request: SignRequest) -> SignAnswer: ...


def parse_cookie_header(raw: str | None) -> dict[str, str]:
    """``"a=1; b=2"`` -> ``{"a": "1", "b": "2"}``; tolerant of the messy strings browsers export.

    ``SimpleCookie`` rejects a whole header over one odd name, so pairs are split by hand and
    quoted values are unquoted the way ``SimpleCookie`` would.
    """
    cookies: dict[str, str] = {}
    if not raw:
        return cookies
    for part in raw.split(";"):
        name, sep, value = part.strip().partition("=")
        name = name.strip()
        if not sep or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            try:
                jar: SimpleCookie = SimpleCookie()
                jar.load(f"x={value}")
                value = jar["x"].value
            except (CookieError, KeyError):
                value = value[1:-1]
        cookies[name] = value
    return cookies


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret of 4+ characters replaced by ``***``, raw or encoded
    (percent, JSON, ``repr``: a signer may print the request it got in any of them), and every
    configured secret of the process too (``tracker.redaction``)."""
    return scrub(text, secrets, min_chars=4)


def _secrets_of(request: Mapping[str, Any]) -> list[str]:
    """Cookie values, plus query values (tokens such as ``xsec_token`` travel there)."""
    secrets: list[str] = []
    for key in ("cookies", "params"):
        values = request.get(key) or {}
        if isinstance(values, Mapping):
            secrets.extend(str(v) for v in values.values())
    url = request.get("url")
    if isinstance(url, str) and "?" in url:
        secrets.append(url.split("?", 1)[1])
    return secrets


def normalise_answer(answer: Any, *, where: str, platform: str | None) -> SignAnswer:
    """Check a signer's answer has the contract's shape; values become strings."""
    if not isinstance(answer, Mapping):
        raise SignerError(
            f"{where} answered {type(answer).__name__}, expected a JSON object "
            '{"params": {...}, "headers": {...}}',
            platform=platform,
        )
    out: SignAnswer = {}
    for key in ("params", "headers"):
        part = answer.get(key)
        if part is None:
            part = {}
        if not isinstance(part, Mapping):
            raise SignerError(
                f'{where} answered "{key}" as {type(part).__name__}, expected an object',
                platform=platform,
            )
        out[key] = {str(k): _scalar(v) for k, v in part.items()}
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CommandSigner:
    """Runs a command per request: request JSON on stdin, answer JSON on stdout.

    The command line is split like a POSIX shell would (``shlex``) but not run through one, so
    a config value cannot smuggle in pipes or substitutions; wrap it in a script if you need them.
    """

    def __init__(self, cmd: str | Sequence[str], *, timeout_s: float = 10.0) -> None:
        self.argv: list[str] = shlex.split(cmd) if isinstance(cmd, str) else list(cmd)
        if not self.argv:
            raise ConfigError("signer command is empty")
        self.timeout_s = timeout_s

    def sign(self, request: SignRequest) -> SignAnswer:
        platform = request.get("platform")
        where = f"signer command {self.argv[0]!r}"
        secrets = _secrets_of(request)
        payload = json.dumps(request, ensure_ascii=False).encode("utf-8")
        try:
            done = subprocess.run(
                self.argv,
                input=payload,
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except FileNotFoundError:
            raise SignerError(f"{where} not found", platform=platform) from None
        except PermissionError:
            raise SignerError(f"{where} is not executable", platform=platform) from None
        except subprocess.TimeoutExpired:
            raise SignerError(
                f"{where} did not answer within {self.timeout_s:g} s", platform=platform
            ) from None
        if done.returncode != 0:
            tail = redact(done.stderr.decode("utf-8", "replace"), secrets).strip()[-_TAIL:]
            raise SignerError(
                f"{where} exited with code {done.returncode}" + (f": {tail}" if tail else ""),
                platform=platform,
            )
        try:
            answer = json.loads(done.stdout)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            pos = (
                f" at line {exc.lineno} column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            raise SignerError(
                f"{where} did not print a JSON answer on stdout ({len(done.stdout)} bytes, "
                f"invalid{pos})",
                platform=platform,
            ) from None
        return normalise_answer(answer, where=where, platform=platform)

    def __repr__(self) -> str:
        return f"CommandSigner({self.argv[0]!r}, ...)"


def shown_url(url: str) -> str:
    """A signer URL fit for messages: no user:password, no query (a signer may take a token)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    shown = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return shown + "?…" if parts.query else shown


class HttpSigner:
    """POSTs the request JSON to a local signer service and reads its JSON answer."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        parsed = check_signer_spec(url, where="signer URL")
        if parsed is None or parsed.kind != "http":
            reason = f"不是 http(s) URL (not a URL)；可用写法 (allowed): {SIGNER_FORMS}"
            raise ConfigError(signer_spec_message("signer URL", reason))
        self.url = url
        self.timeout_s = timeout_s
        # Loopback service: never route it through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def sign(self, request: SignRequest) -> SignAnswer:
        platform = request.get("platform")
        where = f"signer at {shown_url(self.url)}"
        secrets = _secrets_of(request)
        payload = json.dumps(request, ensure_ascii=False).encode("utf-8")
        http_request = urllib.request.Request(
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with self._opener.open(http_request, timeout=self.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = redact(exc.read().decode("utf-8", "replace"), secrets).strip()[-_TAIL:]
            exc.close()
            raise SignerError(
                f"{where} answered HTTP {exc.code}" + (f": {detail}" if detail else ""),
                platform=platform,
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SignerError(
                f"{where} is unreachable ({redact(str(reason), secrets)})", platform=platform
            ) from None
        try:
            answer = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SignerError(
                f"{where} did not answer JSON ({len(raw)} bytes)", platform=platform
            ) from None
        return normalise_answer(answer, where=where, platform=platform)

    def __repr__(self) -> str:
        return f"HttpSigner({shown_url(self.url)!r})"


def make_signer(
    spec: str | None, *, timeout_s: float = 10.0, where: str = "signer"
) -> Signer | None:
    """The external signer a spec names: None/"" -> None, "cmd:<line>", or an http(s) URL.

    The spec is parsed by ``tracker.signing.spec`` (the one check config loading, ``config
    check`` and ``--signer`` use too); a bad one is a ``ConfigError`` naming ``where``. "dev"
    is no external signer: the caller passes ``tracker.signing.dev.DevSigner`` to the client
    (``tracker.services.signers.choose_signer``), else this is a ``ConfigError``.
    """
    parsed = check_signer_spec(spec, where=where)
    if parsed is None:
        return None
    if parsed.kind == "dev":
        raise ConfigError(
            f"{where}: 开发签名 dev 须由采集服务选用并传入，HTTP 层不自行创建 "
            "(the dev signer is passed in by the collect service)"
        )
    if parsed.kind == "cmd":
        return CommandSigner(list(parsed.argv), timeout_s=timeout_s)
    return HttpSigner(parsed.url, timeout_s=timeout_s)
