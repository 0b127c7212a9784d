"""Reposts of campaign works by registry accounts raise their unit's interaction count.

Weibo is collected from the simulator into a real SQLite file, the simulator's own units.csv is
the registry, and the three forms per unit and per city are compared with the ground truth.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.helpers.config import CAMPAIGN, load_test_config
from tests.helpers.database import make_db
from tests.helpers.simulator import sim_options, sim_units
from tracker.membership.manual import exclude_works
from tracker.membership.participation import NO_CITY, participation_frames
from tracker.services.collect import collect
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.sim.units import UNITS_BY_NAME
from tracker.sim.world import World


def _collect(engine, config, sim) -> None:  # type: ignore[no-untyped-def]
    options = sim_options(sim, restart=True)
    options.platforms = ["weibo"]
    (result,) = collect(engine, config, options)
    assert result.status == "ok", result.message


def test_reposts_raise_unit_interactions_per_unit_and_city(tmp_path: Path) -> None:
    world = World(seed=31, scale=800)
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config, sim_units(world, tmp_path))
    with SimServer(world=world, platforms=["weibo"]) as sim:
        _collect(engine, config, sim)
        truth = [
            t
            for t in iter_world_truth(world, sim.now, platforms=["weibo"])
            if t["matches_campaign"]
        ]
        reposts = [t for t in truth if t["content_type"] == "repost"]
        by_registry = [t for t in reposts if t["unit"]]
        assert len(by_registry) >= 10, "the world must hold reposts by registry accounts"
        want_interactions = Counter(t["unit"] for t in by_registry)
        want_works = Counter(
            t["unit"] for t in truth if t["unit"] and t["content_type"] != "repost"
        )
        with engine.connect() as conn:
            frames = participation_frames(conn, CAMPAIGN)

        units = frames.units.set_index("unit_name")
        got_interactions = {u: int(n) for u, n in units["interactions"].items() if n}
        assert got_interactions == dict(want_interactions)
        assert {u: int(n) for u, n in units["reposts"].items() if n} == dict(want_interactions)
        assert {u: int(n) for u, n in units["works_published"].items() if n} == dict(want_works)
        assert int(units["qa_posts"].sum()) == 0  # Weibo has no questions or answers
        assert len(units) == len(UNITS_BY_NAME)  # every registry unit is listed

        want_city = Counter(UNITS_BY_NAME[t["unit"]].city for t in by_registry)
        cities = frames.cities.set_index("city")
        assert {c: int(n) for c, n in cities["interactions"].items() if n} == dict(want_city)
        assert NO_CITY not in cities.index

        # Excluding one of those reposts takes it out of its unit's count, and another
        # collection run does not bring it back.
        victim = by_registry[0]
        (result,) = exclude_works(
            engine, [victim["url"]], campaign=CAMPAIGN, note="刷量转发", by="审核员甲"
        )
        assert (result.outcome, result.post_id) == ("excluded", victim["post_id"])
        sim.advance(3600)
        _collect(engine, config, sim)
        with engine.connect() as conn:
            after = participation_frames(conn, CAMPAIGN).units.set_index("unit_name")
    assert int(after.loc[victim["unit"], "interactions"]) == want_interactions[victim["unit"]] - 1
    engine.dispose()
