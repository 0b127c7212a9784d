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
    listing_pages,
    priority_order,
    refresh_requests,
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


def test_a_listing_that_lacks_a_metric_is_skipped_and_the_budget_bounds_the_details() -> None:
    assert refresh_requests(300, 20, False, 7, 100) == {
        "listing": 0,
        "detail": 100,
        "over_budget": 207,
    }


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
