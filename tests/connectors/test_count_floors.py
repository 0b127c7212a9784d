"""Every parser that reads display counts passes a floor ("100万+", "10万+", "1w+") on as one.

Built on real bodies with one count replaced in memory (no stored body shows a floor where it
is tested here); the replaced field is named in each test. The figure itself is the floor, and
``Metrics.lower_bounds`` names the metric so the store and the ranking never read it as exact.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.kuaishou.parse import parse_vision_video_detail
from connectors.weibo.parse import parse_status_show
from connectors.xiaohongshu.parse import parse_feed
from tracker.imports.mediacrawler import read_mediacrawler

from ..helpers.real import real2_path

REPO = Path(__file__).resolve().parents[2]
CAPTURED = datetime(2026, 12, 5, tzinfo=UTC)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_weibo_status_floors_of_reposts_comments_and_likes() -> None:
    """Real2 show-video body; ``comments_count`` "100万+", ``attitudes_count`` "1.2万+"."""
    body = _json(real2_path("weibo-ajax-statuses-show-video.json"))
    body.update(comments_count="100万+", attitudes_count="1.2万+")
    (post,) = parse_status_show(body, captured_at=CAPTURED).posts
    m = post.metrics
    assert (m.comments, m.likes, m.shares) == (1_000_000, 12_000, 1669)
    assert m.lower_bounds == {"comments", "likes"}


def test_xiaohongshu_web_card_liked_count_floor() -> None:
    """Real web ``feed`` body (tests/fixtures/real/xhs); ``liked_count`` "10万+"."""
    data = _json(REPO / "tests/fixtures/real/xhs/web_v1_feed_data_note_64db49dc.json")
    body = {"code": 0, "success": True, "msg": "成功", "data": copy.deepcopy(data)}
    body["data"]["items"][0]["note_card"]["interact_info"]["liked_count"] = "10万+"
    (post,) = parse_feed(body, captured_at=CAPTURED).posts
    assert post.metrics.likes == 100_000 and post.metrics.lower_bounds == {"likes"}
    # the untouched body: every figure exact
    exact = {"code": 0, "success": True, "data": data}
    assert parse_feed(exact, captured_at=CAPTURED).posts[0].metrics.lower_bounds == frozenset()


def test_kuaishou_display_like_count_is_a_floor_only_without_real_like_count() -> None:
    """Kuaishou GraphQL video detail fixture; ``likeCount`` "1w+", ``viewCount`` "10w+"."""
    body = _json(REPO / "tests/fixtures/kuaishou/graphql_vision_video_detail.json")
    photo = body["data"]["visionVideoDetail"]["photo"]
    photo.update(likeCount="1w+", viewCount="10w+")
    photo.pop("realLikeCount", None)
    (post,) = parse_vision_video_detail(body, captured_at=CAPTURED).posts
    assert (post.metrics.likes, post.metrics.views) == (10_000, 100_000)
    assert post.metrics.lower_bounds == {"likes", "views"}
    # realLikeCount is exact: the display "1w+" beside it is not used, so it marks nothing
    photo["realLikeCount"] = 10_234
    (post,) = parse_vision_video_detail(body, captured_at=CAPTURED).posts
    assert post.metrics.likes == 10_234 and post.metrics.lower_bounds == {"views"}


def test_mediacrawler_xiaohongshu_row_liked_count_floor(tmp_path: Path) -> None:
    """A MediaCrawler xhs_note row keeps the display string: ``liked_count`` "10万+"."""
    row = {
        "note_id": "64db49dc000000000c00f5f7",
        "type": "normal",
        "title": "标题",
        "desc": "正文 #千万IP创科普#",
        "time": 1692092892000,
        "user_id": "5f0c0c5f000000000101f3c9",
        "nickname": "作者",
        "liked_count": "10万+",
        "collected_count": "1.2万",
        "comment_count": "999+",
        "share_count": "12",
    }
    path = tmp_path / "search_contents_2024-09-15.json"
    path.write_text(json.dumps([row], ensure_ascii=False), encoding="utf-8")
    chunks = list(read_mediacrawler(path, label=path.name, fallback_time=CAPTURED))
    posts = [p for c in chunks for p in c.page.posts]
    assert [r.reason for c in chunks for r in c.page.rejects] == []
    (post,) = posts
    m = post.metrics
    assert (m.likes, m.favorites, m.comments, m.shares) == (100_000, 12_000, 999, 12)
    assert m.lower_bounds == {"likes", "comments"}
