"""The comment signals measured on a simulator world against its planted anomalies.

The world (seed 7, scale 120: 216 campaign works on six platforms) is collected as a
deployment would, then every campaign work's readable comments at the collection instant are
stored straight from the simulator's truth (``comment_truth``), as a complete comment read
would store them. The world plants ``bought_likes`` works (most of their comment count cannot
be read) and ``lockstep`` works (a coordinated push: one text from many accounts within half an
hour). A work counts as found when either comment signal alone reaches 0.5.

Measured here: precision 11/11 = 1.00; recall 11/12 = 0.92 of the planted works whose comments
could be read (the one missed, a bought work, claims 8 comments: fewer than the 20 needed to
judge), 11/16 = 0.69 of all planted works (four claim no comment at all). No unplanted work
reaches 0.5 on either signal.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from tests.helpers.database import record_complete_comment_reads
from tests.helpers.worlds import WorldDB, build_world_db
from tracker.config import load_config
from tracker.records import CommentRecord
from tracker.services.rank import rank_service
from tracker.sim.clock import parse_instant
from tracker.sim.truth import comment_truth
from tracker.sim.world import DEFAULT_NOW, World
from tracker.store.comments import store_comments
from tracker.store.engine import make_engine

SEED, SCALE = 7, 120


def _records(truth: dict, at: datetime) -> list[CommentRecord]:
    return [
        CommentRecord(
            truth["platform"],
            c["comment_id"],
            truth["post_id"],
            at,
            commenter_uid=c["commenter_uid"],
            commenter_name=c["commenter_name"],
            text=c["text"],
            published_at=datetime.fromisoformat(c["published_at"]),
            parent_comment_id=c["parent_id"],
            root_comment_id=c["root_id"],
            likes=c["likes"],
        )
        for c in truth["comments"]
    ]


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    db: WorldDB = build_world_db(tmp_path_factory.mktemp("comment-risk"), seed=SEED, scale=SCALE)
    world = World(seed=SEED, scale=SCALE)
    at = parse_instant(DEFAULT_NOW)  # the instant build_world_db collected at
    engine = make_engine(db.url)
    try:
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT platform, platform_post_id FROM post_campaign")).all()
        anomaly: dict[tuple[str, str], str | None] = {}
        records: list[CommentRecord] = []
        for platform, pid in keys:
            truth = comment_truth(world, platform, pid, at)
            if truth is not None:
                anomaly[(platform, pid)] = truth["anomaly"]
                records += _records(truth, at)
        with engine.begin() as conn:
            store_comments(conn, records)
        for platform in {p for p, _ in anomaly}:
            read = [w for p, w in anomaly if p == platform]
            record_complete_comment_reads(engine, platform, read, at=at)
        result = rank_service(engine, load_config(db.config_path), include_unreviewed=True)
    finally:
        engine.dispose()
    works = result.result.works.copy()
    works["anomaly"] = [
        anomaly.get((p, w))
        for p, w in zip(works["platform"], works["platform_post_id"], strict=True)
    ]
    return works


def test_comment_signals_find_the_planted_works(ranked: pd.DataFrame) -> None:
    planted = ranked["anomaly"].notna().to_numpy()
    read = ranked["comments_readable"].notna().to_numpy()
    hidden = ranked["risk_comment_hidden"].to_numpy(dtype="float64")
    copies = ranked["risk_comment_copies"].to_numpy(dtype="float64")
    found = (hidden >= 0.5) | (copies >= 0.5)
    assert planted.sum() >= 12 and (planted & read).sum() >= 10, "the world must plant enough"
    precision = (found & planted).sum() / max(found.sum(), 1)
    recall_read = (found & planted).sum() / (planted & read).sum()
    recall_all = (found & planted).sum() / planted.sum()
    assert precision == 1.0, ranked.loc[found & ~planted, ["platform", "risk_reasons"]]
    assert recall_read >= 0.9 and recall_all >= 0.6, (recall_read, recall_all)
    # each signal finds its own kind
    lockstep = (ranked["anomaly"] == "lockstep").to_numpy() & read
    bought = (ranked["anomaly"] == "bought_likes").to_numpy()
    assert (copies[lockstep] >= 0.5).all()
    assert (hidden[bought] >= 0.5).sum() >= 1
    # ranked by the comment evidence, the planted works come first
    strength = 1 - (1 - hidden) * (1 - copies)
    order = np.argsort(-strength, kind="stable")
    assert planted[order[: found.sum()]].all()
    assert np.nanmax(strength[~planted]) < 0.5


def test_reasons_name_the_comment_evidence(ranked: pd.DataFrame) -> None:
    reasons = ranked["risk_reasons"].astype(str)
    copies = ranked[(ranked["anomaly"] == "lockstep") & ranked["comments_readable"].notna()]
    assert copies["risk_reasons"].str.contains("个账号发布了相同评论").all()
    bought = ranked[ranked["risk_comment_hidden"] >= 0.5]
    assert bought["risk_reasons"].str.contains(r"评论数 [\d,]+，可读评论仅 \d+ 条").all()
    unread = reasons[ranked["comments_readable"].isna()]
    assert not unread.str.contains("可读评论|相同评论").any()
