"""What a work's URL names, shared by every platform's URL resolver (``connectors.<id>.urls``).

Each platform package reads its own URL shapes (``work_ref(url) -> WorkRef``); the importer only
dispatches by host. The types live here, below both, so a resolver never imports the importer
and the importer never learns a platform's URL shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

__all__ = ["ShortLinkError", "WorkRef", "WorkUrlError", "host_of", "path_segments", "query_params"]


class WorkUrlError(ValueError):
    """The text is not a link to a single work of a known platform; the message says why."""


class ShortLinkError(WorkUrlError):
    """A short link: it names no work until it is followed (needs network access)."""

    def __init__(self, message: str, *, platform: str | None, url: str) -> None:
        super().__init__(message)
        self.platform = platform
        self.url = url


@dataclass(frozen=True, slots=True)
class WorkRef:
    """A work named by a URL: the key the store uses plus what the URL itself tells."""

    platform: str
    post_id: str
    url: str
    account_uid: str | None = None
    content_type: str | None = None
    context: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.post_id)


def host_of(url: str) -> str:
    """The URL's host, lower-case, without port (``""`` when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def query_params(url: str) -> dict[str, str]:
    """The first non-empty value of each query parameter."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if v and v[0]}


def path_segments(url: str) -> list[str]:
    """The URL path's non-empty segments."""
    return [s for s in urlsplit(url).path.split("/") if s]
