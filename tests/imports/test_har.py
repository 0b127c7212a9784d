"""HAR captures: real bodies routed by URL, unrelated traffic skipped, base64 bodies, damage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connectors.weibo.ids import mid_to_mblogid
from tests.helpers.cli import cli
from tests.helpers.database import count, one, post, rows, snapshots
from tests.helpers.real import REAL
from tests.imports.har_builder import entry, write_har
from tracker.config import TrackerConfig
from tracker.imports.har import read_har
from tracker.imports.service import import_paths


def _body(*parts: str) -> dict:
    return json.loads(REAL.joinpath(*parts).read_text(encoding="utf-8"))


def _capture_entries() -> list[dict]:
    """A browsing session: five platform responses among page, image and analytics traffic."""
    douyin = _body("douyin", "tikhub_wrapped_app_general_search_v1_keyword_maomi.json")["data"]
    xhs = _body("xhs", "tikhub_wrapped_search_notes_keyword_chenpi.json")["data"]
    blog = mid_to_mblogid("4069372986738497")
    return [
        entry(
            "https://www.zhihu.com/",
            "<!doctype html><html></html>",
            started="2024-09-15T02:00:00.000Z",
            mime="text/html",
        ),
        entry(
            "https://www.zhihu.com/api/v3/feed/topstory/recommend?desktop=true&page_number=3&limit=6",
            _body("zhihu", "zhihu_api_v3_feed_topstory_recommend.json"),
            started="2024-09-15T02:00:01.500Z",
        ),
        entry(
            "https://pic1.zhimg.com/v2-abc_xl.jpg",
            b"\xff\xd8\xff\xe0 not really a jpeg",
            started="2024-09-15T02:00:01.600Z",
            mime="image/jpeg",
            encode_base64=True,
        ),
        entry(
            # Chrome stores this body base64 encoded: the importer must decode it
            "https://api.bilibili.com/x/web-interface/wbi/search/type?search_type=video&keyword=%E5%B0%91%E5%B9%B4&w_rid=abc&wts=1726366000",
            _body("bilibili", "search_type_video_keyword_shaonian.json"),
            started="2024-09-15T10:06:40+08:00",
            encode_base64=True,
        ),
        entry(
            "https://api.bilibili.com/x/web-interface/nav",
            _body("bilibili", "nav_unlogged_wbi_img.json"),
            started="2024-09-15T02:06:41.000Z",
        ),
        entry(
            "https://data.bilibili.com/v2/log/web?content_type=pbrequest",
            "",
            started="2024-09-15T02:06:42.000Z",
            mime="text/plain",
        ),
        entry(
            "https://weibo.com/ajax/profile/info?uid=1959830294",
            _body("weibo", "weibo_com_ajax_profile_info.json"),
            started="2024-09-15T03:00:00.000Z",
        ),
        entry(
            f"https://weibo.com/ajax/statuses/longtext?id={blog}",
            _body("weibo", "weibo_com_ajax_statuses_longtext.json"),
            started="2024-09-15T03:00:02.000Z",
        ),
        entry(
            "https://www.douyin.com/aweme/v1/web/general/search/single/?keyword=%E7%8C%AB%E5%92%AA&msToken=secret",
            douyin,
            started="2024-09-15T04:00:00.000Z",
        ),
        entry(
            "https://mon.zijieapi.com/monitor_browser/collect/batch/?biz_id=douyin_web",
            {"status": 0},
            started="2024-09-15T04:00:00.100Z",
        ),
        entry(
            "https://edith.xiaohongshu.com/api/sns/web/v1/search/notes",
            xhs,
            started="2024-09-15T05:00:00.000Z",
            method="POST",
        ),
        # a matching response saved without its body ("sanitized" export)
        entry(
            "https://www.zhihu.com/api/v4/search_v3?q=%E7%A7%91%E6%99%AE&t=general",
            {},
            started="2024-09-15T05:10:00.000Z",
            with_text=False,
        ),
        # a matching response that is a captcha page, not JSON
        entry(
            "https://edith.xiaohongshu.com/api/sns/web/v1/feed",
            "<html><body>请完成安全验证</body></html>",
            started="2024-09-15T05:20:00.000Z",
            mime="text/html",
            status=461,
            method="POST",
        ),
    ]


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    return write_har(tmp_path / "session.har", _capture_entries())


def test_har_imports_exactly_the_platform_responses(
    capture: Path, engine: Engine, config: TrackerConfig
) -> None:
    report = import_paths(engine, [capture], config=config)
    c = report.counts
    assert report.files[0].format == "har"
    assert c.items_read == 13
    assert c.skipped == 5  # the page, an image, nav, a log beacon and analytics
    assert report.files[0].skipped_by == {
        "www.zhihu.com": 1,
        "pic1.zhimg.com": 1,
        "api.bilibili.com": 1,
        "data.bilibili.com": 1,
        "mon.zijieapi.com": 1,
    }
    assert c.pages == 6  # six bodies reached a parser
    # zhihu 5 + bilibili 20 + douyin 16 + xiaohongshu 20; the weibo long text waits for its post
    assert c.new == 61 and count(engine, "post") == 61
    assert report.platforms == {
        "zhihu": 5,
        "bilibili": 20,
        "douyin": 16,
        "xiaohongshu": 20,
    }
    assert c.rejected == 2
    reasons = {
        r["location"].rsplit(" ", 1)[1]: r["reason"] for r in rows(engine, "SELECT * FROM reject")
    }
    assert "没有保存响应体" in reasons["(www.zhihu.com/api/v4/search_v3)"]
    assert reasons["(edith.xiaohongshu.com/api/sns/web/v1/feed)"].startswith(
        "HTTP 461: 响应体不是 JSON"
    )
    locations = [r["location"] for r in rows(engine, "SELECT location FROM reject")]
    assert all(loc.startswith(f"{capture}#entry ") for loc in locations)
    assert not any("msToken" in loc or "secret" in loc for loc in locations)


def test_capture_time_is_the_entry_time(
    capture: Path, engine: Engine, config: TrackerConfig
) -> None:
    import_paths(engine, [capture], config=config)
    answer = post(engine, "zhihu", "162040459")
    assert answer["source"] == "capture"
    assert answer["last_collected_at"].startswith("2024-09-15 02:00:01.500")
    (snap,) = snapshots(engine, "zhihu", "162040459")
    assert snap["captured_at"].startswith("2024-09-15 02:00:01.500") and snap["likes"] == 32116
    # the base64 Bilibili body, captured at 10:06:40 Beijing time = 02:06:40 UTC
    video = post(engine, "bilibili", "BV1De411p77r")
    assert video["last_collected_at"].startswith("2024-09-15 02:06:40")
    assert (video["views"], video["comments"], video["favorites"]) == (1037655, 1265, 27341)
    # the longtext post id came from the request URL (an mblogid), converted to the mid; the
    # long text waits for that post (it is not one)
    long = one(engine, "SELECT * FROM pending_detail WHERE platform_post_id='4069372986738497'")
    assert long["text"].startswith("中国再发野生动物园老虎伤人事件")
    assert long["captured_at"].startswith("2024-09-15 03:00:02")
    acc = one(engine, "SELECT * FROM account WHERE platform='weibo' AND platform_uid='1959830294'")
    assert acc["followers"] == 1520885 and acc["last_seen_at"].startswith("2024-09-15 03:00:00")
    note = post(engine, "xiaohongshu", "67ff2df8000000001b03ebc7")
    assert note["likes"] == 45 and note["last_collected_at"].startswith("2024-09-15 05:00:00")


def test_platform_option_limits_routing(
    capture: Path, engine: Engine, config: TrackerConfig
) -> None:
    report = import_paths(engine, [capture], config=config, platform="zhihu")
    assert report.platforms == {"zhihu": 5}
    assert report.counts.rejected == 1  # only the zhihu entry without body
    assert report.counts.skipped == 11  # 5 unrelated + 6 other platforms' responses


def test_truncated_har_keeps_what_was_read(tmp_path: Path, db_url: str, engine: Engine) -> None:
    full = write_har(tmp_path / "full.har", _capture_entries())
    text = full.read_text(encoding="utf-8")
    cut = text.index('"https://weibo.com/ajax/profile/info')
    broken = tmp_path / "broken.har"
    broken.write_text(text[:cut], encoding="utf-8")
    result = cli(db_url, "import", "--format", "json", str(broken))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["status"] == "failed"
    (f,) = report["files"]
    assert f["error"].startswith(f"{broken}: HAR 文件在第 6 个条目之后损坏")
    assert report["counts"]["new"] == 25  # zhihu 5 + bilibili 20, read before the damage
    assert count(engine, "post") == 25
    run = one(engine, "SELECT status, error FROM run")
    assert run["status"] == "failed" and "损坏" in run["error"]
    assert count(engine, "reject", "location = :p", p=str(broken)) == 1


def test_har_with_bytes_that_are_not_utf8_keeps_what_was_read(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """A lone surrogate (as some tools write for broken emoji) inside an entry's body stops the
    stream like bad JSON: a clear error and a reject row, the entries before it kept."""
    full = write_har(tmp_path / "full.har", _capture_entries())
    raw = full.read_bytes()
    at = raw.index(b'"https://weibo.com/ajax/profile/info')
    bad = tmp_path / "bad-bytes.har"
    bad.write_bytes(raw[:at] + b'"\xed\xa0\x80' + raw[at + 1 :])
    result = cli(db_url, "import", "--format", "json", str(bad))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (f,) = report["files"]
    assert f["error"].startswith(f"{bad}: HAR 文件在第 6 个条目之后损坏")
    assert "UTF-8" in f["error"]
    assert report["counts"]["new"] == 25  # the entries before the bad bytes
    assert count(engine, "reject", "location = :p", p=str(bad)) == 1


def test_reader_streams_one_entry_at_a_time(capture: Path) -> None:
    from datetime import UTC, datetime

    chunks = read_har(capture, label="x.har", fallback_time=datetime(2024, 1, 1, tzinfo=UTC))
    first = next(chunks)
    assert first.read == 1 and first.skipped == 1 and first.skip_reason == "www.zhihu.com"
    second = next(chunks)
    assert len(second.page.posts) == 5 and second.parsed == 1


def test_json_file_with_har_content_is_detected_as_har(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    renamed = write_har(tmp_path / "导出.json", _capture_entries()[:2])
    report = import_paths(engine, [renamed], config=config)
    assert report.files[0].format == "har" and report.counts.new == 5
