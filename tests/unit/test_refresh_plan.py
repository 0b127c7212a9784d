"""The refresh rule as pure functions: what a refresh is expected to send, and in which order
its detail requests go when a budget cannot pay for all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.bilibili.parse import parse_view
from connectors.kuaishou.parse import parse_vision_video_detail
from connectors.xiaohongshu.parse import parse_feed
from tracker.services.refresh_plan import (
    DETAIL_METRICS,
    CandidateFacts,
    listing_covers_metrics,
    listing_grew,
    listing_pages,
    priority_order,
    refresh_requests,
    wants_detail,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2024, 10, 1, tzinfo=UTC)
METRICS = ("views", "likes", "comments", "shares", "favorites")


def test_listing_pages_count_the_page_that_shows_the_window_is_over() -> None:
    assert listing_pages(0, 20) == 1
    assert listing_pages(20, 20) == 2
    assert listing_pages(45, 20) == 4


def test_a_covering_listing_leaves_details_for_the_unlisted_only() -> None:
    assert refresh_requests(300, 20, True, 7, None) == {
        "listing": 16,
        "detail": 7,
        "over_budget": 0,
    }


def test_a_sparse_listing_is_read_and_details_go_to_the_works_that_want_them() -> None:
    # 300 listed works, 40 of them recent, near the cut or growing; 7 unlisted.
    assert refresh_requests(300, 20, False, 7, None, 40) == {
        "listing": 16,
        "detail": 47,
        "over_budget": 0,
    }
    assert refresh_requests(300, 20, False, 7, 30, 40) == {
        "listing": 16,
        "detail": 30,
        "over_budget": 17,
    }


def test_without_the_count_a_sparse_estimate_counts_every_listed_work() -> None:
    assert refresh_requests(300, 20, False, 7, 100) == {
        "listing": 16,
        "detail": 100,
        "over_budget": 207,
    }


def test_a_listed_work_wants_a_detail_when_recent_growing_or_near_the_cut() -> None:
    assert wants_detail(_fact("fresh", 1), NOW)
    assert wants_detail(_fact("undated", None), NOW)
    assert wants_detail(_fact("growing", 10, latest=9, previous=5, rank=900), NOW)
    assert wants_detail(_fact("cut", 10, latest=5, previous=5, rank=200), NOW)
    assert not wants_detail(_fact("still", 10, latest=5, previous=5, rank=201), NOW)
    assert not wants_detail(_fact("unknown", 10, rank=None), NOW)


def test_growth_compares_only_the_metrics_both_sides_know() -> None:
    stored = {"likes": 10, "comments": 4, "shares": 9, "favorites": None}
    # The listing lacks shares: no drop from 23 to 14, a rise from 14 to 16.
    assert listing_grew({"likes": 12, "comments": 4, "shares": None}, stored) == (16, 14)
    assert listing_grew({"likes": 10, "comments": 4, "shares": None}, stored) == (14, 14)
    assert listing_grew({"likes": None, "favorites": 3}, stored) is None


def test_coverage_follows_the_listing_metrics_of_each_platform() -> None:
    covering = {p for p in DETAIL_METRICS if listing_covers_metrics(p)}
    assert covering == {"weibo", "douyin", "zhihu"}
    assert not listing_covers_metrics("no-such-platform")


def test_detail_metrics_are_what_the_detail_parsers_read_from_the_real_fixtures() -> None:
    bodies = {
        "bilibili": (parse_view, FIXTURES / "real/bilibili/view_BV117411r7R1.json"),
        "kuaishou": (
            parse_vision_video_detail,
            FIXTURES / "kuaishou/graphql_vision_video_detail.json",
        ),
        "xiaohongshu": (parse_feed, FIXTURES / "real/xhs/web_v1_feed_data_note_64db49dc.json"),
    }
    for platform, (parse, path) in bodies.items():
        post = parse(json.loads(path.read_text(encoding="utf-8")), captured_at=NOW).posts[0]
        given = {m for m in METRICS if getattr(post.metrics, m) is not None}
        assert given == DETAIL_METRICS[platform], platform


def _fact(key: str, age_days: float | None, latest=None, previous=None, rank=None):
    when = None if age_days is None else NOW - timedelta(days=age_days)
    return CandidateFacts(key, when, latest, previous, rank)


def test_priority_recent_then_growing_then_near_the_cut_then_the_oldest_last() -> None:
    facts = [
        _fact("old", 12, latest=5, previous=5, rank=900),
        _fact("older", 13, latest=5, previous=5, rank=901),
        _fact("cut", 10, latest=50, previous=50, rank=150),
        _fact("growing", 11, latest=9, previous=5, rank=800),
        _fact("fresh", 1),
        _fact("fresher", 0.5),
        _fact("undated", None),
    ]
    assert priority_order(facts, NOW) == [
        "undated",
        "fresher",
        "fresh",
        "growing",
        "cut",
        "old",
        "older",
    ]


def test_the_commendation_cut_is_a_share_of_the_field_up_to_200() -> None:
    from tracker.services.refresh_plan import near_cut_rank

    assert near_cut_rank(300) == 15  # a small world: not two thirds of it
    assert near_cut_rank(20_000) == 200  # national scale: the top 200
    assert near_cut_rank(50) == 10 and near_cut_rank(None) == 200
