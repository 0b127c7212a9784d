"""Issue 6 "Done when": the ranking measured against the simulator's hidden truth.

A seeded world (scale 600: about 173 campaign works per platform) is collected the way a
deployment collects it, once a day at 20:00 Beijing time through the campaign and the week
after, then once more at the end of the world, so every work has daily snapshots (the lockstep
bursts fall between two of them). The ranked works are compared with the world's truth:

- Spearman(quality score, hidden quality) >= 0.7 within each platform and >= 0.6 across all;
- risk flags (risk score >= the configured flag threshold) against the planted anomalies
  (bought likes, lockstep bursts): recall >= 0.8 at precision >= 0.8.

Why scale 600: a Spearman correlation over n works has a standard error of about
(1 - ρ²)/√n, so with 46 works a platform (scale 150) one platform moves by ±0.1 between seeds
around a mean of 0.72, and a pass or a miss says more about the seed than about the method.
With about 173 works it moves by about ±0.04. Measured with this method (seeds 7-10, scale
600): per-platform means 0.71-0.76, every platform at or above 0.70 on seeds 7, 8 and 9; on
seed 10 Bilibili 0.68 and Weibo 0.69, where the oracle below reaches 0.71 on Bilibili.

The thresholds are the issue's and are not loosened here. The ceiling an oracle could reach on
the same world is computed beside them (``test_engagement_ceiling``), so a shortfall can be
attributed: the simulator's engagement noise, not the ranking, bounds it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from tracker.config import load_config
from tracker.ranking.evaluate import flag_precision_recall, spearman, spearman_by_platform
from tracker.services.database import open_database
from tracker.services.rank import rank_service
from tracker.sim.engagement import MODELS
from tracker.sim.truth import iter_world_truth
from tracker.sim.world import DEFAULT_NOW, World

from ..helpers.worlds import build_world_db

SEED = 7
SCALE = 600
LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")
WITHIN, ACROSS, RECALL, PRECISION = 0.7, 0.6, 0.8, 0.8


def _clocks() -> list[datetime]:
    first = datetime(2024, 9, 1, 12, tzinfo=UTC)  # 20:00 Beijing time
    days = [first + timedelta(days=d) for d in range(33)]  # through 3 October
    return [*days, DEFAULT_NOW.astimezone(UTC)]


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    world_db = build_world_db(
        tmp_path_factory.mktemp("truth-world"), seed=SEED, scale=SCALE, clocks=_clocks()
    )
    config = load_config(world_db.config_path)
    engine = open_database(world_db.url)
    try:
        ranked = rank_service(engine, config, include_unreviewed=True)
    finally:
        engine.dispose()
    world = pd.DataFrame(
        [
            {
                "platform": t["platform"],
                "post_id": t["post_id"],
                "quality": t["quality"],
                "anomaly": t["anomaly"],
                "followers": t["followers"],
                "metrics": t["metrics"],
                "matches_campaign": t["matches_campaign"],
                "deleted": t["deleted"],
                "roundtable": t["roundtable"],
            }
            for t in iter_world_truth(World(seed=SEED, scale=SCALE), DEFAULT_NOW, platforms=LIVE)
        ]
    )
    truth = world[world["matches_campaign"]].reset_index(drop=True)
    return {
        "works": ranked.result.works,
        "truth": truth,
        "world": world,
        "settings": ranked.result.settings,
    }


def _figures(table: pd.DataFrame) -> str:
    return ", ".join(f"{r.platform} {r.spearman:.2f} (n={r.works})" for r in table.itertuples())


def test_every_campaign_work_is_ranked(measured) -> None:
    """Every tagged work of the truth is ranked; the tracker also keeps works it saw that were
    deleted later and Zhihu roundtable answers (campaign works without the tag)."""
    works, truth, world = measured["works"], measured["truth"], measured["world"]
    ranked = set(zip(works["platform"].astype("str"), works["platform_post_id"], strict=True))
    assert set(zip(truth["platform"], truth["post_id"], strict=True)) <= ranked
    extra = world.set_index(["platform", "post_id"]).loc[
        sorted(ranked - set(zip(truth["platform"], truth["post_id"], strict=True)))
    ]
    assert (extra["deleted"] | extra["roundtable"].notna()).all()
    assert works["platform"].astype("str").value_counts().min() >= 40


def test_quality_tracks_hidden_quality_within_each_platform(measured) -> None:
    table = spearman_by_platform(measured["works"], measured["truth"])
    per_platform = table[table["platform"] != "全部"]
    assert len(per_platform) == len(LIVE)
    assert (per_platform["spearman"] >= WITHIN).all(), _figures(per_platform)


def test_quality_tracks_hidden_quality_across_platforms(measured) -> None:
    table = spearman_by_platform(measured["works"], measured["truth"])
    pooled = table[table["platform"] == "全部"].iloc[0]
    assert pooled["spearman"] >= ACROSS, _figures(table)


def test_risk_flags_find_planted_anomalies(measured) -> None:
    works, truth = measured["works"], measured["truth"]
    threshold = measured["settings"].risk.flag_threshold
    assert set(truth["anomaly"].dropna()) == {"bought_likes", "lockstep"}
    got = flag_precision_recall(works, truth, threshold)
    detail = {
        label: flag_precision_recall(
            works, truth[truth["anomaly"].isna() | (truth["anomaly"] == label)], threshold
        )["recall"]
        for label in ("bought_likes", "lockstep")
    }
    message = (
        f"precision {got['precision']:.2f}, recall {got['recall']:.2f} "
        f"({got['true_positives']} of {got['positives']} planted, {got['false_positives']} false); "
        f"recall bought_likes {detail['bought_likes']:.2f}, lockstep {detail['lockstep']:.2f}"
    )
    assert got["positives"] >= 10, message
    assert got["recall"] >= RECALL and got["precision"] >= PRECISION, message


def test_engagement_ceiling(measured) -> None:
    """What any engagement-based score could reach on this world: the simulator draws
    ln(reach) = α·ln(followers+50) + 3·(quality−0.5) + σ·N(0,1) and likes from reach, so the best
    possible size adjustment (with the true α) leaves σ of noise against the quality signal.
    Measured here, not assumed: the world must let a good ranking be told from a bad one, and
    the ranking must get most of what is there to get."""
    truth = measured["truth"]
    organic = truth[truth["anomaly"].isna()].copy()
    organic["oracle"] = [
        math.log1p(m["likes"] or 0) - MODELS[p].alpha * math.log(f + 50)
        for p, m, f in zip(
            organic["platform"], organic["metrics"], organic["followers"], strict=True
        )
    ]
    ceilings = {p: spearman(g["oracle"], g["quality"]) for p, g in organic.groupby("platform")}
    pooled = spearman(organic["oracle"], organic["quality"])
    assert min(ceilings.values()) >= 0.5, ceilings
    table = spearman_by_platform(measured["works"], measured["truth"])
    pooled_score = float(table[table["platform"] == "全部"]["spearman"].iloc[0])
    assert pooled_score >= 0.8 * pooled, (pooled_score, pooled, ceilings)
