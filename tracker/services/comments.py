"""The comment stage (作品互动): read the comments of a day's chosen works, platform by platform.

Runs after the listings: in ``tracker collect`` (unless ``--no-comments``) and at the end of the
scheduled ``refresh`` job (so the choice sees the day's figures), one ``comments`` run per
platform.
The works are chosen by :mod:`tracker.services.comment_choice` from the store (hub works, top
works, registry works; recently read works whose count did not grow left out); each is read
through its connector's ``comments`` (at most ``[comments] max_pages_per_work`` requests) and
stored page by page through the page store, so a run counts the comments it stored
(``comments``, ``comments_new``) and keeps them whatever happens next.

A failed read costs that thread or that work (counted in ``incomplete``); a session-wide
failure (login wall, block, missing signer) stops the platform's comment reading with what
was read stored, exactly as a listing run stops. The run's ``detail.read`` names each work
read without a gap, with the comment count stored when it was read: the next runs' re-read
rule (:func:`tracker.store.queries.comment_candidates.recent_comment_reads`). Its
``detail.complete`` lists the works read to their last comment (no gap, no page cap): only
there may the ranking compare the comments it could read with the count the platform claims
(:func:`tracker.store.queries.comments.completely_read`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from connectors.base import CommentWork, Connector, FetchedPage
from tracker.config import TrackerConfig
from tracker.errors import ConfigError, ConnectorError, TrackerError
from tracker.services.collect import (
    CollectOptions,
    PageCallback,
    PlatformResult,
    build_connector,
    build_http,
    clear_store_errors,
    mark_failed_quietly,
    run_pages,
    side_by_side,
    stop_message,
)
from tracker.services.comment_choice import (
    Candidate,
    Choice,
    choose_works,
    expected_pages,
    hub_works,
)
from tracker.store.queries import comment_candidates as queries
from tracker.store.runs import RunCounts, finish_run, interrupt_stale_run, start_run

log = logging.getLogger(__name__)

__all__ = [
    "choose_platform_works",
    "collect_comments",
    "comment_platforms",
    "comments_platform",
]

Clock = Callable[[], datetime]


def choose_platform_works(
    conn: Connection,
    config: TrackerConfig,
    platform: str,
    now: datetime,
    project: Callable[[list[Candidate]], list[Candidate]] | None = None,
) -> Choice:
    """The day's works of ``platform`` from the store, as the stage reads them (the plan asks
    the same question). ``project`` lets the plan, read hours before the stage runs, put each
    candidate's expected comment count in place of the stored one; the stage passes none."""
    cc = config.comments
    hubs = hub_works(cc.hub_works)[0].get(platform, [])
    stored = queries.stored_works(conn, platform, [h.post_id for h in hubs])
    hub = []
    for h in hubs:
        _, url, count = stored.get(h.post_id, (h.post_id, None, None))
        hub.append(Candidate(h.post_id, h.url or url, count))
    recent = queries.recent_comment_reads(
        conn, platform, now - timedelta(hours=cc.reread_after_hours)
    )
    room = cc.daily_works_per_platform + len(recent) + len(hub)  # places lost to skips
    top = [Candidate(*row) for row in queries.top_campaign_works(conn, platform, room)]
    registry = [Candidate(*row) for row in queries.registry_campaign_works(conn, platform, room)]
    if project is not None:
        hub, top, registry = project(hub), project(top), project(registry)
    return choose_works(hub, top, registry, recent_reads=recent, daily=cc.daily_works_per_platform)


def comment_platforms(config: TrackerConfig, platforms: list[str] | None = None) -> list[str]:
    """The platforms whose comments are read: those asked for (default: every enabled live
    platform) whose connector reads comments."""
    from connectors.registry import connector_class

    chosen = platforms or config.enabled_platforms()
    out = []
    for platform in chosen:
        if platform not in config.platforms:
            raise TrackerError(f"未配置的平台 {platform!r}")
        try:
            reads = connector_class(platform).reads_comments
        except ConfigError:  # an import-only platform
            reads = False
        if reads:
            out.append(platform)
    return out


def _work_pages(
    connector: Connector,
    works: list[Candidate],
    max_pages: int,
    read: dict[str, int | None],
    complete: list[str],
) -> Iterator[FetchedPage]:
    """Every chosen work's comment pages; a work read without a gap goes into ``read``, and
    into ``complete`` when no page cap cut it short either (once its last page is stored,
    since the store runs between two pages)."""
    for work in works:
        gaps = 0
        capped = False
        for page in connector.comments(CommentWork(work.post_id, work.url), max_pages=max_pages):
            gaps += page.parsed.incomplete.get("comments", 0)
            capped = bool(page.cursor.get("capped")) if isinstance(page.cursor, dict) else capped
            yield page
        if not gaps:
            read[work.post_id] = work.comments
            if not capped:
                complete.append(work.post_id)


@clear_store_errors
def comments_platform(
    engine: Engine,
    config: TrackerConfig,
    platform: str,
    options: CollectOptions,
    on_page: PageCallback | None = None,
) -> PlatformResult:
    """Read the comments of ``platform``'s works chosen for today into the store."""
    pcfg = config.platforms[platform]
    cc = config.comments
    env = options.env if options.env is not None else os.environ
    clock = options.clock or (lambda: datetime.now(UTC))
    now = clock()
    # A killed comment run left its row ``running``; close it even when today has nothing to
    # read, so ``status`` never shows a stage as running for ever. Its stored pages stay.
    interrupt_stale_run(engine, kind=queries.COMMENT_RUN_KIND, platform=platform)
    with engine.connect() as conn:
        choice = choose_platform_works(conn, config, platform, now)
    if not choice.works:  # nothing to read today: no request, no run row
        detail = {"works": 0, "skipped_recent": choice.skipped_recent, "comments": 0}
        return PlatformResult(platform, "ok", None, RunCounts(detail=detail), None)
    run_id = start_run(engine, kind=queries.COMMENT_RUN_KIND, platform=platform, now=now)
    read: dict[str, int | None] = {}
    complete: list[str] = []
    counts = RunCounts(
        detail={
            "works": len(choice.works),
            "chosen": choice.counts(),
            "skipped_recent": choice.skipped_recent,
            "over_daily": choice.over_daily,
            "max_pages_per_work": cc.max_pages_per_work,
            "estimate": sum(
                expected_pages(platform, w.comments, cc.max_pages_per_work) for w in choice.works
            ),
            "comments": 0,
            "comments_new": 0,
            "read": read,
            "complete": complete,
        }
    )
    http = None
    stopped = False
    try:
        http = build_http(platform, pcfg, options, env)
        counts.http = http.stats
        counts.detail["requests"] = http.stats.by_purpose  # the live counts, saved each page
        connector = build_connector(platform, http, pcfg, clock)
        _, _, stopped = run_pages(
            engine,
            platform,
            _work_pages(connector, choice.works, cc.max_pages_per_work, read, complete),
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
        _finish(engine, run_id, counts, http, clock, status=status, error=message)
        return PlatformResult(platform, status, run_id, counts, message)
    except ConfigError as exc:
        _finish(engine, run_id, counts, http, clock, status="failed", error=str(exc))
        return PlatformResult(platform, "failed", run_id, counts, str(exc))
    except DBAPIError as exc:
        mark_failed_quietly(engine, run_id, counts, exc, clock())
        raise
    finally:
        if http is not None:
            http.close()
    status = "interrupted" if stopped else "ok"
    _finish(engine, run_id, counts, http, clock, status=status)
    return PlatformResult(platform, status, run_id, counts, None)


def _finish(
    engine: Engine,
    run_id: int,
    counts: RunCounts,
    http: Any,
    clock: Clock,
    *,
    status: str,
    error: str | None = None,
) -> None:
    if http is not None:
        counts.detail["requests"] = dict(http.stats.by_purpose)
    finish_run(engine, run_id, status=status, counts=counts, error=error, now=clock())


def collect_comments(
    engine: Engine,
    config: TrackerConfig,
    options: CollectOptions,
    on_page: PageCallback | None = None,
    *,
    skip: Mapping[str, str] | None = None,
) -> list[PlatformResult]:
    """The comment stage over ``options.platforms`` (default: every enabled live platform),
    side by side as ``collect`` runs platforms; nothing when ``[comments] enabled`` is false.
    ``skip`` names platforms left out (their listing just stopped on a session failure)."""
    if not config.comments.enabled:
        return []
    platforms = [p for p in comment_platforms(config, options.platforms) if p not in (skip or {})]
    run = partial(comments_platform, engine, config)
    return side_by_side(engine, platforms, options, on_page, run, name="comments")
