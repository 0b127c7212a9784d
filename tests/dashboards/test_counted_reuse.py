"""The report's membership lists from the ranking's frames equal the lists read from the store.

Week over week, participation and the not-reported list take the counted works (and week over
week their snapshots) from the frames the ranking loaded (``rank_and_count``) instead of
reading them again. On a simulated world given deleted and excluded works, a campaign work that
is a repost and a stored repost of a campaign work, each list must be the same from both paths, uncut and with ``until`` (which drops
works from the ranking but not from these lists); with ``as_of`` nothing is reused. The
dashboard's facts read columnar and grouped in pandas must equal the grouped SQL's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import text

from dashboards.leaderboards import rank_and_count
from dashboards.report_inputs import campaign_id, weekly_as_of
from tracker.membership.participation import participation_frames
from tracker.membership.unreported import load_unreported
from tracker.ranking import RankingSettings
from tracker.ranking.selection import Selection
from tracker.readmodel import facts as aggregate
from tracker.store.queries import arrow_reader
from tracker.store.queries import dashboard as reads

from ..helpers.worlds import SimDB


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sim_db: SimDB) -> Iterator[SimDB]:
    """The simulated world with every case the reuse must get right planted in it."""
    db = sim_db.copy_to(tmp_path_factory.mktemp("reuse") / "reuse.db")
    with db.engine.begin() as conn:
        keys = conn.execute(
            text(
                "SELECT p.platform, p.platform_post_id, p.account_uid FROM post p"
                " JOIN post_campaign pc ON pc.platform = p.platform"
                "  AND pc.platform_post_id = p.platform_post_id"
                " ORDER BY p.platform, p.platform_post_id"
            )
        ).all()
        assert len(keys) > 40
        key = "platform = :p AND platform_post_id = :i"
        for p, i, _ in keys[0:6]:  # deleted campaign works: counted nowhere
            conn.execute(text(f"UPDATE post SET deleted = 1 WHERE {key}"), {"p": p, "i": i})
        for p, i, _ in keys[6:10]:  # excluded
            conn.execute(
                text(f"UPDATE post_campaign SET excluded = 1 WHERE {key}"), {"p": p, "i": i}
            )
        # a campaign work that is itself a repost of another campaign work
        (p, i, _), (_, original, _) = keys[12], keys[13]
        conn.execute(
            text(f"UPDATE post SET repost_of = :o WHERE {key}"), {"p": p, "i": i, "o": original}
        )
        # a stored repost (not a campaign work) of a campaign work
        p, i, _ = keys[14]
        cols = [r[1] for r in conn.execute(text("PRAGMA table_info(post)"))]
        values = {"platform_post_id": "platform_post_id || '-rp'", "repost_of": ":o"}
        conn.execute(
            text(
                f"INSERT INTO post ({', '.join(cols)})"
                f" SELECT {', '.join(values.get(c, c) for c in cols)} FROM post WHERE {key}"
            ),
            {"p": p, "i": i, "o": i},
        )
    yield db
    db.engine.dispose()


def _ranked(world: SimDB, **cut: datetime | None):  # type: ignore[no-untyped-def]
    settings = RankingSettings.from_mapping(world.config.ranking)
    with world.engine.connect() as conn:
        cid = campaign_id(conn, world.config.campaign(None).name)
        frames, result, counted = rank_and_count(conn, cid, settings, **cut)
    return cid, frames, result, counted


def _middle(world: SimDB, column: str = "published_at", table: str = "post") -> datetime:
    """An instant inside the span of ``column``: with published_at, works are published
    after it (``until`` drops them from the ranking); with a snapshot's captured_at, the
    later collection's snapshots are cut."""
    with world.engine.connect() as conn:
        lo, hi = conn.execute(text(f"SELECT min({column}), max({column}) FROM {table}")).one()
    a, b = pd.Timestamp(lo, tz="UTC"), pd.Timestamp(hi, tz="UTC")
    assert a < b
    return (a + (b - a) * 0.6).to_pydatetime()


@pytest.mark.parametrize("cut", [None, "published", "captured"])
def test_lists_from_the_ranking_equal_the_lists_read(world: SimDB, cut: str | None) -> None:
    until = {
        None: None,
        "published": _middle(world),
        "captured": _middle(world, "captured_at", "metric_snapshot"),
    }[cut]
    cid, frames, _, counted = _ranked(world, until=until)
    assert counted is not None
    if cut == "published":  # the ranking dropped works these lists still count
        ranked_live = int((~frames.works["deleted"].fillna(False).to_numpy(dtype=bool)).sum())
        assert len(counted.works) > ranked_live
    with world.engine.connect() as conn:
        direct_part = participation_frames(conn, cid)
        reused_part = participation_frames(conn, cid, counted=counted)
        direct_unrep = load_unreported(conn, cid)
        reused_unrep = load_unreported(conn, cid, counted=counted)
        direct_week = weekly_as_of(conn, cid, frames, until)
        reused_week = weekly_as_of(conn, cid, frames, until, counted)
    for name in ("accounts", "units", "cities"):
        pd.testing.assert_frame_equal(
            getattr(reused_part, name), getattr(direct_part, name), check_dtype=False
        )
    assert direct_part.accounts["reposts"].sum() >= 2  # the planted reposts counted
    pd.testing.assert_frame_equal(reused_unrep, direct_unrep)
    assert direct_week is not None and reused_week is not None
    assert reused_week.as_of == direct_week.as_of
    pd.testing.assert_frame_equal(reused_week.cities, direct_week.cities)
    pd.testing.assert_frame_equal(reused_week.units, direct_week.units)
    if cut != "published":  # (works' snapshots all come after the middle publication)
        assert direct_week.units["interactions_this"].abs().sum() > 0


def test_counted_works_leave_out_deleted_and_excluded(world: SimDB) -> None:
    _, _, _, counted = _ranked(world)
    assert counted is not None
    with world.engine.connect() as conn:
        expected = {
            (p, i)
            for p, i in conn.execute(
                text(
                    "SELECT p.platform, p.platform_post_id FROM post p JOIN post_campaign pc"
                    " ON pc.platform = p.platform AND pc.platform_post_id = p.platform_post_id"
                    " WHERE pc.excluded = 0 AND p.deleted = 0"
                )
            )
        }
    got = set(zip(counted.works["platform"], counted.works["platform_post_id"], strict=True))
    assert got == expected
    rows = counted.snapshots["work_row"].to_numpy()
    live = rows >= 0
    assert live.any()
    assert (
        counted.works["platform_post_id"].to_numpy()[rows[live]]
        == counted.snapshots["platform_post_id"].to_numpy()[live]
    ).all()


def test_nothing_reused_at_a_deadline_cut(world: SimDB) -> None:
    cid, _, _, counted = _ranked(world)
    assert _ranked(world, as_of=_middle(world))[3] is None
    with world.engine.connect() as conn:
        with pytest.raises(ValueError):
            load_unreported(conn, cid, as_of=_middle(world), counted=counted)
        with pytest.raises(ValueError):
            participation_frames(conn, cid, as_of=_middle(world), counted=counted)


def test_columnar_facts_equal_the_grouped_query(
    world: SimDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.engine.connect() as conn:
        cid = campaign_id(conn, world.config.campaign(None).name)
        grouped = aggregate.load_facts(conn, cid, "Asia/Shanghai")
        assert reads.campaign_fact_works(conn, cid) is None  # small: the grouped query serves
        monkeypatch.setattr(arrow_reader, "MIN_SQLITE_POSTS", 0)
        assert reads.campaign_fact_works(conn, cid) is not None
        columnar = aggregate.load_facts(conn, cid, "Asia/Shanghai")
    f = Selection(campaign_id=cid, include_unreviewed=True)
    cities = sorted(c for c in grouped.links["city"].dropna().unique())[:1]
    for g in (f, f.with_(platforms=("weibo",)), f.with_(cities=tuple(cities))):
        assert aggregate.headline(columnar, g) == aggregate.headline(grouped, g)
        for fn in (
            aggregate.daily_works,
            aggregate.by_content_type,
            aggregate.by_city,
            aggregate.by_unit_kind,
            aggregate.by_platform,
        ):
            pd.testing.assert_frame_equal(fn(columnar, g), fn(grouped, g), check_dtype=False)
