"""The Douyin parser on real response bodies from ``shared/fixtures/real2`` (see its PROVENANCE.md).

Expected values were read by hand from the raw fields. Times are asserted in UTC (the bodies'
Beijing times minus 8 h). The 2020 ``aweme/post`` lists and the Douyin_TikTok_Download_API
wrapper carry no ``create_time``: the time comes from the id (``aweme_id >> 32``) and is marked
``published_at_source == "id"``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from connectors.douyin.ids import aweme_id_time
from connectors.douyin.parse import parse_any
from tracker.records import ParsedPage

from ...helpers.real import real2_path

CAPTURED = datetime(2026, 12, 4, tzinfo=UTC)


def _parse(name: str) -> ParsedPage:
    body = json.loads(real2_path(name).read_text(encoding="utf-8"))
    return parse_any(body, captured_at=CAPTURED, source="import")


def _only_author(page: ParsedPage) -> str:
    (uid,) = {p.account_uid for p in page.posts}
    return uid


def test_2020_minified_list_times_come_from_the_ids() -> None:
    page = _parse("douyin-aweme-post-list-2020-minified.json")
    assert len(page.posts) == 25 and not page.rejects
    assert _only_author(page) == "52895175925"
    work = next(p for p in page.posts if p.platform_post_id == "6839298761143930116")
    assert work.published_at == datetime(2020, 6, 17, 12, 52, 12, tzinfo=UTC)  # 20:52:12+08
    assert work.published_at_source == "id"
    assert (work.metrics.likes, work.metrics.comments, work.metrics.shares) == (4517, 479, 27)
    assert work.hashtags == ["美团外卖小姐姐"]
    # every derived time is before the server's clock when it answered (extra.now)
    now = datetime.fromtimestamp(1592449898, UTC)
    assert all(p.published_at is not None and p.published_at < now for p in page.posts)
    assert {p.published_at_source for p in page.posts} == {"id"}


def test_2020_pretty_list_times_come_from_the_ids() -> None:
    page = _parse("douyin-aweme-post-list-2020-pretty.json")
    assert len(page.posts) == 41 and not page.rejects
    assert _only_author(page) == "61431549002"
    work = next(p for p in page.posts if p.platform_post_id == "6839264343264218375")
    assert work.published_at == datetime(2020, 6, 17, 10, 38, 39, tzinfo=UTC)  # 18:38:39+08
    assert work.published_at_source == "id"
    assert (work.metrics.likes, work.metrics.comments, work.metrics.shares) == (50, 25, 0)
    now = datetime.fromtimestamp(1592483750, UTC)
    assert all(p.published_at is not None and p.published_at < now for p in page.posts)


def test_download_api_wrapper_is_read_and_times_come_from_the_ids() -> None:
    page = _parse("douyin-dtda-profile-videos-wrapped.json")
    assert len(page.posts) == 20 and not page.rejects
    assert _only_author(page) == "2264647717892407"
    work = next(p for p in page.posts if p.platform_post_id == "7154672093802597665")
    assert work.published_at == datetime(2022, 10, 15, 9, 41, 48, tzinfo=UTC)  # 17:41:48+08
    assert work.published_at_source == "id"
    assert (work.metrics.likes, work.metrics.comments, work.metrics.shares) == (33000, 866, 944)
    assert work.hashtags == ["经典电影", "推荐电影"]


def test_a_create_time_field_wins_and_the_id_agrees_within_seconds() -> None:
    for name, aweme_id, created in (
        ("douyin-web-aweme-detail-video.json", "7554555892894436666", 1758932115),
        ("douyin-web-aweme-detail-note.json", "7469411074119322899", 1739107801),
    ):
        (work,) = _parse(name).posts
        assert work.platform_post_id == aweme_id
        assert work.published_at == datetime.fromtimestamp(created, UTC)
        assert work.published_at_source == "field"
        derived = aweme_id_time(aweme_id)
        assert derived is not None
        assert 0 <= (work.published_at - derived).total_seconds() < 60


def test_ids_that_encode_no_plausible_time_give_none() -> None:
    assert aweme_id_time("12345") is None  # before Douyin existed
    assert aweme_id_time("not-a-number") is None
    assert aweme_id_time(str(2**63 - 1)) is None  # far in the future
    assert aweme_id_time("6839298761143930116", now=datetime(2019, 1, 1, tzinfo=UTC)) is None
