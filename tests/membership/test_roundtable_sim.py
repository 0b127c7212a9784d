"""Zhihu roundtable (圆桌): untagged answers in the campaign's roundtable are campaign works.

A simulator world whose roundtable holds tagged and (mostly) untagged answers is collected with
``tracker collect`` into a real SQLite file; every roundtable answer must end up a campaign work,
the untagged ones with ``matched_by="roundtable"`` and the roundtable id as the value.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.config import load_test_config
from tests.helpers.database import links, make_db, rows
from tests.helpers.simulator import sim_options
from tracker.services.collect import collect
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.sim.world import ZHIHU_ROUNDTABLE_ID


def test_untagged_roundtable_answers_become_campaign_works(tmp_path: Path) -> None:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    with SimServer(seed=23, scale=600, platforms=["zhihu"]) as sim:
        options = sim_options(sim)
        options.platforms = ["zhihu"]
        (result,) = collect(engine, config, options)
        truth = list(iter_world_truth(sim.world, sim.now, platforms=["zhihu"]))
    assert result.status == "ok", result.message
    in_roundtable = {t["post_id"]: t for t in truth if t["roundtable"] == ZHIHU_ROUNDTABLE_ID}
    untagged = {pid for pid, t in in_roundtable.items() if not t["matches_campaign"]}
    tagged = set(in_roundtable) - untagged
    assert len(untagged) >= 10 and len(tagged) >= 10  # the world holds both kinds

    stored = links(engine, "zhihu")
    by_roundtable = {pid for (_, pid), row in stored.items() if row["matched_by"] == "roundtable"}
    # Every untagged roundtable answer is in, by the roundtable rule, and nothing else is.
    assert by_roundtable == untagged
    for pid in untagged:
        row = stored[("zhihu", pid)]
        assert (row["matched_value"], row["excluded"]) == (ZHIHU_ROUNDTABLE_ID, 0)
    # Tagged roundtable answers keep the campaign's own reason: the tag.
    assert {stored[("zhihu", pid)]["matched_by"] for pid in tagged} == {"tag"}
    # Answers carry their question and roundtable, so the Q&A form can be counted.
    posts = {
        r["platform_post_id"]: r
        for r in rows(
            engine,
            "SELECT platform_post_id, content_type, context FROM post WHERE platform='zhihu'",
        )
    }
    for pid in untagged:
        assert posts[pid]["content_type"] == "answer"
        assert f'"roundtable_id": "{ZHIHU_ROUNDTABLE_ID}"' in posts[pid]["context"]
        assert in_roundtable[pid]["question_id"] in posts[pid]["context"]
    # Tag-matched works off the roundtable are unaffected: the campaign holds exactly the truth.
    expected = {t["post_id"] for t in truth if t["matches_campaign"]} | set(in_roundtable)
    assert {pid for (_, pid) in stored} == expected
