"""One description per platform: everything the rest of the tool needs to know about it.

Each platform package (``connectors/<id>/__init__.py``) exports ``SPEC``, and the catalogue
(:mod:`connectors.catalogue`) lists the packages. Every platform list, name table, URL resolver,
import route, config default and simulator mount is derived from these specs, so adding a
platform is one folder and one catalogue line, not edits across the code base.

The spec is plain data that imports nothing heavy: parsers, clients, URL resolvers and the
simulator module are named by dotted path (``"connectors.weibo.parse"``,
``"connectors.weibo.client:WeiboConnector"``) and imported only when used, so reading a
platform's Chinese name never imports httpx or a parser, and one platform's broken module costs
that platform alone.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

Kind = Literal["social", "article", "capture"]
"""``social``: feeds with tag listings; ``article``: HTML article sites read page by page;
``capture``: import-only platforms reached through staff's own captures."""

_ID = re.compile(r"[a-z][a-z0-9_]{1,31}")


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform's responses and access rules allow, as the fixtures show them."""

    listing_metrics: frozenset[str] = frozenset()
    """Metrics a tag/topic listing item carries (refresh can re-read listings for these)."""
    listing_followers: bool = True
    """Listing items carry the author's follower count (else a profile read must give it)."""
    listing_time: bool = True
    """Listing items carry the publish time."""
    needs_signer: bool = False
    """Live requests need a request signature (an external signer, or the development one)."""
    needs_cookie: bool = False
    """Live requests need a logged-in cookie from an environment variable."""
    id_encodes_time: bool = False
    """The post id encodes its creation second (a derived publish time when none is given)."""
    page_size: int = 20
    """Works one tag-listing page holds at most: the largest page the connector asks for (its
    ``count``/``page_size``/``limit``); a connector asks for ``min(page_size, [platforms.<id>]
    page_size)``. Request plans (``tracker plan``) divide a day's works by it."""
    page_size_fixed: bool = False
    """The platform serves ``page_size`` works a page whatever is asked (m.weibo.cn, Kuaishou)."""


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """A platform: its names, hosts, URL shapes, code entry points and capabilities."""

    id: str
    name_zh: str
    kind: Kind
    hosts: tuple[str, ...]
    """Domain suffixes of the platform's own pages (``weibo.com`` also covers ``m.weibo.com``)."""
    post_url: str
    """Canonical work URL, with ``{post_id}``."""
    account_url: str
    """Canonical account URL, with ``{uid}``."""
    colour: str
    """Chart colour, the platform's brand colour where it has one."""
    aliases: tuple[str, ...] = ()
    """What staff write in a submission list's 平台 column (``微博``, ``B站``...)."""
    short_hosts: tuple[str, ...] = ()
    """Short-link hosts that redirect to this platform's works (``b23.tv``)."""
    capture_names: tuple[str, ...] = ()
    """Zeeschuimer ``source_platform`` values of this platform's items."""
    resolve_url: str | None = None
    """``module:function`` taking a URL on one of ``hosts`` and returning a ``WorkRef``
    (:mod:`connectors.workref`). The module may also define ``is_short_link(url) -> bool`` when
    the host alone does not tell a short link (``b23.tv/BV…`` names its video, a share path on
    the platform's own domain does not); without it a link on ``short_hosts`` is short."""
    parser: str | None = None
    """Module with ``ENDPOINTS`` (captured responses), ``looks_like`` (saved-body detection),
    ``parse_any`` (a saved body whose endpoint is unknown), ``hints_from_url`` (keyword
    arguments only a captured request's URL knows, such as ``post_id``) and, for Zeeschuimer
    captures, ``parse_zeeschuimer_item``; any of these may be missing."""
    page_parser: str | None = None
    """``module:function`` reading an article page: ``(PageCollector, raw text) -> ArticleInfo``."""
    client: str | None = None
    """``module:Class`` of the live connector; None for import-only platforms."""
    simulator: str | None = None
    """Module of the simulator exposing ``SIM: PlatformSim``; None if not simulated."""
    base_url: str | None = None
    """The real site's base URL (the config default)."""
    rate_per_s: float = 0.5
    """Default request rate for the live connector: the platforms' limits, not CPU, bound it."""
    membership: str | None = "tag"
    """How the notice says the platform takes part: ``tag``, ``roundtable``, ``topic``, ``theme``;
    None where the campaign does not run (a capture-only platform)."""
    http: dict[str, Any] = field(default_factory=dict)
    """Platform facts the HTTP layer needs (throttle statuses, cookie domains...)."""
    capabilities: Capabilities = field(default_factory=Capabilities)

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"platform id must be lower-case ascii, got {self.id!r}")
        for template, key in ((self.post_url, "{post_id}"), (self.account_url, "{uid}")):
            if key not in template:
                raise ValueError(f"{self.id}: URL template {template!r} lacks {key}")

    @property
    def live(self) -> bool:
        return self.client is not None

    def work_url(self, post_id: str) -> str:
        return self.post_url.format(post_id=post_id)

    def profile_url(self, uid: str) -> str:
        return self.account_url.format(uid=uid)

    def parser_module(self) -> ModuleType | None:
        return importlib.import_module(self.parser) if self.parser else None

    def load(self, ref: str) -> Any:
        """The object a ``module:attr`` reference names, imported now."""
        module_name, _, attr = ref.partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, attr) if attr else module

    def owns_host(self, host: str) -> bool:
        """Whether ``host`` (lower-case, no port) is one of the platform's own page hosts."""
        return any(host == h or host.endswith("." + h) for h in self.hosts)
