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
re-added by a later topic run or theme sweep.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import zhconv
from sqlalchemy import Engine, and_, select

from tracker.config import TrackerConfig
from tracker.errors import Blocked, ConnectorError, LoginRequired, TrackerError
from tracker.http import HttpClient, HttpSettings
from tracker.imports.articles import ArticleInfo, parse_article
from tracker.imports.online import ARTICLE_BASE_URLS
from tracker.imports.urls import WorkRef, WorkUrlError, parse_work_url
from tracker.records import AccountRecord, CampaignLink, ParsedPage, PostRecord, RejectRecord
from tracker.services.runs import RunCounts, finish_run, start_run, update_run, write_rejects
from tracker.store.engine import begin_write
from tracker.store.models import Post
from tracker.store.registry import campaign_ids as load_campaign_ids
from tracker.store.upsert import IngestCounts, Ingestor

if TYPE_CHECKING:  # the collect service calls into this module: import it lazily at run time
    from tracker.services.collect import CollectOptions, PlatformResult

__all__ = [
    "ThemeMatcher",
    "TopicPage",
    "collect_topics",
    "import_topic_html",
    "link_themes",
    "parse_topic_page",
    "store_topic_page",
    "theme_key",
    "theme_links",
    "topic_links",
    "topic_records",
    "topic_url_key",
]

POST = Post.__table__
PLATFORM = "qqnews"
DEFAULT_PAGE_BASE = "https://news.qq.com/"
MAX_REJECT_PAYLOAD = 20_000

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
    return zhconv.convert(s, "zh-cn")


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


def store_topic_page(
    engine: Engine,
    config: TrackerConfig,
    page: ParsedPage,
    links: Sequence[CampaignLink],
    *,
    run_id: int | None,
    seen_at: datetime,
    source: str,
    counts: RunCounts | None = None,
) -> tuple[IngestCounts, int]:
    """Upsert the records with their topic links (and any tag links) in one transaction.

    The topic link names the reason for its campaign; tag matches only add campaigns the page
    did not already admit the work to. Returns (ingest counts, rejects written).
    """
    from tracker.services.ingest import CampaignLinker

    linker = CampaignLinker(config.campaigns)
    taken = {(link.platform, link.platform_post_id, link.campaign) for link in links}
    extra = [
        link
        for post in page.posts
        for link in linker.links_for(post)
        if (link.platform, link.platform_post_id, link.campaign) not in taken
    ]
    with begin_write(engine) as conn:
        ids = load_campaign_ids(conn)
        wanted = [link for link in [*links, *extra] if link.campaign in ids]
        result = Ingestor(conn).ingest(
            posts=page.posts,
            accounts=page.accounts,
            links=wanted,
            campaign_ids=ids,
            run_id=run_id,
            seen_at=seen_at,
        )
        rejected = write_rejects(conn, page.rejects, run_id=run_id, source=source, now=seen_at)
        if counts is not None and run_id is not None:
            counts.new += result.posts_new
            counts.updated += result.posts_updated
            counts.rejected += rejected
            update_run(conn, run_id, counts, None)
    return result, rejected


def _empty_page_reject(html: str, where: str) -> RejectRecord:
    return RejectRecord(
        reason="专题页中没有找到腾讯新闻文章链接（页面结构可能已改变，或不是专题页）",
        payload=html[:MAX_REJECT_PAYLOAD],
        platform=PLATFORM,
        location=where,
    )


def _complete_keys(engine: Engine, ids: Sequence[str]) -> set[str]:
    """Articles already stored with their details (no need to read their pages again)."""
    if not ids:
        return set()
    out: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            q = select(POST.c.platform_post_id).where(
                and_(
                    POST.c.platform == PLATFORM,
                    POST.c.platform_post_id.in_(chunk),
                    POST.c.published_at.is_not(None),
                )
            )
            out.update(conn.execute(q).scalars())
    return out


# --- topic pages: collection --------------------------------------------------------------------


class _Clients:
    """One HTTP client per base URL (topic pages may live on another host than articles)."""

    def __init__(self, settings: HttpSettings, options: CollectOptions) -> None:
        self.settings = settings
        self.env = options.env if options.env is not None else os.environ
        self.sleep = options.sleep
        self._clients: dict[str, HttpClient] = {}

    def get(self, base_url: str) -> HttpClient:
        client = self._clients.get(base_url)
        if client is None:
            kwargs: dict[str, Any] = {"settings": self.settings, "env": self.env}
            if self.sleep is not None:
                kwargs["sleep"] = self.sleep
            client = self._clients[base_url] = HttpClient(PLATFORM, base_url, **kwargs)
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme or 'https'}://{parts.netloc}"


def _settings(config: TrackerConfig, options: CollectOptions) -> HttpSettings:
    pcfg = config.platforms.get(PLATFORM)
    values: dict[str, Any] = {
        "timeout_s": pcfg.timeout_s if pcfg else 10.0,
        "rate_per_s": (pcfg.rate_per_s if pcfg and pcfg.rate_per_s else 1.0),
    }
    values.update(options.http_overrides)
    return HttpSettings(**values)


def _read_articles(
    refs: Sequence[WorkRef],
    fetch: Callable[[WorkRef], str],
    should_stop: Callable[[], bool],
) -> tuple[dict[str, ArticleInfo | None], list[str]]:
    """Article details by id; failures become stubs with the reason noted (never fatal)."""
    details: dict[str, ArticleInfo | None] = {}
    errors: list[str] = []
    for ref in refs:
        if should_stop():
            break
        try:
            info = parse_article(PLATFORM, fetch(ref))
        except (LoginRequired, Blocked):
            raise
        except TrackerError as exc:
            details[ref.post_id] = None
            errors.append(f"{ref.post_id}: {exc}")
            continue
        if info.published_at is None and info.account_uid is None:
            # A verification or login page answers 200 too; its <title> is no article title.
            details[ref.post_id] = None
            errors.append(f"{ref.post_id}: 文章页没有发布时间和作者（可能是登录或验证页）")
        else:
            details[ref.post_id] = info
    return details, errors


def topics_configured(config: TrackerConfig) -> list[tuple[str, str]]:
    """(campaign, topic URL) pairs of every configured 腾讯新闻 topic page."""
    return [(c.name, url) for c in config.campaigns for url in c.membership.qqnews_topics]


def collect_topics(
    engine: Engine,
    config: TrackerConfig,
    options: CollectOptions,
    *,
    fetch_articles: bool = True,
) -> PlatformResult:
    """Read every configured 腾讯新闻 topic page and link the articles it lists, as one run.

    One ``run`` row (kind ``collect``, platform ``qqnews``) covers all topic pages: pages = topic
    pages read, items = articles listed. ``options.base_urls["qqnews"]`` redirects both topic and
    article pages (tests, the demo). A topic page that cannot be read is noted and the others go
    on; a login wall or block stops the run with that status. With nothing configured no run is
    written and the result says so.
    """
    from tracker.services.collect import PlatformResult

    topics = topics_configured(config)
    clock = options.clock or (lambda: datetime.now(UTC))
    if not topics:
        return PlatformResult(PLATFORM, "ok", None, RunCounts(), "未配置腾讯新闻专题页，已跳过")
    run_id = start_run(engine, kind="collect", platform=PLATFORM, now=clock())
    counts = RunCounts(detail={"topics": []})
    clients = _Clients(_settings(config, options), options)
    override = options.base_urls.get(PLATFORM)
    article_base = override or ARTICLE_BASE_URLS[PLATFORM]
    failures: list[str] = []
    campaign_posts: set[tuple[str, str]] = set()

    def fetch(ref: WorkRef) -> str:
        return clients.get(article_base).get_text(_path_of(ref.url))

    try:
        for campaign, url in topics:
            if options.should_stop():
                finish_run(
                    engine,
                    run_id,
                    status="interrupted",
                    counts=counts,
                    error="stopped",
                    now=clock(),
                )
                return PlatformResult(
                    PLATFORM, "interrupted", run_id, counts, "已按请求停止", len(campaign_posts)
                )
            entry: dict[str, Any] = {"campaign": campaign, "url": url}
            counts.detail["topics"].append(entry)
            try:
                html = clients.get(override or _origin(url)).get_text(_path_of(url))
            except (LoginRequired, Blocked):
                raise
            except ConnectorError as exc:
                entry["error"] = str(exc)
                failures.append(f"{url}: {exc}")
                continue
            counts.pages += 1
            page = parse_topic_page(html, url)
            entry.update(listed=len(page.articles), other_links=page.other_links, title=page.title)
            counts.items_read += len(page.articles)
            details: dict[str, ArticleInfo | None] = {}
            if fetch_articles:
                known = _complete_keys(engine, [r.post_id for r in page.articles])
                todo = [r for r in page.articles if r.post_id not in known]
                details, errors = _read_articles(todo, fetch, options.should_stop)
                entry["articles_read"] = sum(1 for v in details.values() if v is not None)
                if errors:
                    entry["article_errors"] = errors[:20]
            records = topic_records(
                page.articles, details, captured_at=clock(), topic_url=url, source="live"
            )
            if not page.articles:
                records.rejects.append(_empty_page_reject(html, url))
            links = topic_links(page.articles, campaign=campaign, topic_url=url)
            store_topic_page(
                engine,
                config,
                records,
                links,
                run_id=run_id,
                seen_at=clock(),
                source="collect:topic",
                counts=counts,
            )
            campaign_posts.update(page.keys)
    except (LoginRequired, Blocked) as exc:
        status = "login_required" if isinstance(exc, LoginRequired) else "blocked"
        message = f"腾讯新闻专题页读取被拦截，已停止：{exc}"
        finish_run(engine, run_id, status=status, counts=counts, error=message, now=clock())
        return PlatformResult(PLATFORM, status, run_id, counts, message, len(campaign_posts))
    except KeyboardInterrupt:
        finish_run(
            engine, run_id, status="interrupted", counts=counts, error="interrupted", now=clock()
        )
        raise
    finally:
        clients.close()
    if failures and len(failures) == len(topics):
        message = "腾讯新闻专题页全部读取失败：" + "；".join(failures)
        finish_run(engine, run_id, status="failed", counts=counts, error=message, now=clock())
        return PlatformResult(PLATFORM, "failed", run_id, counts, message, 0)
    message = ("部分专题页读取失败：" + "；".join(failures)) if failures else None
    finish_run(engine, run_id, status="ok", counts=counts, error=message, now=clock())
    return PlatformResult(PLATFORM, "ok", run_id, counts, message, len(campaign_posts))


def _campaign_for(config: TrackerConfig, topic_url: str | None, campaign: str | None) -> str:
    if campaign is not None:
        return config.campaign(campaign).name
    if topic_url:
        key = topic_url_key(topic_url)
        for name, url in topics_configured(config):
            if topic_url_key(url) == key:
                return name
    return config.campaign().name


def import_topic_html(
    engine: Engine,
    config: TrackerConfig,
    html: str,
    *,
    label: str,
    topic_url: str | None = None,
    campaign: str | None = None,
    fetch: Callable[[WorkRef], str] | None = None,
    now: datetime | None = None,
) -> PlatformResult:
    """A saved topic page (HTML) as an import run: the same links a live read would make.

    The page URL is ``topic_url``, else the page's canonical URL, else the file ``label``; the
    campaign is the one configured with that URL unless named. Article pages are read only when
    ``fetch`` is given (the import stays offline otherwise; stubs are filled in later).
    """
    from tracker.services.collect import PlatformResult

    when = now or datetime.now(UTC)
    page = parse_topic_page(html, topic_url)
    url = topic_url or page.url
    name = _campaign_for(config, url, campaign)
    run_id = start_run(engine, kind="import", platform=PLATFORM, job=label[:100], now=when)
    counts = RunCounts(pages=1, items_read=len(page.articles))
    counts.detail = {"topic": url or label, "title": page.title, "other_links": page.other_links}
    try:
        details: dict[str, ArticleInfo | None] = {}
        if fetch is not None:
            details, errors = _read_articles(page.articles, fetch, lambda: False)
            if errors:
                counts.detail["article_errors"] = errors[:20]
        records = topic_records(
            page.articles, details, captured_at=when, topic_url=url, source="capture"
        )
        if not page.articles:
            records.rejects.append(_empty_page_reject(html, label))
        links = topic_links(page.articles, campaign=name, topic_url=url or label)
        store_topic_page(
            engine,
            config,
            records,
            links,
            run_id=run_id,
            seen_at=when,
            source="import:topic",
            counts=counts,
        )
    except BaseException as exc:
        finish_run(engine, run_id, status="failed", counts=counts, error=str(exc), now=when)
        raise
    status = "ok" if page.articles else "failed"
    error = None if page.articles else "专题页中没有找到腾讯新闻文章链接"
    finish_run(engine, run_id, status=status, counts=counts, error=error, now=when)
    return PlatformResult(PLATFORM, status, run_id, counts, error, len(page.articles))
