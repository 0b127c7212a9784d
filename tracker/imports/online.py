"""The network an import may use when the person asks for it (``tracker import --fetch``).

Following a short link and reading an article page are the only requests a submission import
makes, and only through the shared HTTP layer (``tracker.http``): timeouts, retries, rate limit,
typed errors, and no cookie ever sent to a link from a spreadsheet. ``base_urls`` lets tests and
the demo point the article sites at the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from connectors import catalogue
from connectors.workref import WorkRef
from tracker.http import HttpClient, HttpSettings

__all__ = ["HttpArticleFetcher", "LinkClients", "article_base_urls"]

_SHORT_LINK_BASE = "https://example.invalid"


def article_base_urls() -> dict[str, str]:
    """Article platform id -> its real site (the catalogue's ``base_url``)."""
    out: dict[str, str] = {}
    for platform in catalogue.platforms_of_kind("article"):
        base = catalogue.spec(platform).base_url
        if base:
            out[platform] = base
    return out


class _Clients:
    """HTTP clients created on first use, closed together."""

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings(rate_per_s=1.0, timeout_s=10.0)
        self._clients: dict[str, HttpClient] = {}

    def get(self, name: str, base_url: str) -> HttpClient:
        client = self._clients.get(name)
        if client is None:
            client = self._clients[name] = HttpClient(name, base_url, settings=self.settings)
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


class LinkClients(_Clients):
    """``client_for(platform)`` for :class:`connectors.links.UrlResolver`."""

    def __call__(self, platform: str | None) -> HttpClient:
        return self.get(platform or "links", _SHORT_LINK_BASE)


class HttpArticleFetcher(_Clients):
    """Reads article pages of 科普中国 / 腾讯新闻 / 学习强国 (``base_urls`` may point elsewhere)."""

    def __init__(
        self, base_urls: Mapping[str, str] | None = None, settings: HttpSettings | None = None
    ) -> None:
        super().__init__(settings)
        self.base_urls = {**article_base_urls(), **(base_urls or {})}

    def fetch(self, ref: WorkRef) -> str:
        parts = urlsplit(ref.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        client = self.get(ref.platform, self.base_urls[ref.platform])
        return client.get_text(path)
