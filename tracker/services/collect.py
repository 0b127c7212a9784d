"""``tracker collect`` and ``tracker refresh``: live connectors into the store, page by page.

Each page is parsed, matched against the campaigns, upserted with its snapshot, and committed
together with the run's cursor in one transaction. A run killed at any moment therefore resumes
on the page after the last committed one: nothing lost, nothing twice (the upsert is
idempotent anyway). ``LoginRequired``/``Blocked``/``SignerMissing`` stop only that platform, with
a message naming the setting to renew; the other platforms go on.

Platforms are collected side by side, one thread each (``CollectOptions.workers``): each has
its own rate limit and its own server to wait for, so a day's collection takes as long as the
slowest platform, not the sum of all. Pages still commit one at a time (``begin_write``).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from connectors.base import CollectRequest, Connector, FetchedPage
from connectors.catalogue import PLATFORM_NAMES_ZH
from connectors.registry import connector_class, http_defaults
from tracker.config import PlatformConfig, TrackerConfig
from tracker.errors import (
    Blocked,
    ConfigError,
    ConnectorError,
    LoginRequired,
    SignerMissing,
    StoreError,
    TrackerError,
)
from tracker.http import HttpClient, HttpSettings
from tracker.membership.page_store import PageStore
from tracker.normalize.tags import unique_tags
from tracker.records import MAX_COUNT, ParsedPage, PostRecord
from tracker.services.refresh_plan import (
    CandidateFacts,
    is_top,
    listing_covers_metrics,
    listing_grew,
    listing_page_size,
    listing_reach,
    priority_order,
    refresh_requests,
    wants_detail,
)
from tracker.services.signers import choose_signer
from tracker.services.stored_facts import hand_stored_facts
from tracker.store.engine import begin_write, shares_one_connection
from tracker.store.queries import refresh as refresh_queries
from tracker.store.queries import runs as run_queries
from tracker.store.runs import (
    RunCounts,
    finish_run,
    interrupt_stale_run,
    start_run,
    update_run,
)

log = logging.getLogger(__name__)


Clock = Callable[[], datetime]
PageCallback = Callable[[str, FetchedPage | None, RunCounts], None]


@dataclass(slots=True)
class PlatformResult:
    platform: str
    status: str
    run_id: int | None
    counts: RunCounts
    message: str | None = None
    campaign_posts: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(slots=True)
class CollectOptions:
    """Everything a run may override besides the config (CLI flags, tests, the demo)."""

    platforms: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    max_pages: int | None = None
    restart: bool = False
    base_urls: Mapping[str, str] = field(default_factory=dict)
    signer: str | None = None
    clock: Clock | None = None
    sleep: Callable[[float], None] | None = None
    http_overrides: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] | None = None
    should_stop: Callable[[], bool] = lambda: False
    workers: int | None = None
    """Platforms collected at once (None: all of them; 1: one after another)."""
    transport: Any = None
    """An ``httpx`` transport for every client instead of the network (tests: the simulator
    answering in this process); None: real connections."""
    since_last_run: bool = False
    """Without ``since`` or ``until``, read only works published since the platform's last
    successful collection began, less :data:`COLLECT_OVERLAP` (see :func:`incremental_since`):
    what the daily collection and ``tracker collect`` without ``--since`` ask for."""


COLLECT_OVERLAP = timedelta(days=2)
"""How far before the last successful collection's start a daily collection reads again."""

REFRESH_LISTING_PAGES = 500
"""The refresh listing pass's safety cap, in pages (or 10 × ``max_pages`` if that is more)."""


def incremental_since(
    last_start: datetime | None, overlap: timedelta = COLLECT_OVERLAP
) -> datetime | None:
    """The ``since`` of a routine collection: ``overlap`` before the last successful one began.

    Without it every daily run re-read the tag listings back to ``max_pages``, with a detail or a
    profile read per card on some platforms: its cost grew with the campaign, not with the
    day's new works. What the last successful run saw need not be read again, but a work can
    appear in a listing a while after its publish time (indexing delay, a post made visible
    later), so the window reaches ``overlap`` further back. ``None`` (no successful run yet: the
    first collection) means no ``since``: everything the listing holds.
    """
    return None if last_start is None else last_start - overlap


def refresh_listing_cap(max_pages: int | None) -> int:
    """Pages the refresh's listing pass may read at most.

    That pass ends on its own at the first page with no work younger than the window
    (:func:`_young_listing`); the collection's ``max_pages`` must not end it sooner, or every
    young work beyond those pages costs a detail request. The cap is only a guard against a
    listing that never ends (a platform repeating its last page): generous, 10 × ``max_pages``
    or :data:`REFRESH_LISTING_PAGES`, whichever is more.
    """
    return max(REFRESH_LISTING_PAGES, 10 * (max_pages or 0))


def _signer_spec(
    platform: str, pcfg: PlatformConfig, options: CollectOptions, env: Mapping[str, str]
) -> tuple[str | None, str]:
    """The spec this run uses and where it was set: ``--signer``, else the config's choice."""
    if options.signer:
        return options.signer, "--signer"
    return pcfg.signer_spec(platform, env)


def _http_settings(platform: str, values: Mapping[str, Any]) -> HttpSettings:
    """The platform's HTTP settings; a bad value is a one-line ``ConfigError``.

    pydantic's own ``ValidationError`` is no ``TrackerError``: it used to escape the
    per-platform handling and stop every platform with a multi-line message.
    """
    try:
        return HttpSettings(**values)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{platform}: HTTP 设置无效 (invalid HTTP settings): {details}") from None


def build_http(
    platform: str, pcfg: PlatformConfig, options: CollectOptions, env: Mapping[str, str]
) -> HttpClient:
    """The platform's client; a bad signer spec stops this platform only, naming its variable."""
    spec, where = _signer_spec(platform, pcfg, options, env)
    signer = choose_signer(spec, where=where)
    values: dict[str, Any] = {
        "timeout_s": pcfg.timeout_s,
        "block_pause_s": pcfg.block_pause_s,
        "block_retries": pcfg.block_retries,
        "rate_per_s": pcfg.rate_per_s,
        "cookie_env": pcfg.cookie_env,
        "signer": spec,
    }
    values.update(http_defaults(platform))
    values.update(options.http_overrides)
    settings = _http_settings(platform, values)
    base_url = options.base_urls.get(platform) or pcfg.base_url
    kwargs: dict[str, Any] = {"settings": settings, "env": env, "signer": signer}
    if options.sleep is not None:
        kwargs["sleep"] = options.sleep
    if options.transport is not None:
        kwargs["transport"] = options.transport
    return HttpClient(platform, base_url, **kwargs)


_REFRESH_KWARGS: dict[str, dict[str, Any]] = {
    # Only the realtime search is newest first: the pass ends at its reach there, while the
    # topic feed would be read to its end (a work it alone shows gets a detail instead).
    "weibo": {"channels": ("realtime",)},
    "douyin": {"followers": False},
    "bilibili": {"details": "none"},
    "kuaishou": {"listing_only": True},
    "xiaohongshu": {"listing_only": True},
}
"""Connector options for a refresh: its listing pass wants the works' metrics as the listing
gives them, not a detail per work nor a profile per author (followers are read by
``collect``). They change the listing only: the detail pass reads as it always has."""


def build_connector(
    platform: str, http: HttpClient, pcfg: PlatformConfig, clock: Clock, *, refresh: bool = False
) -> Connector:
    cls = connector_class(platform)
    kwargs: dict[str, Any] = {"now": clock, "page_size": pcfg.page_size}
    if refresh:
        kwargs.update(_REFRESH_KWARGS.get(platform, {}))
    return cls(http, **kwargs)  # type: ignore[call-arg]


def stop_message(
    platform: str, exc: ConnectorError, pcfg: PlatformConfig, http: HttpClient | None = None
) -> tuple[str, str]:
    """(run status, staff message) for a platform stopped by ``exc``.

    The message is scrubbed of the client's cookies, the platform's own session cookies
    included: a connector may have built the error from a body that echoed them.
    """
    status, message = _stop_status_message(platform, exc, pcfg)
    return status, http.scrub(message) if http is not None else message


def _stop_status_message(
    platform: str, exc: ConnectorError, pcfg: PlatformConfig
) -> tuple[str, str]:
    name = PLATFORM_NAMES_ZH.get(platform, platform)
    if isinstance(exc, LoginRequired):
        var = exc.variable or pcfg.cookie_env or f"TRACKER_{platform.upper()}_COOKIE"
        return "login_required", f"{name}需要重新登录：请更新环境变量 {var} 中的 Cookie（{exc}）"
    if isinstance(exc, SignerMissing):
        var = pcfg.signer_env or f"TRACKER_{platform.upper()}_SIGNER"
        return (
            "signer_missing",
            f"{name}需要签名插件：请设置 {var} 或 [platforms.{platform}] signer（{exc}）",
        )
    if isinstance(exc, Blocked):
        return "blocked", f"{name}拒绝了请求（验证码或签名失效），已停止该平台：{exc}"
    return "failed", f"{name}采集失败：{exc}"


def store_error(exc: DBAPIError) -> StoreError:
    """A database failure (disk full, read-only file, lost server) as one line for the user.

    The driver's own message is kept (first line only); SQLAlchemy's text, which carries the
    whole statement and its parameters, is not.
    """
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = lines[0] if lines else type(exc).__name__
    return StoreError(
        f"数据库写入失败（{detail}）：采集已停止，已提交的页面不会丢失；"
        "请检查磁盘空间和数据库文件的写权限后重新运行，将从断点继续"
    )


def clear_store_errors(fn: Callable[..., PlatformResult]) -> Callable[..., PlatformResult]:
    """A platform run whose database write fails raises one staff-readable ``StoreError``
    (disk full, read-only file) instead of the driver's exception."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> PlatformResult:
        try:
            return fn(*args, **kwargs)
        except DBAPIError as exc:
            raise store_error(exc) from exc

    return wrapper


def mark_failed_quietly(
    engine: Engine, run_id: int, counts: RunCounts, exc: DBAPIError, now: datetime
) -> None:
    """Record the run as failed if the database still takes a write; it stays resumable."""
    try:
        finish_run(
            engine, run_id, status="failed", counts=counts, error=str(store_error(exc)), now=now
        )
    except DBAPIError:
        log.debug("could not mark run %s failed", run_id, exc_info=True)


def _plausible_total(value: object) -> bool:
    """A platform's claimed total worth storing: a count the run row can hold, else unknown."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def run_pages(
    engine: Engine,
    platform: str,
    pages: Iterator[FetchedPage],
    *,
    config: TrackerConfig,
    run_id: int,
    counts: RunCounts,
    clock: Clock,
    source: str,
    on_page: PageCallback | None,
    should_stop: Callable[[], bool],
) -> tuple[int, dict[str, Any], bool]:
    """Store pages until exhausted or asked to stop; returns campaign posts, last cursor, stopped."""
    campaign_posts = 0
    cursor: dict[str, Any] = {}
    claimed: dict[str, int] = counts.detail.setdefault("claimed_by_task", {})
    with engine.connect() as conn:
        store = PageStore.for_connection(conn, config.campaigns, source=source, run_id=run_id)
    for page in pages:
        seen_at = clock()
        with begin_write(engine) as conn:
            result = store.store(conn, page.parsed, seen_at=seen_at)
            counts.pages += 1
            counts.items_read += len(page.parsed.posts) + len(page.parsed.rejects)
            counts.new += result.counts.posts_new
            counts.updated += result.counts.posts_updated
            counts.rejected += result.rejected
            # What enrichment could not complete (followers, long texts...), kept with the run
            # so its log says what a later read must fill in.
            gaps = counts.detail.setdefault("incomplete", {})
            for kind, n in page.parsed.incomplete.items():
                gaps[kind] = gaps.get(kind, 0) + n
            if page.parsed.comments:  # comments are no works: counted on their own
                detail = counts.detail
                detail["comments"] = detail.get("comments", 0) + len(page.parsed.comments)
                detail["comments_new"] = detail.get("comments_new", 0) + result.comments.new
            campaign_posts += result.campaign_posts
            if _plausible_total(page.parsed.claimed_total) and page.task not in claimed:
                claimed[page.task] = page.parsed.claimed_total
            total = sum(claimed.values()) if claimed else None
            counts.claimed_total = total if _plausible_total(total) else None
            cursor = page.cursor
            update_run(conn, run_id, counts, cursor)
        if on_page:
            on_page(platform, page, counts)
        if should_stop():
            return campaign_posts, cursor, True
    return campaign_posts, cursor, False


def _collect_request(
    config: TrackerConfig,
    *,
    since: datetime | None,
    until: datetime | None,
    max_pages: int | None,
    cursor: dict[str, Any],
) -> CollectRequest:
    """What a run asks a connector for: every campaign's tag spellings (and Zhihu roundtables)."""
    tags = unique_tags([s for c in config.campaigns for s in c.all_spellings])
    return CollectRequest(
        tags=tags,
        since=since,
        until=until,
        max_pages=max_pages,
        cursor=cursor,
        extra={
            "zhihu_roundtables": [
                r for c in config.campaigns for r in c.membership.zhihu_roundtables
            ]
        },
    )


def _collect_since(
    engine: Engine, platform: str, options: CollectOptions
) -> tuple[datetime | None, str | None]:
    """(since, where it came from): an explicit ``since`` wins; an explicit ``until`` (an older
    slice) gets none; else, when asked, :func:`incremental_since` of the last successful run."""
    if options.since is not None:
        return options.since, "option"
    if options.until is not None or not options.since_last_run:
        return None, None
    with engine.connect() as conn:
        last = _utc(run_queries.collection_start(conn, platform))
    since = incremental_since(last)
    return since, ("last_run" if since else None)


@clear_store_errors
def collect_platform(
    engine: Engine,
    config: TrackerConfig,
    platform: str,
    options: CollectOptions,
    on_page: PageCallback | None = None,
) -> PlatformResult:
    pcfg = config.platforms.get(platform)
    if pcfg is None:
        raise TrackerError(f"config 中没有平台 {platform!r} 的配置")
    env = options.env if options.env is not None else os.environ
    clock = options.clock or (lambda: datetime.now(UTC))
    previous_id, cursor = (
        (None, {})
        if options.restart
        else interrupt_stale_run(engine, kind="collect", platform=platform)
    )
    since, since_from = _collect_since(engine, platform, options)
    run_id = start_run(engine, kind="collect", platform=platform, cursor=cursor, now=clock())
    counts = RunCounts(detail={"resumed_from_run": previous_id} if previous_id else {})
    counts.detail["window"] = {
        "since": since.isoformat() if since else None,
        "until": options.until.isoformat() if options.until else None,
        "since_from": since_from,
    }
    request = _collect_request(
        config,
        since=since,
        until=options.until,
        max_pages=options.max_pages or pcfg.max_pages,
        cursor=cursor,
    )
    http = None
    try:
        http = build_http(platform, pcfg, options, env)
        counts.http = http.stats
        counts.detail["requests"] = http.stats.by_purpose  # the live counts, saved each page
        connector = build_connector(platform, http, pcfg, clock)
        # every stored post: a listing out of time order (Weibo's topic feed) shows old ones
        _hand_stored(counts, engine, connector, clock(), None)
        campaign_posts, last_cursor, stopped = run_pages(
            engine,
            platform,
            connector.collect(request),
            config=config,
            run_id=run_id,
            counts=counts,
            clock=clock,
            source="live",
            on_page=on_page,
            should_stop=options.should_stop,
        )
    except ConnectorError as exc:
        status, message = stop_message(platform, exc, pcfg, http)
        log.warning(message)
        finish_run(engine, run_id, status=status, counts=counts, error=message, now=clock())
        return PlatformResult(platform, status, run_id, counts, message)
    except KeyboardInterrupt:
        finish_run(
            engine, run_id, status="interrupted", counts=counts, error="interrupted", now=clock()
        )
        raise
    except DBAPIError as exc:
        mark_failed_quietly(engine, run_id, counts, exc, clock())
        raise
    except StoreError:
        raise
    except TrackerError as exc:
        finish_run(engine, run_id, status="failed", counts=counts, error=str(exc), now=clock())
        return PlatformResult(platform, "failed", run_id, counts, str(exc))
    finally:
        if http is not None:
            http.close()
            counts.detail["requests"] = dict(http.stats.by_purpose)
    if stopped:
        finish_run(
            engine,
            run_id,
            status="interrupted",
            counts=counts,
            cursor=last_cursor,
            error="stopped",
            now=clock(),
        )
        return PlatformResult(
            platform,
            "interrupted",
            run_id,
            counts,
            "已按请求停止；下次运行将从断点继续",
            campaign_posts,
        )
    finish_run(engine, run_id, status="ok", counts=counts, cursor={}, now=clock())
    return PlatformResult(platform, "ok", run_id, counts, None, campaign_posts)


def collect(
    engine: Engine,
    config: TrackerConfig,
    options: CollectOptions,
    on_page: PageCallback | None = None,
) -> list[PlatformResult]:
    from tracker.membership.topics import topics_configured
    from tracker.services.topics import collect_topics

    platforms = options.platforms or config.enabled_platforms()
    wants_topics = bool(topics_configured(config)) and (
        options.platforms is None or "qqnews" in options.platforms
    )
    platforms = [p for p in platforms if p != "qqnews"]
    unknown = [p for p in platforms if p not in config.platforms]
    if unknown:
        raise TrackerError(
            f"未配置的平台: {', '.join(unknown)}；已配置: {', '.join(config.platforms)}"
        )
    results = side_by_side(
        engine,
        platforms,
        options,
        on_page,
        functools.partial(collect_platform, engine, config),
        name="collect",
    )
    if wants_topics and not options.should_stop():
        # 腾讯新闻 takes part through its topic pages (专题), not a searchable tag.
        results.append(collect_topics(engine, config, options))
    return results


PlatformRun = Callable[[str, CollectOptions, PageCallback | None], PlatformResult]
"""One platform's run of a stage (its listing, its comments) under the given options."""


def side_by_side(
    engine: Engine,
    platforms: list[str],
    options: CollectOptions,
    on_page: PageCallback | None,
    run: PlatformRun,
    *,
    name: str,
) -> list[PlatformResult]:
    """Each platform's result of ``run``, in the order asked; side by side when allowed.

    Every stage that reads several platforms (the listings, the comments) stops the same way:
    a platform not started before a stop is not started at all, and a failure in one thread
    lets the others store the page in hand and save their cursor before it is raised."""
    workers = min(len(platforms), options.workers or len(platforms))
    if workers <= 1 or shares_one_connection(engine):
        workers = 1
    stop_now = threading.Event()
    guarded = replace(options, should_stop=lambda: stop_now.is_set() or options.should_stop())
    callback = _serialised(on_page) if on_page and workers > 1 else on_page

    def one(platform: str) -> PlatformResult | None:
        if guarded.should_stop():
            return None
        return run(platform, guarded, callback)

    if workers == 1:
        return [r for r in map(one, platforms) if r is not None]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        futures = [pool.submit(one, p) for p in platforms]
        try:
            return [r for f in futures if (r := f.result()) is not None]
        except BaseException:
            # Ctrl-C (seen by this thread only) or a store failure: the other platforms finish
            # the page in hand, save their cursor and stop, so the next run resumes them.
            stop_now.set()
            wait(futures)
            raise


def _serialised(on_page: PageCallback) -> PageCallback:
    """The progress callback, called by one platform thread at a time."""
    lock = threading.Lock()

    def call(platform: str, page: FetchedPage | None, counts: RunCounts) -> None:
        with lock:
            on_page(platform, page, counts)

    return call


def refresh_candidates(
    engine: Engine, platform: str, younger_than: timedelta, now: datetime
) -> list[tuple[str, str | None]]:
    """Campaign works of ``platform`` published within ``younger_than`` of ``now``, as
    (post id, stored URL): the connector decides which of the two its detail endpoint needs.
    Works added by hand or by a submission may not know their publish time yet: a refresh is
    how they get it, so undated works are candidates too.

    The platform's current top works by interactions (200 and a margin,
    :func:`~tracker.services.refresh_plan.is_top`) are candidates whatever their age: the commendation is decided among them, a stale figure
    there could change who is commended, and no young listing page returns an old work."""
    with engine.connect() as conn:
        young = refresh_queries.refresh_candidates(conn, platform, now - younger_than)
        ranks = refresh_queries.interaction_ranks(conn, platform)
        known = {post_id for post_id, _ in young}
        old_top = [p for p, (_, rank) in ranks.items() if is_top(rank) and p not in known]
        extra = refresh_queries.post_urls(conn, platform, old_top)
    return sorted([*young, *extra])


def candidate_facts(engine: Engine, platform: str, post_ids: list[str]) -> list[CandidateFacts]:
    """What :func:`~tracker.services.refresh_plan.priority_order` needs for each candidate:
    publish time, the last two snapshots' interactions, the rank of the latest figures."""
    if not post_ids:
        return []
    with engine.connect() as conn:
        rows = refresh_queries.interaction_ranks(conn, platform)
        totals = refresh_queries.last_two_totals(conn, platform, set(post_ids))
    facts = []
    for post_id in post_ids:
        published, rank = rows.get(post_id, (None, None))
        last = totals.get(post_id, [])
        facts.append(
            CandidateFacts(
                key=post_id,
                published_at=_utc(published),
                latest=last[0] if last else None,
                previous=last[1] if len(last) > 1 else None,
                rank=rank,
                field=len(rows),
            )
        )
    return facts


def _utc(when: datetime | None) -> datetime | None:
    """A stored time as UTC-aware (a SQLite row may come back naive)."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=UTC)


def _young_listing(
    pages: Iterator[FetchedPage], cutoff: datetime, seen: set[str]
) -> Iterator[FetchedPage]:
    """Listing pages, newest first, until a listing holds no work published since ``cutoff``
    (it is over for the refresh window); records the works seen.

    A listing is one task of the connector (a tag's search, a roundtable's questions): a
    connector that ends a task at its first old page goes on to the next task, whose young
    works must be read too (Zhihu's roundtable answers come after its searches). One that keeps
    paging the old task ends the pass at its next page. Every simulated listing is newest
    first; an undated work counts as young (it may be).
    """
    ended: str | None = None
    for page in pages:
        posts = page.parsed.posts
        seen.update(p.platform_post_id for p in posts)
        yield page
        if ended is not None and page.task == ended:
            return  # the connector goes on paging a listing that is over
        if not any(p.published_at is None or p.published_at >= cutoff for p in posts):
            ended = page.task


def _listing_figures(
    pages: Iterator[FetchedPage],
    candidates: set[str],
    figures: dict[str, dict[str, int | None]],
    held: dict[str, PostRecord],
    wants: Callable[[str, Mapping[str, int | None]], bool],
) -> Iterator[FetchedPage]:
    """A sparse listing's pages reduced to the figures of the refresh candidates on them.

    Each card becomes a metrics-only record (its time and link kept): a card lacks text,
    topics or followers its detail gives, and a field it leaves out keeps the stored value,
    so the card refreshes what it carries and nothing else. Works that are not candidates are
    left to ``collect``, which reads them whole. ``figures`` records each card's interactions.
    A card whose work ``wants`` a detail is ``held``, not stored: its detail comes in the same
    run, and two snapshots of one read time would keep only the first; a held card is stored
    only when the budget leaves its detail out.
    """
    for page in pages:
        kept = []
        for post in page.parsed.posts:
            if post.platform_post_id not in candidates or not _carries_figures(post):
                continue
            m = post.metrics
            card = {"likes": m.likes, "comments": m.comments, "shares": m.shares}
            card["favorites"] = m.favorites
            figures[post.platform_post_id] = card
            record = _figures_only(post)
            if wants(post.platform_post_id, card):
                held[post.platform_post_id] = record
            else:
                kept.append(record)
        reduced = ParsedPage(
            posts=kept,
            has_more=page.parsed.has_more,
            cursor=page.parsed.cursor,
            claimed_total=page.parsed.claimed_total,
            rejects=list(page.parsed.rejects),
        )
        yield replace(page, parsed=reduced)


def _carries_figures(post: PostRecord) -> bool:
    m = post.metrics
    return not post.deleted and any(
        v is not None for v in (m.views, m.likes, m.comments, m.shares, m.favorites)
    )


def _figures_only(post: PostRecord) -> PostRecord:
    return PostRecord(
        platform=post.platform,
        platform_post_id=post.platform_post_id,
        captured_at=post.captured_at,
        url=post.url,
        published_at=post.published_at,
        published_at_source=post.published_at_source,
        metrics=post.metrics,
        source=post.source,
    )


def _detail_pages(
    connector: Connector,
    http: HttpClient,
    keys: list[str],
    budget: int | None,
    counts: RunCounts,
) -> Iterator[FetchedPage]:
    """``connector.refresh`` over ``keys`` in order, while the budget lasts.

    Without a budget, one call (a connector may read each author once per call). With one, a
    first call of one page of works, then calls of as many works as the budget left can pay
    for at the requests per work seen so far (a work may cost more than one request: a long
    text, a profile), and none once less than one work's worth is left; so only a work dearer
    than the ones before can take the pass past the budget. Works not reached are
    ``over_budget``.
    """
    probe = max(1, int(getattr(connector, "page_size", 20) or 20))
    start = http.stats.requests
    done = 0
    counts.detail["over_budget"] = 0
    try:
        while done < len(keys):
            spent = http.stats.requests - start
            per_work = max(1.0, spent / done) if done else 1.0
            take = len(keys) if budget is None else int((budget - spent) / per_work)
            if take <= 0:
                break
            if budget is not None and not done:
                take = min(take, probe)  # learn the cost per work before spending much
            chunk = keys[done : done + take]
            with http.purpose("detail"):
                yield from connector.refresh(chunk)
            done += len(chunk)
    finally:
        counts.detail["over_budget"] = len(keys) - done


@clear_store_errors
def refresh_platform(
    engine: Engine,
    config: TrackerConfig,
    platform: str,
    options: CollectOptions,
    younger_than: timedelta,
    on_page: PageCallback | None = None,
    budget: int | None = None,
) -> PlatformResult:
    """Bring the figures of ``platform``'s works published within ``younger_than`` up to date.

    The tag listings first (one request brings 10-20 works' metrics), then a detail request
    only for the candidates no listing returned; where the listing lacks a metric the detail
    gives, also for the listed works that matter most (recent, near the cut, still growing;
    see :mod:`tracker.services.refresh_plan`). ``budget`` (default
    ``[platforms.<id>] daily_requests``) caps the detail pass; candidates go in priority order.
    The listing pass ends at the first page with no work younger than the window, not at the
    collection's ``max_pages`` (only a generous :func:`refresh_listing_cap` guards it).
    """
    pcfg = config.platforms[platform]
    env = options.env if options.env is not None else os.environ
    clock = options.clock or (lambda: datetime.now(UTC))
    now = clock()
    budget = budget if budget is not None else pcfg.daily_requests
    works = refresh_candidates(engine, platform, younger_than, now)
    facts = candidate_facts(engine, platform, [post_id for post_id, _ in works])
    covers = listing_covers_metrics(platform)
    dated = [f for f in facts if f.published_at is not None]
    stored = {} if covers else _stored_interactions(engine, platform, works)
    run_id = start_run(engine, kind="refresh", platform=platform, now=now)
    counts = RunCounts(detail={"candidates": len(works)})
    counts.detail["estimate"] = (
        refresh_requests(
            len(dated),
            listing_page_size(platform, pcfg.page_size),
            covers,
            len(works) - len(dated),
            budget,
            sum(1 for f in dated if wants_detail(f, now)),
        )
        if works
        else {"listing": 0, "detail": 0, "over_budget": 0}
    )
    http = None
    campaign_posts = 0
    stopped = False
    listed: set[str] = set()
    try:
        http = build_http(platform, pcfg, options, env)
        counts.http = http.stats
        counts.detail["requests"] = http.stats.by_purpose  # the live counts, saved each page
        connector = build_connector(platform, http, pcfg, clock, refresh=True)
        oldest = min([now - younger_than, *(f.published_at for f in dated if f.published_at)])
        _hand_stored(counts, engine, connector, now, oldest)
        store = functools.partial(
            run_pages,
            engine,
            platform,
            config=config,
            run_id=run_id,
            counts=counts,
            clock=clock,
            source="live",
            on_page=on_page,
            should_stop=options.should_stop,
        )
        figures: dict[str, dict[str, int | None]] = {}
        held: dict[str, PostRecord] = {}
        if works:  # with no candidate, no request at all: new works are collect's job
            cutoff = _listing_reach(engine, platform, pcfg, now - younger_than, dated, covers)
            request = _collect_request(
                config,
                # A sparse listing is read newest first from the top, unsliced: the pass stops
                # by itself at the window's end, and Bilibili's search would otherwise spend a
                # request on every day of the window.
                since=cutoff if covers else None,
                until=None,
                # Ends at the window's end (_young_listing), not at the collection's page cap.
                max_pages=options.max_pages or refresh_listing_cap(pcfg.max_pages),
                cursor={},
            )
            pages = _young_listing(connector.collect(request), cutoff, listed)
            if not covers:
                wants = functools.partial(_wants_detail, {f.key: f for f in facts}, stored, now)
                pages = _listing_figures(pages, {k for k, _ in works}, figures, held, wants)
            campaign_posts, _, stopped = store(pages)
            if not covers:
                listed = set(figures)
            counts.detail["listed"] = sum(1 for post_id, _ in works if post_id in listed)
        if not stopped:
            by_id = dict(works)
            if covers:
                order = [k for k in priority_order(facts, now) if k not in listed]
            else:
                order = _sparse_detail_order(facts, figures, stored, now)
                counts.detail["listing_only"] = len(listed) - sum(1 for k in order if k in listed)
            keys = connector.refresh_keys([(k, by_id[k]) for k in order])
            posts, _, stopped = store(_detail_pages(connector, http, keys, budget, counts))
            campaign_posts += posts
            left = order[len(order) - counts.detail.get("over_budget", 0) :]
            if not stopped and any(k in held for k in left):  # their listing figures, then
                page = FetchedPage(
                    parsed=ParsedPage(posts=[held[k] for k in left if k in held]),
                    cursor={},
                    url="",
                    task="refresh:listing",
                )
                posts, _, stopped = store(iter([page]))
                campaign_posts += posts
    except ConnectorError as exc:
        status, message = stop_message(platform, exc, pcfg, http)
        _record_requests(counts, http)
        finish_run(engine, run_id, status=status, counts=counts, error=message, now=clock())
        return PlatformResult(platform, status, run_id, counts, message)
    except ConfigError as exc:  # a bad signer or HTTP setting: this platform only, as in collect
        finish_run(engine, run_id, status="failed", counts=counts, error=str(exc), now=clock())
        return PlatformResult(platform, "failed", run_id, counts, str(exc))
    except DBAPIError as exc:
        mark_failed_quietly(engine, run_id, counts, exc, clock())
        raise
    finally:
        if http is not None:
            http.close()
    _record_requests(counts, http)
    status = "interrupted" if stopped else "ok"
    finish_run(engine, run_id, status=status, counts=counts, now=clock())
    return PlatformResult(platform, status, run_id, counts, None, campaign_posts)


def _listing_reach(
    engine: Engine,
    platform: str,
    pcfg: PlatformConfig,
    window_start: datetime,
    dated: list[CandidateFacts],
    covers: bool,
) -> datetime:
    """Where the listing pass ends: the window's start, or further back where the listing
    carries every metric and its pages down to old top works are cheaper than their details
    (:func:`~tracker.services.refresh_plan.listing_reach`)."""
    old = [f.published_at for f in dated if f.published_at and f.published_at < window_start]
    if not covers or not old:
        return window_start
    with engine.connect() as conn:
        shown = [
            t
            for t in map(_utc, refresh_queries.published_times(conn, platform, min(old)))
            if t is not None
        ]
    return listing_reach(window_start, old, shown, listing_page_size(platform, pcfg.page_size))


def _stored_interactions(
    engine: Engine, platform: str, works: list[tuple[str, str | None]]
) -> dict[str, dict[str, int | None]]:
    if not works:
        return {}
    with engine.connect() as conn:
        return refresh_queries.stored_interactions(conn, platform, {k for k, _ in works})


def _sparse_detail_order(
    facts: list[CandidateFacts],
    figures: Mapping[str, Mapping[str, int | None]],
    stored: Mapping[str, Mapping[str, int | None]],
    now: datetime,
) -> list[str]:
    """Candidates a sparse listing leaves a detail for, in priority order: every one it did not
    return, and the listed ones :func:`wants_detail` picks, a listed work's growth judged by
    its listing figures against the stored figures of the same metrics."""
    judged = [
        _judged(fact, figures[fact.key], stored) if fact.key in figures else fact for fact in facts
    ]
    wanted = {f.key for f in judged if f.key not in figures or wants_detail(f, now)}
    return [k for k in priority_order(judged, now) if k in wanted]


def _judged(
    fact: CandidateFacts,
    card: Mapping[str, int | None],
    stored: Mapping[str, Mapping[str, int | None]],
) -> CandidateFacts:
    """A listed candidate's facts with its growth judged by its listing card."""
    grew = listing_grew(card, stored.get(fact.key, {}))
    return replace(fact, latest=grew[0] if grew else None, previous=grew[1] if grew else None)


def _wants_detail(
    facts: Mapping[str, CandidateFacts],
    stored: Mapping[str, Mapping[str, int | None]],
    now: datetime,
    key: str,
    card: Mapping[str, int | None],
) -> bool:
    fact = facts.get(key)
    return fact is not None and wants_detail(_judged(fact, card, stored), now)


def _hand_stored(
    counts: RunCounts,
    engine: Engine,
    connector: Connector,
    now: datetime,
    published_since: datetime | None,
) -> None:
    """Give the connector what the store holds that spares it requests (recent follower
    readings, full texts: :mod:`tracker.services.stored_facts`), counted in the run's detail."""
    facts = hand_stored_facts(engine, connector, now, published_since)
    if getattr(connector, "uses_stored", None):
        counts.detail["stored_facts"] = {
            "followers": len(facts.followers),
            "text_chars": len(facts.text_chars),
        }


def _record_requests(counts: RunCounts, http: HttpClient | None) -> None:
    """The run's requests by purpose, as a plain copy for the run row."""
    if http is not None:
        counts.detail["requests"] = dict(http.stats.by_purpose)
