"""The typed error tree of kepu-tracker.

Every failure a user can meet is one of these, so the CLI can print one clear line and the
scheduler can decide whether to retry, stop a platform, or alert::

    TrackerError
     ├── ConfigError            a config file or setting is invalid (names file, line, field)
     ├── StoreError             the database cannot be opened or written
     ├── ImportFormatError      an import file cannot be read at all (names file, line, column)
     ├── OutputError            an output file cannot or must not be written (names the file)
     └── ConnectorError         a platform connector failed
          ├── RateLimited       the platform throttles us (429 or its own code); retried with backoff
          ├── LoginRequired     the cookie is missing or dead; names the variable to renew; never retried
          ├── Blocked           captcha / risk control / empty-success block; sent again only
          │    │                after a long pause, at most ``block_retries`` times in a row
          │    └── SignatureRejected  the signer's signature was refused; never retried
          ├── SignerMissing     the platform needs a signer plug-in and none is configured
          └── ParseError        a response is not the shape the parser knows

Messages never contain cookie or token values: connectors pass only variable *names*, and a
``ConnectorError`` message (often quoting a platform's error body, which may echo the request)
is scrubbed of every configured secret when the error is made (``tracker.redaction``).
"""

from __future__ import annotations

from tracker.redaction import scrub


class TrackerError(Exception):
    """Base of every error kepu-tracker raises on purpose."""


class ConfigError(TrackerError):
    """A configuration file or setting is invalid."""


class StoreError(TrackerError):
    """The database could not be opened, migrated or written."""


class ImportFormatError(TrackerError):
    """An import file cannot be read at all."""


class OutputError(TrackerError):
    """An output file cannot be written (no permission, disk full, a folder in the way), or must
    not be: it is the open database, the config or the units registry."""


class ConnectorError(TrackerError):
    """A platform connector failed; ``platform`` says which.

    The message is scrubbed here, once, because connectors build it from body fields
    (``{body.get('message')!r}``) in many places and a platform may echo our cookie there.
    """

    def __init__(self, message: str, *, platform: str | None = None) -> None:
        super().__init__(scrub(str(message)))
        self.platform = platform


class RateLimited(ConnectorError):
    """The platform throttles us; ``retry_after`` is seconds when the platform said so."""

    def __init__(
        self, message: str, *, platform: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, platform=platform)
        self.retry_after = retry_after


class LoginRequired(ConnectorError):
    """The cookie or token is missing or expired; ``variable`` names the env var to renew."""

    def __init__(
        self, message: str, *, platform: str | None = None, variable: str | None = None
    ) -> None:
        super().__init__(message, platform=platform)
        self.variable = variable


class Blocked(ConnectorError):
    """The platform answered with a block (captcha, risk control, an empty success)."""

    pause_helps: bool = True
    """Whether waiting may lift it: captchas and risk-control walls often clear after a pause,
    so the HTTP layer sends the request again after ``block_pause_s``."""


class SignatureRejected(Blocked):
    """The request's signature or signed headers were refused: an outdated or broken signer
    plug-in, which no pause mends, so it stops the platform at once."""

    pause_helps = False


class SignerMissing(ConnectorError):
    """The platform needs a signer plug-in and none is configured."""


class ParseError(ConnectorError):
    """A response body does not have the shape the parser knows."""
