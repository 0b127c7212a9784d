"""Scrubbing configured secrets out of text that staff will see or that will be stored.

Platforms sometimes echo the request back in an error body (``{"code": -400, "message": "...
<the Cookie header>..."}``), and that message is what an error, a run row, ``tracker status``,
report.html and a group-chat alert show. So every error text is scrubbed of every secret the
process was configured with, in every form a platform may echo it in: raw, percent-encoded
(``quote``/``quote_plus``, either hex case), JSON-escaped (``\\uXXXX``, ``\\/``) and as a Python
``repr`` (connectors quote body fields with ``!r``).

Secrets are learnt from the environment the process is configured through: the HTTP client
registers its platform's cookie variable and every ``*_COOKIE``/``*_TOKEN``/``*_SECRET``/
``*_SIGNER``/``*_WEBHOOK`` variable of its environment (:func:`register_env`). The registry
only grows with configuration (never with what a platform sends), so it stays small in an
endless scheduler. This module imports nothing from the project: ``tracker.errors`` uses it.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shlex
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

__all__ = [
    "MIN_SECRET_CHARS",
    "MASK",
    "known_secrets",
    "register",
    "register_env",
    "scrub",
    "secret_env_names",
    "secret_pieces",
    "secrets_in_env",
    "variants",
]

MASK = "***"
MIN_SECRET_CHARS = 6
"""Shorter cookie values (``lang=zh``, ``isLogin=1``) are not secrets, and blanking them would
mangle ordinary words in messages."""

MIN_PATH_SECRET_CHARS = 16
"""A webhook path segment this long is taken for a key (generic webhooks carry it there)."""

_SECRET_NAME = re.compile(r"(?:^|_)(?:COOKIES?|TOKEN|SECRET|SIGNER|WEBHOOK|PASSWORD)$")
_PERCENT = re.compile(r"(%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4})")
_MAX_REGISTERED = 10_000

_lock = threading.Lock()
_registered: frozenset[str] = frozenset()


def secret_env_names(env: Mapping[str, str], names: Iterable[str | None] = ()) -> list[str]:
    """Variables of ``env`` that hold secrets: the ``names`` given (a platform's configured cookie
    variable may be called anything) and every name ending in ``_COOKIE``, ``_TOKEN``,
    ``_SECRET``, ``_SIGNER``, ``_WEBHOOK`` or ``_PASSWORD``, as the tracker's own are."""
    wanted = {n for n in names if n}
    return sorted(n for n in env if n in wanted or _SECRET_NAME.search(n.upper()))


def secret_pieces(name: str, value: str) -> set[str]:
    """The parts of one secret variable's value that must never be shown.

    A URL (webhook, signer service) is secret in its query, user info and long path segments,
    not in its host; a signer ``cmd:`` line in its ``--opt=value`` arguments; a Cookie header in
    each value as well as the whole. Anything else (a token) is secret as a whole.
    """
    value = value.strip()
    if not value:
        return set()
    if value.startswith(("http://", "https://")):
        return _url_pieces(value)
    if name.upper().endswith("SIGNER"):
        return _command_pieces(value[4:]) if value.startswith("cmd:") else set()
    pieces = {value}
    if "=" in value:
        pieces |= _cookie_values(value)
    return {p for p in pieces if len(p) >= MIN_SECRET_CHARS}


def _url_pieces(url: str) -> set[str]:
    parts = urlsplit(url)
    pieces = {parts.query, parts.password or "", parts.fragment}
    pieces |= {v for _, v in parse_qsl(parts.query, keep_blank_values=True)}
    pieces |= {s for s in parts.path.split("/") if len(s) >= MIN_PATH_SECRET_CHARS}
    return {p for p in pieces if len(p) >= MIN_SECRET_CHARS}


def _command_pieces(command: str) -> set[str]:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return {w.partition("=")[2] for w in words if len(w.partition("=")[2]) >= MIN_SECRET_CHARS}


def _cookie_values(header: str) -> set[str]:
    """``a=1; b=2`` -> its values (the parse is as tolerant as the HTTP layer's own)."""
    values = set()
    for part in header.split(";"):
        _, sep, value = part.strip().partition("=")
        value = value.strip()
        if sep and value:
            values.add(value)
            if len(value) >= 2 and value[0] == value[-1] == '"':
                values.add(value[1:-1])
    return values


def secrets_in_env(env: Mapping[str, str], names: Iterable[str | None] = ()) -> set[str]:
    """Every secret piece of the secret variables of ``env`` (see :func:`secret_env_names`)."""
    found: set[str] = set()
    for name in secret_env_names(env, names):
        found |= secret_pieces(name, env.get(name) or "")
    return found


def register(secrets: Iterable[str]) -> None:
    """Add secrets to the process-wide set every error text is scrubbed of."""
    global _registered
    new = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS} - _registered
    if not new:
        return
    with _lock:
        if len(_registered) + len(new) > _MAX_REGISTERED:  # a runaway caller; keep the newest
            _registered = frozenset()
        _registered = _registered | new


def register_env(env: Mapping[str, str], names: Iterable[str | None] = ()) -> None:
    """Register the secrets of ``env`` (the HTTP client calls this with its environment)."""
    register(secrets_in_env(env, names))


def known_secrets() -> frozenset[str]:
    """The process-wide secrets registered so far."""
    return _registered


def variants(secret: str) -> set[str]:
    """``secret`` in every form a platform or our own messages may echo it in."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        quote_plus(secret, safe="/"),
        html.escape(secret),
        repr(secret)[1:-1],
    }
    for ascii_only in (True, False):
        escaped = json.dumps(secret, ensure_ascii=ascii_only)[1:-1]
        forms |= {escaped, escaped.replace("/", "\\/")}
    return {f for f in forms if f}


def _form_pattern(form: str) -> str:
    """A regex for one form; ``%2f``/``%2F`` and ``\\u4e2d``/``\\u4E2D`` both match."""
    out = []
    for i, part in enumerate(_PERCENT.split(form)):
        out.append(f"(?i:{re.escape(part)})" if i % 2 else re.escape(part))
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    forms: set[str] = set()
    for secret in secrets:
        forms |= variants(secret)
    if not forms:
        return None
    ordered = sorted(forms, key=lambda f: (-len(f), f))  # the longest form wins at a position
    return re.compile("|".join(_form_pattern(f) for f in ordered))


def scrub(text: str, secrets: Iterable[str] = (), *, min_chars: int = MIN_SECRET_CHARS) -> str:
    """``text`` without any registered secret or any of ``secrets`` (of ``min_chars`` or more),
    in any of their :func:`variants`; each occurrence becomes ``***``."""
    if not text:
        return text
    extra = {s for s in secrets if s and len(s) >= min_chars}
    pattern = _pattern(_registered | frozenset(extra))
    if pattern is None:
        return text
    for _ in range(3):  # a mask next to a remainder could, in theory, spell a secret again
        text, replaced = pattern.subn(MASK, text)
        if not replaced:
            break
    return text
