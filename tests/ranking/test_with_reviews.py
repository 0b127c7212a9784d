"""``with_reviews``: a ranking brought to new review decisions without scoring the works again
is the ranking ``rank_campaign`` makes of the same frames with those decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tracker.ranking import RankingFrames, RankingResult, rank_campaign
from tracker.ranking.assemble import with_review_rows
from tracker.ranking.pipeline import with_reviews

PARTS = ("works", "creators", "units", "accounts", "platforms")


def _with_units(frames: RankingFrames, rng: np.random.Generator) -> RankingFrames:
    """Most accounts registered to one of a few units, so the unit aggregates have members."""
    accounts = frames.works[["platform", "account_uid"]].drop_duplicates()
    accounts = accounts[rng.random(len(accounts)) < 0.8]
    units = pd.DataFrame(
        {
            "unit_id": np.arange(1, 13),
            "unit_name": [f"单位{i}" for i in range(1, 13)],
            "unit_kind": "society",
            "city": "广州市",
        }
    )
    au = pd.DataFrame(
        {
            "platform": accounts["platform"].astype("object").to_numpy(),
            "platform_uid": accounts["account_uid"].to_numpy(dtype=object),
            "unit_id": rng.integers(1, 13, len(accounts)),
        }
    ).merge(units, on="unit_id")
    au["person"] = None
    return replace(frames, account_units=au, units=units)


def _decisions(
    works: pd.DataFrame, rng: np.random.Generator, k: int, statuses: list[str]
) -> pd.DataFrame:
    rows = rng.choice(len(works), k, replace=False)
    return pd.DataFrame(
        {
            "platform": works["platform"].astype("object").to_numpy()[rows],
            "platform_post_id": works["platform_post_id"].to_numpy(dtype=object)[rows],
            "status": rng.choice(statuses, k),
        }
    )


def _same(got: RankingResult, expected: RankingResult) -> None:
    for part in PARTS:
        pd.testing.assert_frame_equal(getattr(got, part), getattr(expected, part), check_exact=True)


@pytest.mark.parametrize("approved_only", [False, True])
def test_new_decisions_give_the_ranking_of_the_new_decisions(
    make_world: Callable[..., Any], approved_only: bool
) -> None:
    rng = np.random.default_rng(5)
    frames = _with_units(make_world(seed=3, accounts=400).frames, rng)
    works = frames.works
    n = len(works)
    before = replace(frames, reviews=_decisions(works, rng, n // 3, ["approved", "rejected"]))
    ranked = rank_campaign(before, approved_only=approved_only)
    for reviews in (
        _decisions(works, rng, n // 2, ["approved", "rejected", "pending"]),
        _decisions(works, rng, 5, ["rejected"]),  # approved gone: every aggregate empties
        before.reviews.iloc[:0],  # no decision at all
    ):
        after = replace(frames, reviews=reviews)
        expected = rank_campaign(after, approved_only=approved_only)
        _same(with_reviews(ranked, after), expected)
        changed = ranked.works["recommendable"] != expected.works["recommendable"]
        assert changed.any()  # the decisions did change what the aggregates count


def test_the_loader_s_attached_status_is_taken_again(make_world: Callable[..., Any]) -> None:
    """Frames as the store's loader makes them carry each work's status; ``with_review_rows``
    attaches the new rows' status, and the ranking follows it."""
    rng = np.random.default_rng(8)
    frames = _with_units(make_world(seed=4, accounts=300).frames, rng)
    works = frames.works
    first = with_review_rows(frames, _decisions(works, rng, len(works) // 2, ["approved"]))
    assert "review_status" in first.works.columns
    ranked = rank_campaign(first, approved_only=True)
    later = with_review_rows(first, _decisions(works, rng, len(works) // 4, ["approved"]))
    assert "review_status" not in frames.works.columns  # the frames given are not changed
    _same(with_reviews(ranked, later), rank_campaign(later, approved_only=True))
    assert not ranked.creators.equals(with_reviews(ranked, later).creators)
