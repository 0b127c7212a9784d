"""Reading 腾讯新闻 topic pages (专题) into the campaign, live or from a saved page: a use case.

What a topic page means for membership (its articles are campaign works, ``matched_by="topic"``)
and how one is parsed are pure and live in :mod:`tracker.membership.topics`. This module is the
job around them: one ``run`` row per read, HTTP clients for topic and article pages, the
article pages read for details (failures become stubs, never fatal), the records and links
stored in one transaction, a login wall or block ending the run with that status.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, and_, select

from connectors.article_page import ArticleInfo
from connectors.workref import WorkRef
from tracker.config import TrackerConfig
from tracker.errors import Blocked, ConnectorError, LoginRequired, TrackerError
from tracker.http import HttpClient, HttpSettings
from tracker.imports.articles import parse_article
from tracker.imports.online import article_base_urls
from tracker.membership.rules import CampaignLinker
from tracker.membership.topics import (
    PLATFORM,
    parse_topic_page,
    topic_links,
    topic_records,
    topic_url_key,
    topics_configured,
)
from tracker.records import CampaignLink, ParsedPage, RejectRecord
from tracker.services.collect import CollectOptions, PlatformResult
from tracker.store.engine import begin_write
from tracker.store.models import Post
from tracker.store.registry import campaign_ids as load_campaign_ids
from tracker.store.runs import RunCounts, finish_run, start_run, update_run, write_rejects
from tracker.store.upsert import IngestCounts, Ingestor

__all__ = ["collect_topics", "import_topic_html", "store_topic_page"]

POST = Post.__table__
MAX_REJECT_PAYLOAD = 20_000


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
    topics = topics_configured(config)
    clock = options.clock or (lambda: datetime.now(UTC))
    if not topics:
        return PlatformResult(PLATFORM, "ok", None, RunCounts(), "未配置腾讯新闻专题页，已跳过")
    run_id = start_run(engine, kind="collect", platform=PLATFORM, now=clock())
    counts = RunCounts(detail={"topics": []})
    clients = _Clients(_settings(config, options), options)
    override = options.base_urls.get(PLATFORM)
    article_base = override or article_base_urls()[PLATFORM]
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
