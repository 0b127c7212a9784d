"""The development signing scheme: what the simulator checks and the development signer makes.

Real platforms sign requests with obfuscated browser code (Zhihu ``x-zse-96``, Douyin
``a_bogus``, Kuaishou ``__NS_hxfalcon``, Xiaohongshu ``X-S``) that changes every few months, so
the project never ships those algorithms. It ships this stand-in instead: an HMAC over the
request's query parameters and body, keyed per platform. The simulator rejects a request whose
signature is missing or wrong with that platform's real block signal, so the whole signer
plug-in path (connector -> plug-in -> signed request -> platform check) runs in tests and the demo.

The canonical string is ``platform``, then the query parameters sorted by name (signature
parameters themselves left out) as ``k=v`` joined by ``&``, then the request body, joined by
newlines.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

SIGNATURE_PARAMS: dict[str, str] = {"douyin": "a_bogus", "kuaishou": "__NS_hxfalcon"}
"""Platforms whose signature travels as a query parameter, and its name."""

SIGNATURE_HEADERS: dict[str, str] = {"zhihu": "x-zse-96", "xiaohongshu": "x-s"}
"""Platforms whose signature travels as a header, and its name (lower case)."""

SIGNED_PLATFORMS: frozenset[str] = frozenset(SIGNATURE_PARAMS) | frozenset(SIGNATURE_HEADERS)

_PREFIX = {"zhihu": "2.0_", "xiaohongshu": "XYW_", "douyin": "", "kuaishou": ""}


def canonical_string(platform: str, params: Mapping[str, Any], body: str | bytes | None) -> str:
    skip = SIGNATURE_PARAMS.get(platform)
    items = sorted((str(k), str(v)) for k, v in params.items() if k != skip)
    query = "&".join(f"{k}={v}" for k, v in items)
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return f"{platform}\n{query}\n{body or ''}"


def dev_signature(platform: str, params: Mapping[str, Any], body: str | bytes | None) -> str:
    """The signature value (with the platform's visible prefix) for a request."""
    key = f"kepu-dev-signer:{platform}".encode()
    digest = hmac.new(key, canonical_string(platform, params, body).encode(), hashlib.sha256)
    return _PREFIX.get(platform, "") + digest.hexdigest()[:32]


def dev_sign(
    platform: str, params: Mapping[str, Any], body: str | bytes | None = None
) -> dict[str, dict[str, str]]:
    """Answer a signer request: the parameters and headers to add, in the plug-in's JSON shape."""
    signature = dev_signature(platform, params, body)
    if platform in SIGNATURE_PARAMS:
        return {"params": {SIGNATURE_PARAMS[platform]: signature}, "headers": {}}
    if platform in SIGNATURE_HEADERS:
        headers = {SIGNATURE_HEADERS[platform]: signature}
        if platform == "zhihu":
            headers["x-zse-93"] = "101_3_3.0"
        return {"params": {}, "headers": headers}
    return {"params": {}, "headers": {}}


def verify(
    platform: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str],
    body: str | bytes | None,
) -> bool:
    """True when the request carries the right development signature for ``platform``."""
    expected = dev_signature(platform, params, body)
    if platform in SIGNATURE_PARAMS:
        got = params.get(SIGNATURE_PARAMS[platform])
    elif platform in SIGNATURE_HEADERS:
        lowered = {k.lower(): v for k, v in headers.items()}
        got = lowered.get(SIGNATURE_HEADERS[platform])
    else:
        return True
    return isinstance(got, str) and hmac.compare_digest(got, expected)


class DevSigner:
    """In-process development signer: the scheme the simulator verifies.

    It satisfies ``tracker.http.signer.Signer`` by shape; the collect service chooses it for a
    ``dev`` spec and passes it to the HTTP client, which never creates it itself.
    """

    def sign(self, request: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        return dev_sign(request["platform"], request.get("params") or {}, request.get("body"))

    def __repr__(self) -> str:
        return "DevSigner()"
