"""What a signer spec may say, decided in one place for every way one is given.

A spec comes from ``[platforms.<p>] signer`` in campaign.toml, from ``TRACKER_<P>_SIGNER`` (or
the variable ``signer_env`` names), or from ``--signer``. Each of those once had its own check,
so a spec one of them let through (``TRACKER_ZHIHU_SIGNER=ftp://y`` passed ``config check``)
failed later, in the middle of a collection. Now the config model, the HTTP settings,
``make_signer``, ``config check``, ``collect`` and the ``--signer`` option all parse with
:func:`parse_signer_spec`.

A spec may carry a token (``https://signer.example/sign?key=...``, ``cmd:sign --token ...``),
so messages never quote it: they say which form was expected and what is wrong with it.
This module imports nothing heavy, so the config loader can use it without pulling in httpx.
"""

from __future__ import annotations

import re
import shlex
import urllib.parse
from dataclasses import dataclass
from typing import Literal

from tracker.errors import ConfigError

SIGNER_FORMS = (
    '"dev"、"cmd:<命令行>" 或 "http(s)://主机:端口/路径" '
    '("dev", "cmd:<command line>" or an http(s) URL)'
)
"""The allowed forms, as every message lists them."""

_URL_SCHEMES = ("http", "https")


def signer_env_var(platform: str) -> str:
    """The environment variable that overrides a platform's signer spec (``TRACKER_<P>_SIGNER``)."""
    return f"TRACKER_{platform.upper()}_SIGNER"


@dataclass(frozen=True, slots=True)
class SignerSpec:
    """A parsed spec: the in-process dev signer, a command to run, or a URL to POST to."""

    kind: Literal["dev", "cmd", "http"]
    argv: tuple[str, ...] = ()
    url: str = ""


def parse_signer_spec(spec: str | None) -> SignerSpec | None:
    """``None`` for no signer (absent or blank), else the parsed spec.

    Raises ``ValueError``: one line, what is wrong and the allowed forms, never the spec itself.
    """
    try:
        return _parse(spec)
    except ValueError as exc:
        raise ValueError(f"{exc}；可用写法 (allowed): {SIGNER_FORMS}") from None


def _parse(spec: str | None) -> SignerSpec | None:
    if spec is None or not spec.strip():
        return None
    text = spec.strip()
    if text == "dev":
        return SignerSpec("dev")
    if text.startswith("cmd:"):
        return SignerSpec("cmd", argv=_command_line(text[4:]))
    scheme, sep, _ = text.partition("://")
    if sep and scheme.lower() in _URL_SCHEMES:
        return SignerSpec("http", url=_signer_url(text))
    if sep:
        shown = f" {scheme}://" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,9}", scheme) else ""
        raise ValueError(f"不支持的协议{shown} (unsupported scheme)")
    raise ValueError("不是任何一种可用写法 (not one of the allowed forms)")


def _command_line(line: str) -> tuple[str, ...]:
    """The argv of a ``cmd:`` spec, split like a POSIX shell would (never run through one)."""
    try:
        argv = tuple(shlex.split(line))
    except ValueError:
        raise ValueError(
            '"cmd:" 后的命令行引号不配对 (unbalanced quotes in the command line)'
        ) from None
    if not argv:
        raise ValueError('"cmd:" 后需要命令行 ("cmd:" needs a command line after it)')
    return argv


def _signer_url(url: str) -> str:
    """The URL, if ``urllib`` can POST to it: a host, a valid port, no spaces or control codes."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("URL 中有空格或控制字符 (space or control character in the URL)")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket: "http://[::1"
        raise ValueError("URL 无法解析 (unparsable URL)") from None
    if not parts.hostname:
        raise ValueError("URL 缺少主机名 (no host in the URL)")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise ValueError("URL 的端口无效 (bad port in the URL)") from None
    return url


def signer_spec_message(where: str, reason: str) -> str:
    """The one line a bad spec is reported with: where it was set, then the parser's reason."""
    return f"{where}: 签名插件设置无效 (invalid signer): {reason}"


def check_signer_spec(spec: str | None, *, where: str) -> SignerSpec | None:
    """:func:`parse_signer_spec`, with a bad spec as a ``ConfigError`` naming ``where``.

    ``where`` is what staff would edit: ``TRACKER_ZHIHU_SIGNER``, ``platforms.zhihu.signer``
    or ``--signer``.
    """
    try:
        return parse_signer_spec(spec)
    except ValueError as exc:
        raise ConfigError(signer_spec_message(where, str(exc))) from None
