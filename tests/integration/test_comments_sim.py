"""The comment stage over the simulator: the stored comments of the chosen works equal the truth.

A small world is collected into a real SQLite file, then ``collect_comments`` reads the day's
works (one hub work per platform, then the top works, then registry works) and the ``comment``
table is compared with :func:`tracker.sim.truth.comment_truth` at the same virtual instant:
ids, thread and parent, commenter, text and likes, on all six live platforms.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tracker.cli.commands_plan import plan_rows
from tracker.config import TrackerConfig
from tracker.services.collect import PlatformResult
from tracker.services.comments import collect_comments
from tracker.services.plan import build_request_plan
from tracker.sim.api import SimServer
from tracker.sim.comments import CommentConfig
from tracker.sim.truth import comment_truth
from tracker.sim.world import World
from tracker.store.engine import make_engine
from tracker.store.models import Comment, Run

from ..helpers.database import make_db
from ..helpers.simulator import LIVE, collect_until_done, sim_options, sim_units

SEED, SCALE = 7, 12
DAILY, MAX_PAGES = 3, 30
"""Three works a platform, and a page cap no work of this world reaches (40 comments at most)."""


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=SEED, scale=SCALE, comments=CommentConfig(cap=40))


def _hub_entry(world: World, sim: SimServer, platform: str, db: Engine) -> str:
    """The platform's least-engaged stored campaign work, as staff would name it: Xiaohongshu by
    its link (which carries the note's token), the others by id."""
    from tracker.store.queries.comment_candidates import top_campaign_works

    with db.connect() as conn:
        post_id = top_campaign_works(conn, platform, 1000)[-1][0]
    if platform == "xiaohongshu":
        post = world.post(platform, post_id, now=sim.now)
        assert post is not None
        token = post.extra["xsec_token"]
        return f"{platform}:https://www.xiaohongshu.com/explore/{post_id}?xsec_token={token}"
    return f"{platform}:{post_id}"


@pytest.fixture
def collected(world: World, config: TrackerConfig, tmp_path: Path, request: Any) -> Iterator[Any]:
    profile = getattr(request, "param", "none")
    with SimServer(world=world, faults=profile, fault_options={"slow_s": 0.0}) as sim:
        db = make_db(tmp_path, config, sim_units(world, tmp_path))
        try:
            collect_until_done(db, config, lambda: sim_options(sim, http={"rate_per_s": None}))
            config.comments.daily_works_per_platform = DAILY
            config.comments.max_pages_per_work = MAX_PAGES
            config.comments.hub_works = [_hub_entry(world, sim, p, db) for p in LIVE]
            yield sim, db
        finally:
            db.dispose()


def _stored(db: Engine, platform: str, post_id: str) -> dict[str, tuple[Any, ...]]:
    c = Comment.__table__
    with db.connect() as conn:
        rows = conn.execute(
            select(
                c.c.platform_comment_id,
                c.c.root_comment_id,
                c.c.parent_comment_id,
                c.c.commenter_uid,
                c.c.text,
                c.c.likes,
            ).where(c.c.platform == platform, c.c.platform_post_id == post_id)
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def _truth(world: World, sim: SimServer, platform: str, post_id: str) -> dict[str, tuple[Any, ...]]:
    record = comment_truth(world, platform, post_id, sim.now)
    assert record is not None, (platform, post_id)
    out = {}
    for c in record["comments"]:
        # A Kuaishou reply names the user it answers, never the comment: its parent is its root.
        parent = c["root_id"] if platform == "kuaishou" else c["parent_id"]
        out[c["comment_id"]] = (
            c["root_id"],
            parent,
            c["commenter_uid"],
            c["text"],
            c["likes"],
        )
    return out


def _read_works(db: Engine, result: PlatformResult) -> dict[str, Any]:
    with db.connect() as conn:
        detail = conn.execute(
            select(Run.__table__.c.detail).where(Run.__table__.c.id == result.run_id)
        ).scalar_one()
    return detail


def _assert_stage_equals_truth(world: World, sim: SimServer, db: Engine, config) -> dict:
    results = collect_comments(db, config, sim_options(sim, http={"rate_per_s": None}))
    assert [r.platform for r in results] == list(LIVE)
    measured = {}
    for r in results:
        assert r.status == "ok", (r.platform, r.message)
        detail = _read_works(db, r)
        assert detail["works"] == DAILY
        assert detail["chosen"]["hub"] == 1
        read = detail["read"]
        assert len(read) == DAILY, (r.platform, detail)
        total = 0
        for post_id in read:
            want = _truth(world, sim, r.platform, post_id)
            got = _stored(db, r.platform, post_id)
            assert got == want, (r.platform, post_id, len(got), len(want))
            total += len(want)
        assert total > 0, r.platform
        requests = detail["requests"]
        first_attempts = requests.get("comments", 0) - requests.get("retry", 0)
        assert 0 < first_attempts <= DAILY * MAX_PAGES, (r.platform, requests)
        assert set(requests) <= {"comments", "retry"}, requests
        assert detail["comments"] >= total and detail["comments_new"] == total
        measured[r.platform] = {"comments": total, "requests": first_attempts}
    return measured


def test_comment_stage_stores_exactly_the_truth_on_every_platform(world, collected, config):
    sim, db = collected
    plans = {p.platform: p for p in build_request_plan(db, config, sim.now)}
    measured = _assert_stage_equals_truth(world, sim, db, config)
    print("comment requests per platform, planned / measured:")
    for platform, seen in measured.items():
        job = next(j for j in plans[platform].jobs if j.job == "comments")
        print(f"  {platform}: {job.requests.comments} / {seen['requests']} ({seen['comments']})")
        assert plans[platform].inputs["comment_works"] == DAILY
        assert 0 < job.requests.comments <= DAILY * MAX_PAGES
    rows = plan_rows(list(plans.values()))
    assert sum(1 for row in rows if row[1] == "评论读取") == len(LIVE)
    # Read again at once: every work was just read and its count has not grown, so the day's
    # places go to works not read yet (none are skipped for growth in a still world).
    again = collect_comments(db, config, sim_options(sim, http={"rate_per_s": None}))
    for r in again:
        assert r.counts.detail["skipped_recent"] >= DAILY, (r.platform, r.counts.detail)
        assert not set(r.counts.detail["read"]) & set(_prior_reads(db, r.platform, r.run_id))


def _prior_reads(db: Engine, platform: str, before_run: int | None) -> dict[str, Any]:
    run = Run.__table__
    with db.connect() as conn:
        rows = conn.execute(
            select(run.c.detail).where(
                run.c.platform == platform, run.c.kind == "comments", run.c.id != before_run
            )
        ).scalars()
        out: dict[str, Any] = {}
        for detail in rows:
            out.update(detail.get("read") or {})
    return out


@pytest.mark.parametrize("collected", ["flaky"], indirect=True)
def test_comment_stage_under_flaky_faults_still_equals_the_truth(world, collected, config):
    sim, db = collected
    _assert_stage_equals_truth(world, sim, db, config)
    assert sum(sum(v.values()) for v in sim.fault_counts().values()) > 0


def test_a_login_wall_mid_reading_keeps_what_was_read(world, config, tmp_path):
    """A second server on the same world walls every platform after a few requests: the stage
    stops each platform with the cookie to renew, and every comment it stored is the truth's."""
    with SimServer(world=world) as sim:
        db = make_db(tmp_path, config, sim_units(world, tmp_path))
        collect_until_done(db, config, lambda: sim_options(sim, http={"rate_per_s": None}))
    config.comments.daily_works_per_platform = DAILY
    config.comments.max_pages_per_work = MAX_PAGES
    try:
        with SimServer(world=world, faults="login-wall", fault_options={"login_after": 2}) as wall:
            wall.set_clock(sim.now)
            results = collect_comments(db, config, sim_options(wall))
        for r in results:
            assert r.status == "login_required", (r.platform, r.status)
            assert f"TRACKER_{r.platform.upper()}_COOKIE" in (r.message or "")
            c = Comment.__table__
            with db.connect() as conn:
                works = set(
                    conn.execute(
                        select(c.c.platform_post_id).where(c.c.platform == r.platform)
                    ).scalars()
                )
            assert r.counts.detail["comments"] > 0, r.platform  # two requests got through
            for post_id in works:
                got = _stored(db, r.platform, post_id)
                want = _truth(world, wall, r.platform, post_id)
                assert got.items() <= want.items(), (r.platform, post_id)
            assert len(r.counts.detail["read"]) < DAILY  # the walled work is not "read"
    finally:
        db.dispose()


def test_tracker_collect_reads_comments_unless_told_not_to(tmp_path, capsys):
    from ..helpers.cli import collect_args, run_in_process
    from ..helpers.database import config_and_database

    config_path, db_path = config_and_database(tmp_path)
    run = Run.__table__

    def kinds() -> list[str]:
        engine = make_engine(f"sqlite:///{db_path}")
        try:
            with engine.connect() as conn:
                return list(conn.execute(select(run.c.kind)).scalars())
        finally:
            engine.dispose()

    base = ["--db", str(db_path), "--config", str(config_path)]
    with SimServer(seed=91, scale=10) as sim:
        code, out, err = run_in_process(
            [*base, *collect_args(sim, ["weibo"]), "--no-comments"], capsys
        )
        assert code == 0, err
        assert kinds() == ["collect"] and "评论采集结果" not in out
        code, out, err = run_in_process([*base, *collect_args(sim, ["weibo"])], capsys)
        assert code == 0, err
    assert kinds() == ["collect", "collect", "comments"]
    assert "评论采集结果" in out


def test_the_scheduled_refresh_job_reads_the_days_comments_after_refreshing(
    world, collected, config, tmp_path
):
    from tracker.schedule.jobs import JobContext, refresh

    sim, db = collected

    class Alerts:
        def send(self, alert: Any) -> None:
            raise AssertionError(alert)

    ctx = JobContext(
        engine=db,
        config=config,
        job_id="refresh",
        scheduled_for=sim.now,
        now=lambda: sim.now,
        should_stop=lambda: False,
        alerts=Alerts(),
        reports_dir=tmp_path / "reports",
        collect_options=sim_options(sim, http={"rate_per_s": None}),
    )
    outcome = refresh(ctx)
    assert outcome.status == "ok", outcome.error
    assert set(outcome.counts.detail["comments"]) == set(LIVE)
    run = Run.__table__
    with db.connect() as conn:
        kinds = list(conn.execute(select(run.c.kind).order_by(run.c.id)).scalars())
    assert kinds[-len(LIVE) :] == ["comments"] * len(LIVE)  # after every platform's refresh
    assert kinds[-2 * len(LIVE) : -len(LIVE)] == ["refresh"] * len(LIVE)


def test_a_killed_comment_run_is_closed_by_the_next_stage_even_with_nothing_to_read(
    config, tmp_path
):
    """A process killed mid-stage leaves its comment run ``running``; the next stage on that
    platform marks it ``interrupted`` before it chooses works, though it chooses none."""
    from tracker.services.collect import CollectOptions
    from tracker.store.runs import start_run

    db = make_db(tmp_path, config)
    try:
        killed = start_run(db, kind="comments", platform="weibo")
        other = start_run(db, kind="comments", platform="douyin")
        results = collect_comments(db, config, CollectOptions(platforms=["weibo"]))
        assert [r.run_id for r in results] == [None]  # nothing to read: no new run row
        with db.connect() as conn:
            status = dict(conn.execute(select(Run.id, Run.status)).all())
        assert status[killed] == "interrupted"
        assert status[other] == "running"  # another platform's stage is not this one's to close
    finally:
        db.dispose()
