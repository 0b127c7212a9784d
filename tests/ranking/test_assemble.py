"""The stored tables -> RankingFrames, without a database (tables built by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.assemble import chunk_fingerprint_key, ranking_frames
from tracker.ranking.floors import FLOOR_BIT
from tracker.ranking.risk import fingerprint_key


def _tables() -> dict[str, pd.DataFrame]:
    works = pd.DataFrame(
        {
            "platform": pd.Categorical(["weibo", "weibo", "douyin"]),
            "platform_post_id": ["w1", "w2", "d1"],
            "account_uid": pd.Categorical(["a", "b", "c"]),
            "likes": pd.array([5, None, 7], dtype="Int64"),
            "lower_bounds": pd.Categorical([None, "likes,views", "likes"]),
            "fingerprint_key": pd.array([1, 2, None], dtype="Int64"),
        }
    )
    history = pd.DataFrame(
        {
            "platform": pd.Categorical(["weibo"]),
            "platform_post_id": ["w0"],
            "account_uid": ["a"],
            "lower_bounds": pd.Categorical(["views"]),
        }
    )
    snapshots = pd.DataFrame(
        {
            "platform": pd.Categorical(["weibo", "douyin"]),
            "platform_post_id": ["w1", "d1"],
            "likes": pd.array([3, 7], dtype="Int64"),
            "lower_bounds": pd.Categorical([None, "likes"]),
            "post_row": np.array([0, 2], dtype=np.int64),
        }
    )
    accounts = pd.DataFrame(
        {
            "platform": pd.Categorical(["weibo", "douyin"]),
            "platform_uid": ["a", "c"],
            "name": ["甲", "丙"],
            "followers": pd.array([10, 30], dtype="Int64"),
            "verified": pd.array([True, False], dtype="boolean"),
        }
    )
    units = pd.DataFrame(
        {"unit_id": [1], "unit_name": ["中山大学"], "unit_kind": ["university"], "city": ["广州市"]}
    )
    account_units = pd.DataFrame(
        {
            "platform": ["weibo"],
            "platform_uid": ["a"],
            "unit_id": [1],
            "person": ["张三"],
            "source": ["registry"],
            "unit_name": ["中山大学"],
            "unit_kind": ["university"],
            "city": ["广州市"],
        }
    )
    reviews = pd.DataFrame(
        {"platform": ["douyin"], "platform_post_id": ["d1"], "status": ["approved"]}
    )
    return {
        "works": works,
        "history": history,
        "snapshots": snapshots,
        "accounts": accounts,
        "account_units": account_units,
        "units": units,
        "reviews": reviews,
    }


def test_floor_bits_replace_the_stored_texts_where_they_stood() -> None:
    t = _tables()
    frames = ranking_frames(**t, campaign={"id": 1})
    views, likes = FLOOR_BIT["views"], FLOOR_BIT["likes"]
    assert frames.works["floor_bits"].tolist() == [0, views | likes, likes]
    assert frames.history["floor_bits"].tolist() == [views]
    assert frames.snapshots["floor_bits"].tolist() == [0, likes]
    assert "lower_bounds" not in frames.works and "lower_bounds" not in frames.snapshots
    # the snapshots keep their column order: floor_bits where lower_bounds was, post_row last
    assert list(frames.snapshots.columns)[-2:] == ["floor_bits", "post_row"]
    assert frames.campaign == {"id": 1}


def test_each_work_gets_its_account_unit_and_review() -> None:
    frames = ranking_frames(**_tables(), campaign=None)
    w = frames.works.set_index("platform_post_id")
    assert w.loc["w1", "account_name"] == "甲" and w.loc["w1", "followers"] == 10
    assert pd.isna(w.loc["w2", "account_name"])  # account b is not stored
    assert w.loc["w1", "unit_name"] == "中山大学" and pd.isna(w.loc["d1", "unit_name"])
    assert w["review_status"].astype(str).tolist() == ["pending", "pending", "approved"]


def test_chunk_fingerprint_key_falls_back_to_the_text() -> None:
    body = "今天我们来聊一聊黑洞是怎么形成的，以及它为什么会发光"
    fingerprints = np.array(["abc", None, None], dtype=object)
    texts = np.array([None, body, "短"], dtype=object)
    keys = chunk_fingerprint_key(fingerprints, texts)
    assert keys[0] == fingerprint_key(np.array(["abc"], dtype=object)).iloc[0]
    assert not pd.isna(keys[1]) and keys[1] != keys[0]  # from the body
    assert pd.isna(keys[2])  # too short to compare
