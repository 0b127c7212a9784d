"""腾讯新闻 topic pages (专题) and 学习强国 theme matching.

On 腾讯新闻 people take part by contributing to the campaign's topic page, and most of those
articles never carry the tag, so the page itself is the membership list: every 腾讯新闻 article it
links is a campaign work (``matched_by="topic"``, ``matched_value`` = the page URL). Topic pages
are built differently over the years (article cards in the markup, a list in an embedded
``window.DATA``/JSON blob, ``new.qq.com/omn/...`` or ``news.qq.com/rain/a/...`` links), so
:func:`parse_topic_page` reads both the links and the JSON and keeps whatever resolves to a single
腾讯新闻 article through the shared URL resolver; links to channels, videos or other sites are
counted and left out. A page that lists nothing is a reject (its layout probably changed) rather
than a silent empty run.

学习强国 takes part through a related theme ("科普向'新'力"); its articles are matched by the theme
name in title or text (``matched_by="theme"``), quotes and spacing ignored, because the theme is
typed with straight, curly or full-width quotes alike.

Links are insert-or-nothing (``tracker.store.upsert``), so a work a person excluded is never
re-added by a later topic run or theme sweep. Reading topic pages over HTTP (or from a saved
file) as a run is a use case: :mod:`tracker.services.topics`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from sqlalchemy import Engine, select

from connectors.article_page import ArticleInfo
from connectors.links import parse_work_url
from connectors.workref import WorkRef, WorkUrlError
from tracker.config import TrackerConfig
from tracker.normalize.tags import to_simplified
from tracker.records import AccountRecord, CampaignLink, ParsedPage, PostRecord
from tracker.store.engine import begin_write
from tracker.store.models import Post
from tracker.store.registry import campaign_ids as load_campaign_ids
from tracker.store.upsert import Ingestor

__all__ = [
    "ThemeMatcher",
    "TopicPage",
    "link_themes",
    "parse_topic_page",
    "theme_key",
    "theme_links",
    "topic_links",
    "topic_records",
    "topic_url_key",
    "topics_configured",
]

POST = Post.__table__
PLATFORM = "qqnews"
DEFAULT_PAGE_BASE = "https://news.qq.com/"

# --- topic URLs ---------------------------------------------------------------------------------


def topic_url_key(url: str) -> str:
    """A topic page URL compared loosely: scheme, ``www.``, trailing slash and fragment ignored."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


# --- themes (学习强国) ----------------------------------------------------------------------------

_QUOTES = "'\"‘’“”「」『』《》〈〉`´＂＇"
_DROP = re.compile(rf"[\s\u200b\u200c\u200d\u2060\ufeff{re.escape(_QUOTES)}]+")
MIN_THEME_KEY = 2


def theme_key(s: str | None) -> str:
    """Theme names and article text folded alike: NFKC, no spaces or quotes, casefold, simplified."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    s = _DROP.sub("", s).casefold()
    return to_simplified(s)


class ThemeMatcher:
    """Finds configured theme names in a work's title or text (substring of the folded text)."""

    def __init__(self, themes: Mapping[str, Iterable[str]]) -> None:
        self._themes: list[tuple[str, str, str]] = []
        for campaign, names in themes.items():
            for name in names:
                key = theme_key(name)
                if len(key) >= MIN_THEME_KEY:
                    self._themes.append((campaign, name, key))

    def __bool__(self) -> bool:
        return bool(self._themes)

    def match(self, title: str | None, text: str | None) -> list[tuple[str, str]]:
        """(campaign, configured theme name) for every campaign whose theme appears; one each."""
        if not self._themes:
            return []
        haystack = theme_key(title) + "\n" + theme_key(text)
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for campaign, name, key in self._themes:
            if campaign not in seen and key in haystack:
                seen.add(campaign)
                out.append((campaign, name))
        return out


def theme_links(post: PostRecord, matcher: ThemeMatcher) -> list[CampaignLink]:
    """Theme links of a 学习强国 work (the theme rule applies to that platform only)."""
    if post.platform != "xuexi":
        return []
    return [
        CampaignLink(post.platform, post.platform_post_id, campaign, "theme", name)
        for campaign, name in matcher.match(post.title, post.text)
    ]


def link_themes(engine: Engine, config: TrackerConfig, *, now: datetime | None = None) -> int:
    """Link every stored 学习强国 work whose title or text names a configured theme.

    For works that arrived before a theme was configured, or through a door that does not apply
    the theme rule; returns the number of new links (existing links and exclusions are kept).
    """
    matcher = ThemeMatcher({c.name: c.membership.xuexi_themes for c in config.campaigns})
    if not matcher:
        return 0
    when = now or datetime.now(UTC)
    q = select(POST.c.platform_post_id, POST.c.title, POST.c.text).where(POST.c.platform == "xuexi")
    with begin_write(engine) as conn:
        ids = load_campaign_ids(conn)
        links = [
            CampaignLink("xuexi", pid, campaign, "theme", name)
            for pid, title, text in conn.execute(q)
            for campaign, name in matcher.match(title, text)
            if campaign in ids
        ]
        if not links:
            return 0
        counts = Ingestor(conn).ingest(links=links, campaign_ids=ids, seen_at=when)
    return counts.links_new


# --- topic pages: parsing -----------------------------------------------------------------------

_ID_KEYS = r"(?:id|article_?id|articleId|cms_?id|cmsId|newsId|news_id)"
_JSON_ID = re.compile(rf'"{_ID_KEYS}"\s*:\s*"(\d{{8}}[A-Z][0-9A-Z]{{5}}\d{{2}})"')
_JSON_URL = re.compile(r"https?://[^\s\"'<>\\]+")
_SKIP_HREF = ("javascript:", "mailto:", "tel:", "#", "data:")


@dataclass(frozen=True, slots=True)
class TopicPage:
    """What a topic page lists: its 腾讯新闻 articles in page order, and what else it linked."""

    url: str | None
    title: str | None
    articles: list[WorkRef] = field(default_factory=list)
    other_links: int = 0

    @property
    def keys(self) -> list[tuple[str, str]]:
        return [ref.key for ref in self.articles]


class _TopicCollector(HTMLParser):
    """Link targets and script bodies in document order, plus title and canonical URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str]] = []
        self.title: list[str] = []
        self.h1: list[str] = []
        self.canonical: str | None = None
        self._in: list[str] = []
        self._h1_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.items.append(("href", a["href"].strip()))
        elif tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.canonical = self.canonical or a["href"].strip()
        elif tag == "meta" and a.get("property", "").lower() == "og:url" and a.get("content"):
            self.canonical = self.canonical or a["content"].strip()
        if tag in ("script", "title", "h1"):
            self._in.append(tag)
            if tag == "script":
                self.items.append(("script", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass
        if tag == "h1" and self.h1:
            self._h1_done = True

    def handle_data(self, data: str) -> None:
        if not self._in:
            return
        inner = self._in[-1]
        if inner == "script" and self.items and self.items[-1][0] == "script":
            self.items[-1] = ("script", self.items[-1][1] + data)
        elif inner == "title":
            self.title.append(data)
        elif inner == "h1" and not self._h1_done:
            self.h1.append(data)


def _script_candidates(script: str) -> list[str]:
    """Article URLs and ids named in an embedded data blob, in order of appearance."""
    text = script.replace("\\/", "/").replace("\\u002F", "/").replace("\\u002f", "/")
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in _JSON_URL.finditer(text)]
    found += [
        (m.start(), f"https://news.qq.com/rain/a/{m.group(1)}") for m in _JSON_ID.finditer(text)
    ]
    return [url for _, url in sorted(found)]


def _clean_title(parts: list[str]) -> str | None:
    text = re.sub(r"\s+", " ", "".join(parts)).strip()
    text = re.sub(r"\s*[_|\-–—]\s*(腾讯新闻|腾讯网)\s*$", "", text).strip()
    return text or None


def parse_topic_page(html: str, page_url: str | None = None) -> TopicPage:
    """The 腾讯新闻 articles a topic page lists (pure; never raises on odd markup).

    ``page_url`` resolves relative links; when absent the page's canonical URL is used.
    """
    collector = _TopicCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient
        pass
    url = page_url or collector.canonical
    base = url or DEFAULT_PAGE_BASE
    candidates: list[str] = []
    for kind, value in collector.items:
        if kind == "href":
            if not value.lower().startswith(_SKIP_HREF):
                candidates.append(urljoin(base, value))
        else:
            candidates.extend(_script_candidates(value))
    own = topic_url_key(url) if url else None
    articles: list[WorkRef] = []
    seen: set[str] = set()
    other = 0
    for candidate in candidates:
        if own is not None and topic_url_key(candidate) == own:
            continue
        try:
            ref = parse_work_url(candidate)
        except WorkUrlError:
            other += 1
            continue
        if ref.platform != PLATFORM:
            other += 1
            continue
        if ref.post_id not in seen:
            seen.add(ref.post_id)
            articles.append(ref)
    title = _clean_title(collector.h1) or _clean_title(collector.title)
    return TopicPage(url=url, title=title, articles=articles, other_links=other)


# --- topic pages: records and links -------------------------------------------------------------


def topic_records(
    articles: Sequence[WorkRef],
    details: Mapping[str, ArticleInfo | None],
    *,
    captured_at: datetime,
    topic_url: str | None,
    source: str,
) -> ParsedPage:
    """Records for the listed articles: full where the article page was read, else a stub.

    A stub (URL and id only) keeps the work in the campaign and lets a later run fill it in; the
    upsert never erases known values with a stub's NULLs.
    """
    page = ParsedPage()
    for ref in articles:
        info = details.get(ref.post_id)
        context = dict(ref.context)
        if topic_url:
            context["topic_url"] = topic_url
        uid = info.account_uid if info else None
        page.posts.append(
            PostRecord(
                platform=ref.platform,
                platform_post_id=ref.post_id,
                captured_at=captured_at,
                account_uid=uid,
                url=ref.url,
                title=info.title if info else None,
                text=info.text if info else None,
                content_type=ref.content_type or "article",
                published_at=info.published_at if info else None,
                source=source,
                context=context,
            )
        )
        if uid:
            page.accounts.append(
                AccountRecord(
                    ref.platform, uid, name=info.author if info else None, seen_at=captured_at
                )
            )
    return page


def topic_links(
    articles: Sequence[WorkRef], *, campaign: str, topic_url: str
) -> list[CampaignLink]:
    return [
        CampaignLink(ref.platform, ref.post_id, campaign, "topic", topic_url) for ref in articles
    ]


def topics_configured(config: TrackerConfig) -> list[tuple[str, str]]:
    """(campaign, topic URL) pairs of every configured 腾讯新闻 topic page."""
    return [(c.name, url) for c in config.campaigns for url in c.membership.qqnews_topics]
