"""The shared HTTP layer every live connector stands on.

``HttpClient`` (the only code that imports httpx) gives a connector timeouts, Retry-After-aware
retries, a per-platform rate limit, the platform's cookie, the signer plug-in and the typed
error tree of ``tracker.errors``; ``HttpSettings`` is its per-platform configuration; the
signer classes implement the plug-in contract described in ``tracker.http.signer``.
"""

from tracker.http.client import Check, HttpClient, HttpStats
from tracker.http.ratelimit import RateLimiter
from tracker.http.retry import retry_after_seconds
from tracker.http.settings import DEFAULT_USER_AGENT, HttpSettings, signer_env_var
from tracker.http.signer import (
    CommandSigner,
    HttpSigner,
    Signer,
    SignerError,
    make_signer,
    parse_cookie_header,
)

__all__ = [
    "DEFAULT_USER_AGENT",
    "Check",
    "CommandSigner",
    "HttpClient",
    "HttpSettings",
    "HttpSigner",
    "HttpStats",
    "RateLimiter",
    "Signer",
    "SignerError",
    "make_signer",
    "parse_cookie_header",
    "retry_after_seconds",
    "signer_env_var",
]
