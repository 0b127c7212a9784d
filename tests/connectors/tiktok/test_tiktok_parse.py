"""TikTok parse half on the real Zeeschuimer export (96 items from a 2023 TikTok search)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.tiktok.parse import ENDPOINTS, parse_item_list, parse_zeeschuimer_item
from tracker.errors import ParseError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "tiktok" / "tiktok-test.ndjson"


def envelopes() -> list[dict]:
    with FIXTURE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    return envelopes()


def captured(envelope: dict) -> datetime:
    return datetime.fromtimestamp(envelope["timestamp_collected"] / 1000, UTC)


def parse_line(envelope: dict):
    return parse_zeeschuimer_item(envelope["data"], captured_at=captured(envelope))


def test_every_real_item_parses(lines):
    assert len(lines) == 96
    ids = []
    for envelope in lines:
        page = parse_line(envelope)
        assert page.rejects == []
        (post,) = page.posts
        assert post.platform_post_id == envelope["item_id"]
        assert post.source == "capture"
        ids.append(post.platform_post_id)
    assert len(set(ids)) == 96


def test_first_item_read_by_hand(lines):
    envelope = lines[0]
    page = parse_line(envelope)
    (post,) = page.posts
    (account,) = page.accounts
    assert post.platform == "tiktok"
    assert post.platform_post_id == "7288995634328177926"
    assert post.captured_at == datetime(2023, 10, 12, 11, 5, 6, 245000, tzinfo=UTC)
    assert post.account_uid == "7158414720537232389"
    assert post.context["author_unique_id"] == "haberturktv"
    assert post.url == "https://www.tiktok.com/@haberturktv/video/7288995634328177926"
    assert post.published_at == datetime(
        2023, 10, 12, 9, 5, 49, tzinfo=UTC
    )  # createTime 1697101549
    assert post.metrics.likes == 59  # diggCount
    assert post.metrics.comments == 3
    assert post.metrics.shares == 0  # a real zero, not unknown
    assert post.metrics.views == 3597  # playCount
    assert post.metrics.favorites == 9  # collectCount
    assert post.duration_s == 277
    assert post.followers_at_capture == 277400
    assert post.content_type == "video" and post.title is None
    assert post.text.startswith("#fosfor #bomba #fosforbombası")
    assert post.hashtags[:3] == ["fosfor", "bomba", "fosforbombası"]
    assert len(post.hashtags) == 12
    assert account.name == "Habertürk TV"
    assert account.url == "https://www.tiktok.com/@haberturktv"
    assert account.followers == 277400
    assert account.verified is True


def test_second_item_and_text_only_hashtag_spelling(lines):
    (post,) = parse_line(lines[1]).posts
    assert post.platform_post_id == "7288710518670396678"
    assert post.context["author_unique_id"] == "selmanayrilmaz1"
    assert (post.metrics.likes, post.metrics.comments, post.metrics.shares) == (15800, 762, 428)
    assert (post.metrics.views, post.metrics.favorites) == (911300, 2544)
    assert post.published_at == datetime(2023, 10, 11, 14, 39, 24, tzinfo=UTC)
    assert post.followers_at_capture == 7029
    assert post.hashtags[0] == "fosforbombası"
    # "#SONDAKİKA" in the text folds to another key than the challenge "sondakika" (dotted İ)
    assert post.hashtags[-1] == "#SONDAKİKA"


def test_mentions_are_not_hashtags(lines):
    (post,) = parse_line(lines[12]).posts
    assert post.platform_post_id == "7105531462413257990"
    assert post.text.startswith("@arjanitmuriqii #fosfor")
    assert post.hashtags == ["fosfor", "black", "fyyyy", "fypシ", "viralvideo"]
    assert (post.metrics.likes, post.metrics.views) == (461, 11500)
    assert post.published_at == datetime(2022, 6, 4, 23, 31, 7, tzinfo=UTC)


def test_big_counts_and_empty_description(lines):
    (post,) = parse_line(lines[21]).posts
    assert post.platform_post_id == "7087282999238167813"
    assert (post.metrics.likes, post.metrics.views) == (653900, 5400000)
    assert post.metrics.favorites == 34700 and post.followers_at_capture == 18600
    assert post.hashtags == ["fyp", "fosforos"]
    (empty,) = parse_line(lines[14]).posts
    assert empty.text is None  # "" is no text
    assert empty.hashtags == []


def test_stats_v2_strings_and_missing_stats():
    data = copy.deepcopy(envelopes()[0]["data"])
    del data["stats"]
    data["statsV2"] = {"diggCount": "1.2万", "playCount": "3597", "commentCount": "3"}
    del data["authorStats"]
    (post,) = parse_zeeschuimer_item(data, captured_at=datetime(2024, 1, 1, tzinfo=UTC)).posts
    assert post.metrics.likes == 12000 and post.metrics.views == 3597
    assert post.metrics.shares is None and post.metrics.favorites is None  # absent: unknown
    assert post.followers_at_capture is None


def test_malformed_items_become_rejects():
    at = datetime(2024, 1, 1, tzinfo=UTC)
    data = copy.deepcopy(envelopes()[0]["data"])
    data["stats"]["diggCount"] = "lots"
    page = parse_zeeschuimer_item(data, captured_at=at)
    assert page.posts == [] and "lots" in page.rejects[0].reason
    assert json.loads(page.rejects[0].payload)["id"] == "7288995634328177926"
    assert "id missing" in parse_zeeschuimer_item({"desc": "x"}, captured_at=at).rejects[0].reason
    assert parse_zeeschuimer_item("nope", captured_at=at).rejects[0].platform == "tiktok"


def test_list_response_shapes(lines):
    at = captured(lines[0])
    items = [e["data"] for e in lines[:5]]
    broken = {"desc": "no id"}
    for body in (
        {"item_list": [*items, broken], "has_more": 1, "cursor": 12},
        {"itemList": [*items, broken], "hasMore": True, "cursor": "12"},
        {"data": [{"type": 1, "item": i} for i in [*items, broken]], "has_more": 1, "cursor": 12},
    ):
        page = parse_item_list(body, captured_at=at)
        assert [p.platform_post_id for p in page.posts] == [e["item_id"] for e in lines[:5]]
        assert page.rejects[0].location == "items[5]"
        assert page.has_more is True and page.cursor == "12"
    with pytest.raises(ParseError, match="tiktok"):
        parse_item_list({"status_code": 0}, captured_at=at)


def test_endpoints_route_the_capture_source_url(lines):
    url = lines[0]["source_url"]
    assert [e.name for e in ENDPOINTS if e.matches(url)] == ["item_list"]
    assert not any(e.matches("https://www.tiktok.com/@haberturktv") for e in ENDPOINTS)
