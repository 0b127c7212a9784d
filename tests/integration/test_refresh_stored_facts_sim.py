"""The refresh and the collection hand their connector what the store already holds, so no
request fetches it again: the authors with a follower reading from the last 24 hours (Kuaishou,
Xiaohongshu: profiles are read once per account per day at most) and the posts held with their
full text (Weibo: no long-text re-read). And the current top works are refresh candidates
whatever their age, so the works the commendation is decided among are fresh every day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from tracker.services import refresh_plan
from tracker.services.collect import collect, refresh_candidates, refresh_platform
from tracker.sim.api import SimServer
from tracker.store.models import Account, MetricSnapshot, Post, PostCampaign

from ..helpers.simulator import sim_options

POST, SNAP, ACCOUNT = Post.__table__, MetricSnapshot.__table__, Account.__table__
LINK = PostCampaign.__table__
WINDOW = timedelta(days=30)
NO_LIMIT = {"rate_per_s": None}


@pytest.fixture(scope="module")
def world() -> SimServer:
    with SimServer(seed=5, scale=300, faults="none") as sim:
        yield sim


def _followers(db: Engine, platform: str) -> dict[str, int | None]:
    with db.connect() as conn:
        rows = conn.execute(
            select(ACCOUNT.c.platform_uid, ACCOUNT.c.followers).where(
                ACCOUNT.c.platform == platform
            )
        )
        return {uid: followers for uid, followers in rows}


def _snapshot_followers(db: Engine, run_id: int) -> list[int | None]:
    with db.connect() as conn:
        return list(
            conn.execute(select(SNAP.c.followers_at_capture).where(SNAP.c.run_id == run_id))
            .scalars()
            .all()
        )


@pytest.mark.parametrize("platform", ["kuaishou", "xiaohongshu"])
def test_authors_read_in_the_last_24_hours_are_not_read_again(
    db, config, world: SimServer, platform: str
) -> None:
    sim = world
    start = sim.now
    try:
        done = collect(db, config, sim_options(sim, http=NO_LIMIT, platforms=[platform]))
        assert [r.status for r in done] == ["ok"]
        assert done[0].counts.detail["requests"].get("profile", 0) > 0  # collect read them
        read = _followers(db, platform)
        sim.advance(3600)
        soon = refresh_platform(db, config, platform, sim_options(sim, http=NO_LIMIT), WINDOW)
        sim.advance(25 * 3600)
        later = refresh_platform(db, config, platform, sim_options(sim, http=NO_LIMIT), WINDOW)
    finally:
        sim.set_clock(start)
    assert soon.status == later.status == "ok"
    # An hour after the collection every author has a reading: the service passed them all...
    known = soon.counts.detail["stored_facts"]["followers"]
    assert known == sum(1 for v in read.values() if v is not None) > 0
    # ...and the detail pass read none of their profiles, only the works' details.
    assert soon.counts.detail["requests"].get("detail", 0) > 0
    assert soon.counts.detail["requests"].get("profile", 0) == 0
    assert set(_snapshot_followers(db, soon.run_id)) == {None}  # no copied figure
    assert _followers(db, platform) == read  # the stored followers stay
    # A day later the readings are older than 24 hours: the profiles are read again.
    assert later.counts.detail["stored_facts"]["followers"] == 0
    assert later.counts.detail["requests"].get("profile", 0) > 0


def test_weibo_posts_held_in_full_cost_no_long_text_read(db, config, world: SimServer) -> None:
    sim = world
    start = sim.now
    try:
        done = collect(db, config, sim_options(sim, http=NO_LIMIT, platforms=["weibo"]))
        assert [r.status for r in done] == ["ok"]
        assert done[0].counts.detail["requests"].get("detail", 0) > 0  # long texts read
        with db.connect() as conn:
            texts = _texts(conn)
        sim.advance(3600)
        result = refresh_platform(db, config, "weibo", sim_options(sim, http=NO_LIMIT), WINDOW)
    finally:
        sim.set_clock(start)
    assert result.status == "ok"
    assert result.counts.detail["stored_facts"]["text_chars"] > 0
    unlisted = result.counts.detail["candidates"] - result.counts.detail["listed"]
    # statuses/show for the works no listing returned, and not one long text besides
    assert result.counts.detail["requests"].get("detail", 0) == unlisted
    assert result.counts.detail.get("incomplete", {}).get("long_text", 0) == 0
    with db.connect() as conn:
        after = _texts(conn)
    assert after == texts  # the full texts stay as they were


def _texts(conn) -> dict[str, str | None]:
    q = select(POST.c.platform_post_id, POST.c.text).where(POST.c.platform == "weibo")
    return {post_id: text for post_id, text in conn.execute(q)}


def _raw_ranks(db: Engine, platform: str) -> list[tuple[str, int]]:
    """(post id, likes + comments + shares + favourites) of the platform's campaign works, the
    largest first: the ranking's raw interactions, counted here in Python."""
    metrics = (POST.c.likes, POST.c.comments, POST.c.shares, POST.c.favorites)
    with db.connect() as conn:
        campaign = set(
            conn.execute(
                select(LINK.c.platform_post_id).where(
                    LINK.c.platform == platform, LINK.c.excluded.is_(False)
                )
            ).scalars()
        )
        rows = conn.execute(
            select(POST.c.platform_post_id, *metrics).where(
                POST.c.platform == platform, POST.c.deleted.is_(False)
            )
        ).all()
    totals = [(r[0], sum(v or 0 for v in r[1:])) for r in rows if r[0] in campaign]
    return sorted(totals, key=lambda t: -t[1])


def test_the_current_top_works_are_candidates_whatever_their_age(
    db, config, world: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The top 200 of a small world, scaled down: the top 40 and a margin of 5.
    monkeypatch.setattr(refresh_plan, "TOP_FRESH_RANK", 40)
    monkeypatch.setattr(refresh_plan, "TOP_FRESH_MARGIN", 5)
    done = collect(db, config, sim_options(world, http=NO_LIMIT, platforms=["douyin"]))
    assert [r.status for r in done] == ["ok"]
    ranked = _raw_ranks(db, "douyin")
    top_rank, reach = refresh_plan.TOP_FRESH_RANK, 40 + 5
    assert len(ranked) > reach + 20, len(ranked)  # a field larger than the top
    tiny = timedelta(hours=1)  # no work is that young: the window alone gives no candidate
    chosen = {p for p, _ in refresh_candidates(db, "douyin", tiny, world.now)}
    top = {p for p, total in ranked if total > ranked[top_rank][1]}  # clear of ties
    below = {p for p, total in ranked if total < ranked[reach][1]}
    assert len(top) >= top_rank - 5
    assert top <= chosen
    assert not (below & chosen)
