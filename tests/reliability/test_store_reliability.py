"""Store-level reliability on SQLite and PostgreSQL (``any_engine``): crashes inside a page's
transaction, resumes, and values no real platform sends but a broken one might.

A crash here is an exception that nothing in the product catches (a ``BaseException``), raised
at a chosen point inside the page transaction — what a SIGKILL does to the process, minus the
process. Because it runs in-process it works the same against PostgreSQL, where the subprocess
kill test (SQLite files) cannot reach.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

import tracker.services.collect as collect_mod
from connectors.base import FetchedPage
from tracker.config import TrackerConfig
from tracker.records import Metrics, ParsedPage, PostRecord
from tracker.services.collect import collect_platform
from tracker.sim.api import SimServer
from tracker.store.models import Post, Run

from ..helpers.database import duplicate_keys, snapshot_counts
from ..helpers.simulator import LIVE, assert_equal_to_truth, collect_until_done, sim_options


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so no handler in the product sees it."""


def _post_keys(engine: Engine, platform: str) -> set[str]:
    post = Post.__table__
    with engine.connect() as conn:
        q = select(post.c.platform_post_id).where(post.c.platform == platform)
        return set(conn.execute(q).scalars())


def test_page_and_cursor_commit_together(
    store: Engine, config: TrackerConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dying after a page's rows are written but before its cursor is: neither is kept."""
    committed: list[str] = []
    real_update = collect_mod.update_run
    calls = {"n": 0}

    def update_then_die(conn, run_id, counts, cursor):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise Crash  # the page's upsert ran in this very transaction
        real_update(conn, run_id, counts, cursor)

    def on_page(_platform: str, page: FetchedPage | None, _counts: Any) -> None:
        if page is not None:
            committed.extend(p.platform_post_id for p in page.parsed.posts)

    with SimServer(seed=71, scale=60) as sim:
        options = sim_options(sim)
        monkeypatch.setattr(collect_mod, "update_run", update_then_die)
        with pytest.raises(Crash):
            collect_platform(store, config, "weibo", options, on_page)
        monkeypatch.setattr(collect_mod, "update_run", real_update)
        assert _post_keys(store, "weibo") == set(committed)
        with store.connect() as conn:
            run = conn.execute(select(Run.__table__)).one()
        assert run.status == "running" and run.pages == 2  # the last committed state
        result = collect_platform(store, config, "weibo", sim_options(sim))
        assert result.status == "ok"
        assert result.counts.detail.get("resumed_from_run") == run.id
        assert_equal_to_truth(store, sim, platforms=("weibo",))


def _dying_store(real_store: Any, pages: int) -> Any:
    """``PageStore.store`` that writes ``pages`` pages, then dies inside the next one."""
    left = {"n": pages}

    def store(self, conn, page, **kw):  # type: ignore[no-untyped-def]
        result = real_store(self, conn, page, **kw)
        left["n"] -= 1
        if left["n"] == 0:
            raise Crash
        return result

    return store


def crash_and_resume(engine: Engine, config: TrackerConfig, *, crashes: int, seed: int) -> dict:
    """Crash collections at seeded random pages, resuming each time, then finish cleanly."""
    rng = random.Random(seed)
    real_store = collect_mod.PageStore.store
    done = 0
    with SimServer(seed=seed, scale=25) as sim:
        for _ in range(crashes * 4):
            if done == crashes:
                break
            collect_mod.PageStore.store = _dying_store(real_store, rng.randrange(1, 30))  # type: ignore[method-assign]
            try:
                collect_until_done(engine, config, lambda: sim_options(sim), max_runs=1)
            except Crash:
                done += 1
            except AssertionError:
                pass  # a platform left pending is fine here; the next round resumes it
            finally:
                collect_mod.PageStore.store = real_store  # type: ignore[method-assign]
        collect_until_done(engine, config, lambda: sim_options(sim))
        assert_equal_to_truth(engine, sim)
    assert duplicate_keys(engine) == {}
    total, works = snapshot_counts(engine)
    assert total == works
    with engine.connect() as conn:
        runs = conn.execute(select(Run.__table__)).all()
    assert not [r for r in runs if r.status == "running"], "a crashed run was never resumed"
    latest = {r.platform: r.status for r in sorted(runs, key=lambda r: r.id)}
    assert latest == dict.fromkeys(LIVE, "ok")
    return {"crashes": done, "runs": len(runs)}


def test_crashes_mid_page_then_resume(store: Engine, config: TrackerConfig) -> None:
    stats = crash_and_resume(store, config, crashes=3, seed=72)
    assert stats["crashes"] == 3


@pytest.mark.long
def test_crashes_mid_page_then_resume_long(store: Engine, config: TrackerConfig) -> None:
    stats = crash_and_resume(store, config, crashes=20, seed=73)
    print(f"\nCRASHES: {stats}")
    assert stats["crashes"] == 20


class _FakeConnector:
    """Yields prepared pages (values a broken platform might send)."""

    def __init__(self, pages: list[FetchedPage]) -> None:
        self.pages = pages

    def collect(self, _request: Any) -> Iterator[FetchedPage]:
        yield from self.pages

    def refresh(self, _ids: list[str]) -> Iterator[FetchedPage]:
        yield from ()


def test_absurd_claimed_total_is_not_stored(
    store: Engine, config: TrackerConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A platform claiming 10^30 results must not break the run row (64-bit column)."""
    from datetime import UTC, datetime

    now = datetime(2024, 9, 20, tzinfo=UTC)
    post = PostRecord(
        platform="weibo",
        platform_post_id="1",
        captured_at=now,
        text="#千万IP创科普#",
        hashtags=["千万IP创科普"],
        metrics=Metrics(likes=1),
    )
    pages = [
        FetchedPage(ParsedPage(posts=[post], claimed_total=10**30), {"page": 2}, "u", "a"),
        FetchedPage(ParsedPage(claimed_total=-5), {"page": 3}, "u", "b"),
    ]
    monkeypatch.setattr(collect_mod, "build_connector", lambda *a, **k: _FakeConnector(pages))
    options = collect_mod.CollectOptions(clock=lambda: now, base_urls={"weibo": "http://x"})
    result = collect_platform(store, config, "weibo", options)
    assert result.status == "ok"
    with store.connect() as conn:
        run = conn.execute(select(Run.__table__)).one()
    assert run.claimed_total is None and run.pages == 2
