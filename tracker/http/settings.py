"""Per-platform HTTP settings, validated once when the config is loaded.

They live in a pydantic model so a typo in ``config/campaign.toml`` (``[platforms.<p>.http]``)
fails at start-up with the field's name instead of silently falling back to a default in the
middle of an unattended run (``extra="forbid"``).

Secrets never live here: ``cookie_env`` is the *name* of an environment variable, so the model
can be printed, logged and stored without leaking anything.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tracker.signing.spec import parse_signer_spec, signer_env_var

__all__ = ["DEFAULT_USER_AGENT", "HttpSettings", "signer_env_var"]

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
"""A current desktop Chrome: several platforms refuse or degrade answers to library-looking UAs."""


class HttpSettings(BaseModel):
    """How one platform is talked to: timeouts, retry budget, rate limit, cookie and signer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(10.0, gt=0, description="read/write/pool timeout per request")
    connect_timeout_s: float = Field(5.0, gt=0)
    max_attempts: int = Field(5, ge=1, description="attempts per request, the first included")
    max_wait_s: float = Field(
        300.0, ge=0, description="total time one request may spend waiting between attempts"
    )
    backoff_initial_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)
    rate_per_s: float | None = Field(None, gt=0, description="None: no client-side rate limit")
    burst: int = Field(1, ge=1, description="requests that may go out back to back")
    cookie_env: str | None = Field(
        None, description="name of the environment variable holding the Cookie header value"
    )
    cookie_domains: tuple[str, ...] = Field(
        (),
        description=(
            "extra domains the cookie may be sent to, besides the base URL's own domain "
            "(the cookie never goes to unrelated hosts, e.g. a short link's host)"
        ),
    )
    user_agent: str = DEFAULT_USER_AGENT
    extra_headers: dict[str, str] = Field(default_factory=dict)
    throttle_statuses: frozenset[int] = Field(
        frozenset(),
        description="the platform's own throttle HTTP codes, retried like 429 (Weibo: 418, 432)",
    )
    empty_body_blocked: bool = Field(
        False,
        description=(
            "a 2xx with an empty body is the platform's silent block (Douyin), raised as Blocked "
            "at once instead of being retried as a truncated body"
        ),
    )
    block_pause_s: float = Field(
        120.0,
        ge=0,
        description="wait after a block (captcha, risk control) before sending the request again",
    )
    block_retries: int = Field(
        2,
        ge=0,
        description=(
            "pauses after blocks in a row (across requests) before a block stops the platform; "
            "0: every block stops it at once"
        ),
    )
    signer: str | None = Field(
        None, description='None, "dev", "cmd:<command line>" or "http://127.0.0.1:PORT/sign"'
    )

    @field_validator("signer")
    @classmethod
    def _known_signer_spec(cls, value: str | None) -> str | None:
        """Parsed by the one spec check every reader uses, so what passes here also runs."""
        if value is None or parse_signer_spec(value) is None:
            return None
        return value.strip()

    @field_validator("cookie_domains")
    @classmethod
    def _bare_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.strip().lstrip(".").lower() for d in value if d.strip())
