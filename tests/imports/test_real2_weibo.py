"""The real Weibo bodies of ``../shared/fixtures/real2`` through ``tracker import`` into SQLite.

One test per body asserts every value its PROVENANCE.md row lists, read back from the database
(times in UTC); the others guard the "real responses" issue items end to end: a weibo.com video
keeps its type and views, a display date gets its year from the mid, a super-topic is a tag,
an excerpt loses its "展开", and a long text completes its post instead of becoming one.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from connectors.weibo.ids import mblogid_to_mid
from tests.helpers.cli import cli, cli_json
from tests.helpers.database import count, one, post, rows, snapshots
from tests.helpers.real import real2_path
from tests.imports.har_builder import entry, write_har

SHOW_IMAGE = "weibo-ajax-statuses-show-image.json"
LONGTEXT_B = "weibo-ajax-statuses-longtext-b.json"
SHOW_VIDEO = "weibo-ajax-statuses-show-video.json"
SHOW_RETWEET = "weibo-ajax-statuses-show-retweet.json"
TIMELINE = "weibo-mweibo-getindex-user-timeline.json"
LONG_TEXT_START = "#演员丁勇岱[超话]# 因“零钱”生缘"


def _import(db_url: str, *names: str) -> dict:
    return cli_json(db_url, *(str(real2_path(n)) for n in names))


def _account(engine: Engine, uid: str) -> dict:
    return one(engine, "SELECT * FROM account WHERE platform='weibo' AND platform_uid=:u", u=uid)


def _counts(row: dict) -> tuple:
    return (row["shares"], row["comments"], row["likes"])


# --- one test per body: every PROVENANCE value -------------------------------------------------


def test_show_image_provenance_values(db_url: str, engine: Engine) -> None:
    report = _import(db_url, SHOW_IMAGE)
    assert report["counts"]["new"] == 1 and report["counts"]["rejected"] == 0
    assert mblogid_to_mid("P5kWdcfDe") == "5112721292920028"
    work = post(engine, "weibo", "5112721292920028")
    assert work["published_at"].startswith("2024-12-17 16:00:08")  # Wed Dec 18 00:00:08 +0800
    assert work["published_at_source"] == "field"
    assert work["account_uid"] == "7207262816"
    author = _account(engine, "7207262816")
    assert author["name"] == "盛夏不及你心" and author["verified"] == 1
    assert _counts(work) == (0, 22, 49)
    assert work["content_type"] == "image"  # pictures (pic_num 18 in the body)
    # isLongText: the excerpt, without the "展开" expander
    assert work["text"].startswith(LONG_TEXT_START) and work["text"].endswith("代代相传，代代")
    assert "展开" not in work["text"]
    # the super-topic #演员丁勇岱[超话]# is a tag, stored without the marker
    assert work["hashtags"] == ["#演员丁勇岱#"]
    assert json.loads(work["context"]["super_topics"]) == ["演员丁勇岱"]
    (snap,) = snapshots(engine, "weibo", "5112721292920028")
    assert (snap["shares"], snap["comments"], snap["likes"]) == (0, 22, 49)


def test_longtext_b_provenance_values(db_url: str, engine: Engine) -> None:
    report = _import(db_url, LONGTEXT_B)
    # no post of its own: it waits for the post it completes
    assert report["counts"]["new"] == 0 and count(engine, "post") == 0
    assert count(engine, "metric_snapshot") == 0
    (pending,) = rows(engine, "SELECT * FROM pending_detail")
    assert (pending["platform"], pending["platform_post_id"]) == ("weibo", "5112721292920028")
    assert len(pending["text"]) == 195 and pending["text"].startswith(LONG_TEXT_START)
    _import(db_url, SHOW_IMAGE)
    work = post(engine, "weibo", "5112721292920028")
    assert len(work["text"]) == 195 and work["text"].startswith(LONG_TEXT_START)


def test_show_video_provenance_values(db_url: str, engine: Engine) -> None:
    _import(db_url, SHOW_VIDEO)
    assert mblogid_to_mid("QegwYsLtS") == "5234001406855704"
    work = post(engine, "weibo", "5234001406855704")
    assert work["published_at"].startswith("2025-11-17 08:04:01")  # 16:04:01 +08
    assert work["published_at_source"] == "field"
    assert work["account_uid"] == "5819071204"
    assert _account(engine, "5819071204")["name"] == "野比大雄"
    assert _counts(work) == (1669, 386, 9887)
    assert work["content_type"] == "video"  # page_info.type "11", object_type "video"
    assert work["views"] == 642409  # media_info.online_users_number, "64.2万次观看"
    assert work["duration_s"] == 14
    (snap,) = snapshots(engine, "weibo", "5234001406855704")
    assert snap["views"] == 642409


def test_show_retweet_provenance_values(db_url: str, engine: Engine) -> None:
    report = _import(db_url, SHOW_RETWEET)
    assert report["counts"]["new"] == 2  # the repost and the original it embeds
    assert mblogid_to_mid("Qeq3Dpa2b") == "5234367615996775"
    repost = post(engine, "weibo", "5234367615996775")
    assert repost["published_at"].startswith("2025-11-18 08:19:12")  # 16:19:12 +08
    assert repost["account_uid"] == "1980237443"
    assert _account(engine, "1980237443")["name"] == "青冥童子"
    assert _counts(repost) == (30, 2, 21)
    assert repost["text"] == "电动车开门be like //@光之吸豚师二号机:。//@重工组长于彦舒:？"
    assert (repost["content_type"], repost["repost_of"]) == ("repost", "5234001406855704")
    assert repost["views"] is None  # the page_info video is the original's
    original = post(engine, "weibo", "5234001406855704")  # same counts as in show-video
    assert original["published_at"].startswith("2025-11-17 08:04:01")
    assert _counts(original) == (1669, 386, 9887)
    assert (original["content_type"], original["views"], original["duration_s"]) == (
        "video",
        642409,
        14,
    )


def test_timeline_provenance_values(db_url: str, engine: Engine) -> None:
    _import(db_url, TIMELINE)
    assert mblogid_to_mid("IEOhahDCR") == "4497263844203901"
    work = post(engine, "weibo", "4497263844203901")
    assert work["account_uid"] == "6404087010"
    author = _account(engine, "6404087010")
    assert author["name"] == "香香软软的小泡芙" and author["verified"] == 1
    assert author["followers"] == 1000209
    assert _counts(work) == (587, 724, 6003)
    assert work["content_type"] == "image"  # pic_num 14
    # created_at is the display date "04-24"; the mid says 2020-04-24 15:51:58 +08
    assert work["published_at"].startswith("2020-04-24 07:51:58")
    assert work["published_at_source"] == "id"
    (snap,) = snapshots(engine, "weibo", "4497263844203901")
    assert snap["followers_at_capture"] == 1000209


# --- the issue items end to end ---------------------------------------------------------------


def test_har_timeline_capture_time_is_the_entry_and_the_year_is_the_mids(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    body = json.loads(real2_path(TIMELINE).read_text(encoding="utf-8"))
    url = "https://m.weibo.cn/api/container/getIndex?count=25&page=1&containerid=1076036404087010"
    capture = write_har(
        tmp_path / "weibo.har", [entry(url, body, started="2020-11-04T10:00:00.000+08:00")]
    )
    report = cli_json(db_url, str(capture))
    assert report["counts"]["new"] == 1
    work = post(engine, "weibo", "4497263844203901")
    assert work["published_at"].startswith("2020-04-24 07:51:58")
    assert work["last_collected_at"].startswith("2020-11-04 02:00:00")
    (snap,) = snapshots(engine, "weibo", "4497263844203901")
    assert snap["captured_at"].startswith("2020-11-04 02:00:00") and snap["likes"] == 6003


def test_longtext_waits_for_its_post_in_a_later_import(db_url: str, engine: Engine) -> None:
    first = _import(db_url, LONGTEXT_B)
    assert first["counts"]["new"] == 0 and first["platforms"] == {}
    assert count(engine, "post") == 0 and count(engine, "pending_detail") == 1
    assert any("等待" in n for n in first["notes"])  # the report says a detail is waiting
    second = _import(db_url, SHOW_IMAGE)
    assert second["counts"]["new"] == 1
    work = post(engine, "weibo", "5112721292920028")
    assert len(work["text"]) == 195  # the full text, not the excerpt
    assert work["hashtags"] == ["#演员丁勇岱#"]
    assert (work["views"], work["likes"], work["content_type"]) == (None, 49, "image")
    assert work["url"] == "https://m.weibo.cn/detail/5112721292920028"
    assert work["published_at"].startswith("2024-12-17 16:00:08")
    assert count(engine, "pending_detail") == 0  # applied once, then gone


def test_longtext_and_its_post_in_one_import(db_url: str, engine: Engine) -> None:
    report = _import(db_url, LONGTEXT_B, SHOW_IMAGE)
    assert report["counts"]["new"] == 1 and report["platforms"] == {"weibo": 1}
    work = post(engine, "weibo", "5112721292920028")
    assert len(work["text"]) == 195 and work["likes"] == 49
    assert count(engine, "pending_detail") == 0


def test_longtext_after_its_post_enriches_it(db_url: str, engine: Engine) -> None:
    _import(db_url, SHOW_IMAGE)
    before = post(engine, "weibo", "5112721292920028")
    report = _import(db_url, LONGTEXT_B)
    assert report["counts"]["new"] == 0 and count(engine, "post") == 1
    work = post(engine, "weibo", "5112721292920028")
    assert len(work["text"]) == 195 and work["text"].startswith(LONG_TEXT_START)
    # everything else is the post's own: counts, type, time, URL, collection times
    for key in ("likes", "comments", "shares", "content_type", "published_at", "url"):
        assert work[key] == before[key], key
    assert work["last_collected_at"] == before["last_collected_at"]
    assert work["fingerprint"] != before["fingerprint"]  # recomputed for the full text
    assert count(engine, "metric_snapshot") == 1 and count(engine, "pending_detail") == 0


def test_longtext_in_a_har_before_its_post(tmp_path: Path, db_url: str, engine: Engine) -> None:
    def body(name: str) -> object:
        return json.loads(real2_path(name).read_text(encoding="utf-8"))

    capture = write_har(
        tmp_path / "weibo.har",
        [
            entry(
                "https://weibo.com/ajax/statuses/longtext?id=P5kWdcfDe",
                body(LONGTEXT_B),
                started="2026-06-13T10:00:00.000Z",
            ),
            entry(
                "https://weibo.com/ajax/statuses/show?id=P5kWdcfDe",
                body(SHOW_IMAGE),
                started="2026-06-13T10:00:01.000Z",
            ),
        ],
    )
    report = cli_json(db_url, str(capture))
    assert report["counts"]["new"] == 1
    work = post(engine, "weibo", "5112721292920028")
    assert len(work["text"]) == 195 and work["last_collected_at"].startswith("2026-06-13 10:00:01")
    assert count(engine, "pending_detail") == 0


def test_saved_body_snapshot_time_is_the_file_time(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    copy = tmp_path / TIMELINE
    shutil.copyfile(real2_path(TIMELINE), copy)
    saved = datetime(2020, 11, 4, 2, 0, tzinfo=UTC).timestamp()
    os.utime(copy, (saved, saved))
    cli_json(db_url, str(copy))
    (snap,) = snapshots(engine, "weibo", "4497263844203901")
    assert snap["captured_at"].startswith("2020-11-04 02:00:00")
    assert post(engine, "weibo", "4497263844203901")["published_at"].startswith(
        "2020-04-24 07:51:58"
    )


def test_export_posts_shows_the_corrected_values(db_url: str) -> None:
    """The issue was seen in ``tracker export posts``: read the values back from there too."""
    _import(db_url, TIMELINE, SHOW_VIDEO, LONGTEXT_B, SHOW_IMAGE)
    result = cli(db_url, "export", "posts", "--format", "jsonl", "-o", "-")
    assert result.exit_code == 0, result.output
    works = {w["platform_post_id"]: w for w in map(json.loads, result.stdout.splitlines())}
    assert set(works) == {"4497263844203901", "5234001406855704", "5112721292920028"}
    timeline = works["4497263844203901"]
    assert timeline["published_at"] == "2020-04-24T07:51:58+00:00"
    video = works["5234001406855704"]
    assert (video["content_type"], video["metrics"]["views"]) == ("video", 642409)
    image = works["5112721292920028"]
    assert image["hashtags"] == ["#演员丁勇岱#"] and len(image["text"]) == 195
