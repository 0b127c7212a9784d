"""Weibo parsers on the shared real bodies in ``../shared/fixtures/real2`` (see its PROVENANCE.md).

Each test names the issue item it guards ("real responses": videos typed text, display dates
with the wrong year, super-topic tags dropped, "展开" left in excerpts, a long text creating a
post). The values were read by hand from the raw fields; times are asserted in UTC.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from connectors.weibo import parse as weibo_parse
from connectors.weibo.parse import parse_get_index, parse_longtext, parse_status_show

from ...helpers.real import real2_path

CAPTURED = datetime(2026, 6, 13, 4, 0, tzinfo=UTC)  # after every real2 body was saved
LONG_TEXT_START = "#演员丁勇岱[超话]# 因“零钱”生缘"


def load(name: str) -> Any:
    return json.loads(real2_path(name).read_text(encoding="utf-8"))


# --- item 1: weibo.com videos (page_info.type "11", object_type "video") ------------------------


def test_show_video_is_a_video_with_its_views():
    page = parse_status_show(load("weibo-ajax-statuses-show-video.json"), captured_at=CAPTURED)
    (post,) = page.posts
    assert post.content_type == "video"
    assert post.metrics.views == 642409  # media_info.online_users_number ("64.2万次观看")
    assert post.duration_s == 14


def test_show_retweet_embedded_video_is_a_video_with_its_views():
    page = parse_status_show(load("weibo-ajax-statuses-show-retweet.json"), captured_at=CAPTURED)
    by_id = {p.platform_post_id: p for p in page.posts}
    original = by_id["5234001406855704"]
    assert (original.content_type, original.metrics.views, original.duration_s) == (
        "video",
        642409,
        14,
    )
    repost = by_id["5234367615996775"]
    # the repost's own page_info is the original's video: its views are not the repost's
    assert (repost.content_type, repost.metrics.views) == ("repost", None)


# --- item 2: display dates ("04-24") and the time in the mid ----------------------------------


def test_mid_time_decodes_the_creation_second():
    mid_time = weibo_parse.mid_time
    assert mid_time("4497263844203901") == datetime(2020, 4, 24, 7, 51, 58, tzinfo=UTC)
    # show-video: created_at "Mon Nov 17 16:04:01 +0800 2025", the id says the same second
    assert mid_time("5234001406855704") == datetime(2025, 11, 17, 8, 4, 1, tzinfo=UTC)
    assert mid_time("500") is None  # far before Weibo existed: not a time-bearing mid
    assert mid_time("P5kWdcfDe") is None


def test_timeline_display_date_takes_the_time_from_the_mid():
    body = load("weibo-mweibo-getindex-user-timeline.json")
    (post,) = parse_get_index(body, captured_at=CAPTURED).posts
    assert post.published_at == datetime(2020, 4, 24, 7, 51, 58, tzinfo=UTC)  # not 2026-04-24
    assert post.published_at_source == "id"


def test_full_created_at_wins_over_the_mid():
    (post,) = parse_status_show(
        load("weibo-ajax-statuses-show-image.json"), captured_at=CAPTURED
    ).posts
    # the mid says 00:00:09 (it is exact to 0-1 s); the full created_at says 00:00:08
    assert post.published_at == datetime(2024, 12, 17, 16, 0, 8, tzinfo=UTC)
    assert post.published_at_source == "field"


def test_display_date_without_a_time_bearing_id_is_the_latest_past_date():
    body = copy.deepcopy(load("weibo-mweibo-getindex-user-timeline.json"))
    mblog = body["data"]["cards"][0]["mblog"]
    for key in ("id", "idstr", "mid"):
        mblog[key] = "500"  # an id that encodes no time (the simulator's or a test's)
    captured = datetime(2020, 11, 4, 2, 0, tzinfo=UTC)  # when the blogger saved the body
    (post,) = parse_get_index(body, captured_at=captured).posts
    assert post.published_at == datetime(2020, 4, 23, 16, 0, tzinfo=UTC)  # 2020-04-24 00:00 +08
    assert post.published_at_source == "display"
    mblog["created_at"] = "昨天 15:51"
    (post,) = parse_get_index(body, captured_at=captured).posts
    assert post.published_at == datetime(2020, 11, 3, 7, 51, tzinfo=UTC)
    assert post.published_at_source == "display"


# --- item 3: super-topic tags ------------------------------------------------------------------


def test_show_image_super_topic_is_a_tag():
    (post,) = parse_status_show(
        load("weibo-ajax-statuses-show-image.json"), captured_at=CAPTURED
    ).posts
    assert post.hashtags == ["#演员丁勇岱#"]
    assert json.loads(post.context["super_topics"]) == ["演员丁勇岱"]


def test_super_topic_in_html_only_is_found_from_the_icon_title():
    body = load("weibo-ajax-statuses-show-image.json")
    del body["text_raw"]  # an m.weibo.cn-like body: only the HTML text
    (post,) = parse_status_show(body, captured_at=CAPTURED).posts
    assert post.hashtags == ["#演员丁勇岱#"]
    assert json.loads(post.context["super_topics"]) == ["演员丁勇岱"]


def test_longtext_super_topic_is_kept_whole():
    page = parse_longtext(load("weibo-ajax-statuses-longtext-b.json"), captured_at=CAPTURED)
    (detail,) = page.details
    assert detail.hashtags == ["#演员丁勇岱#"]  # not "#演员丁勇岱" with "[超话]#" cut off
    assert json.loads(detail.context["super_topics"]) == ["演员丁勇岱"]


# --- item 4: the "展开" expander of a cut weibo.com text ------------------------------------------


def test_show_image_excerpt_has_no_expander():
    body = load("weibo-ajax-statuses-show-image.json")
    (post,) = parse_status_show(body, captured_at=CAPTURED).posts
    assert not post.text.endswith("展开")
    assert post.text.startswith(LONG_TEXT_START)
    assert post.text.endswith("代代相传，代代")
    del body["text_raw"]  # the HTML text ends in ' ...<span class="expand">展开</span>'
    (post,) = parse_status_show(body, captured_at=CAPTURED).posts
    assert "展开" not in post.text
    assert post.text.endswith("代代相传，代代")


# --- item 5: a long text completes a post, it is not one ---------------------------------------


def test_longtext_is_a_detail_not_a_post():
    page = parse_longtext(load("weibo-ajax-statuses-longtext-b.json"), captured_at=CAPTURED)
    assert page.posts == [] and page.rejects == []
    (detail,) = page.details
    assert detail.platform_post_id == "5112721292920028"  # "mid:" of the link log
    assert detail.account_uid == "7207262816"  # "miduid:"
    assert len(detail.text) == 195 and detail.text.startswith(LONG_TEXT_START)
    assert detail.text.endswith("拍戏一路长虹[送花花][送花花][送花花]")
