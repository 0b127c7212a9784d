"""Every real response body we hold, imported through ``tracker import`` into a SQLite file.

The expected values were read by hand from the fixture files (see each PROVENANCE.md); the
parsers' own tests check their functions, these check that the import door delivers the same
values to the database: ids, counts, times, authors and follower counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers.cli import cli, cli_json
from tests.helpers.database import count, one, post, rows, snapshots
from tests.helpers.real import REAL


@pytest.fixture
def imported(db_url: str, engine: Engine) -> dict:
    return cli_json(db_url, str(REAL))


def _file(report: dict, name: str) -> dict:
    (found,) = [f for f in report["files"] if Path(f["path"]).name == name]
    return found


def test_whole_folder_is_one_run_with_exact_counts(imported: dict, engine: Engine) -> None:
    counts = imported["counts"]
    # 96 TikTok lines + 14 saved bodies (the bare XHS feed `data` cut among them: recognised
    # by its note_card items; the Bilibili reply page holds comments, no work); the Kuaishou
    # comment page is refused before it is read; PROVENANCE.md files are skipped with a note.
    assert counts["items_read"] == 110
    # 1 + 20 + 42 + 1 (bilibili) + 16 (douyin) + 20 + 1 (xhs: search, feed cut) + 96 + 5 (zhihu)
    # + 1 (kuaishou atlas); the Weibo long text completes a post that is not there, so it waits
    # instead of becoming one
    assert counts["new"] == 203 and counts["updated"] == 0
    # the two Bilibili error bodies, and the Kuaishou comment page (no comment reader yet)
    assert counts["rejected"] == 3
    assert imported["platforms"] == {
        "bilibili": 64,
        "douyin": 16,
        "kuaishou": 1,
        "xiaohongshu": 21,
        "tiktok": 96,
        "zhihu": 5,
    }
    run = one(engine, "SELECT * FROM run WHERE kind = 'import'")
    assert run["status"] == "partial" and run["items_read"] == 110 and run["new"] == 203
    assert run["rejected"] == 3 and run["finished_at"] is not None
    assert count(engine, "post") == 203
    assert any("PROVENANCE.md" in n for n in imported["notes"])


def test_bilibili_view_and_search_bodies(imported: dict, engine: Engine) -> None:
    view = post(engine, "bilibili", "BV117411r7R1")
    assert view["title"] == "当我给拜年祭的快板加了电音配乐…"
    assert (view["views"], view["likes"], view["comments"], view["shares"], view["favorites"]) == (
        2404179,
        161270,
        2676,
        9620,
        58329,
    )
    assert view["published_at"].startswith("2020-01-30 09:40:55")  # pubdate 1580377255
    assert view["duration_s"] == 486 and view["account_uid"] == "66606350"
    assert view["source"] == "import"
    owner = one(
        engine, "SELECT * FROM account WHERE platform='bilibili' AND platform_uid='66606350'"
    )
    assert owner["name"] == "陈楒潼桶桶桶" and owner["followers"] == 616428

    item = post(engine, "bilibili", "BV1KJ411C7Un")  # one search result item, saved alone
    assert (item["views"], item["comments"], item["favorites"]) == (2915520, 6124, 114102)
    assert item["likes"] is None  # a search item has no like count
    assert item["duration_s"] == 242  # "4:2"
    assert item["title"] == "【Mitchie M】初音未来《买买买》【2020拜年祭单品】"  # <em> removed
    assert item["account_uid"] == "5669526"

    assert _file(imported, "search_type_video_keyword_shaonian.json")["posts"] == 20
    first = post(engine, "bilibili", "BV1De411p77r")
    assert (first["views"], first["comments"], first["favorites"]) == (1037655, 1265, 27341)
    assert first["account_uid"] == "178932626" and first["duration_s"] == 258

    # the third-party envelope around a Bilibili body is removed
    assert _file(imported, "tikhub_wrapped_web_general_search.json")["posts"] == 42
    wrapped = post(engine, "bilibili", "BV19wFGzzEPZ")
    assert (wrapped["views"], wrapped["likes"], wrapped["comments"]) == (47660, 782, 46)
    assert wrapped["duration_s"] == 14150 * 60 + 36


def test_bilibili_error_bodies_are_rejects_with_reasons(imported: dict, engine: Engine) -> None:
    rejects = rows(engine, "SELECT * FROM reject WHERE platform = 'bilibili' ORDER BY id")
    assert len(rejects) == 2
    by_file = {Path(r["location"]).name: r for r in rejects}
    assert "v_voucher" in by_file["error_352_v_voucher.json"]["reason"]
    assert "-101" in by_file["nav_unlogged_wbi_img.json"]["reason"]
    assert all(r["platform"] == "bilibili" and r["source"] == "import:json" for r in rejects)


def test_douyin_wrapped_app_search(imported: dict, engine: Engine) -> None:
    name = "tikhub_wrapped_app_general_search_v1_keyword_maomi.json"
    assert _file(imported, name)["posts"] == 16  # 18 cards, 2 of them are not awemes
    work = post(engine, "douyin", "7584769166932233472")
    assert work["text"].startswith("好坏一看便知。#猫")
    assert (work["likes"], work["comments"], work["shares"], work["favorites"]) == (
        2816,
        1046,
        2298,
        711,
    )
    assert work["views"] is None  # play_count 0 in search results means "not given"
    assert work["content_type"] == "image"  # aweme_type 68
    assert work["published_at"].startswith("2025-12-17 10:18:26")  # create_time 1765966706
    assert work["account_uid"] == "4457845776194612"
    author = one(
        engine, "SELECT * FROM account WHERE platform='douyin' AND platform_uid='4457845776194612'"
    )
    assert author["name"] == "十九喵🐱" and author["followers"] is None  # lists send 0


def test_xiaohongshu_wrapped_search(imported: dict, engine: Engine) -> None:
    assert _file(imported, "tikhub_wrapped_search_notes_keyword_chenpi.json")["posts"] == 20
    note = post(engine, "xiaohongshu", "67ff2df8000000001b03ebc7")
    assert note["title"] == "【新会陈皮｜别人卷价格，我们只卷品质】"
    assert (note["likes"], note["favorites"], note["comments"], note["shares"]) == (45, 28, 3, 7)
    assert note["published_at"].startswith("2025-04-16 04:11:36")  # timestamp 1744776696 (s)
    assert note["account_uid"] == "574847b76a6a691827d693cb"
    assert (
        one(engine, "SELECT name FROM account WHERE platform_uid='574847b76a6a691827d693cb'")[
            "name"
        ]
        == "大可皮茶记"
    )


def test_weibo_profile_and_longtext(imported: dict, engine: Engine) -> None:
    acc = one(engine, "SELECT * FROM account WHERE platform='weibo' AND platform_uid='1959830294'")
    assert acc["name"] == "汪有" and acc["followers"] == 1520885
    assert acc["verified"] == 1 and acc["verify_type"] == "0"
    # a long text alone is no post: it waits for 4069372986738497 (named in the url_struct log)
    assert count(engine, "post", "platform='weibo'") == 0
    assert snapshots(engine, "weibo", "4069372986738497") == []  # no counts, no snapshot
    long = one(engine, "SELECT * FROM pending_detail WHERE platform_post_id='4069372986738497'")
    assert long["account_uid"] == "1974576991"
    assert long["text"].startswith("中国再发野生动物园老虎伤人事件")


def test_zhihu_topstory_feed(imported: dict, engine: Engine) -> None:
    assert _file(imported, "zhihu_api_v3_feed_topstory_recommend.json")["posts"] == 5
    answer = post(engine, "zhihu", "162040459")
    assert (answer["likes"], answer["comments"], answer["views"]) == (32116, 998, 1565813)
    assert answer["published_at"].startswith("2017-04-28 07:04:18")  # created_time 1493363058
    assert answer["context"]["question_id"] == "49502870"
    assert answer["account_uid"] == "apanguanzhang"
    author = one(
        engine, "SELECT * FROM account WHERE platform='zhihu' AND platform_uid='apanguanzhang'"
    )
    assert author["name"] == "阿潘館長" and author["followers"] == 62258
    assert count(engine, "post", "platform='zhihu' AND platform_post_id='364162287'") == 0


def test_zeeschuimer_tiktok_export(imported: dict, engine: Engine) -> None:
    report = _file(imported, "tiktok-test.ndjson")
    assert report["format"] == "zeeschuimer" and report["items_read"] == 96
    assert report["posts"] == 96 and report["rejected"] == 0
    work = post(engine, "tiktok", "7288995634328177926")
    assert work["source"] == "capture"
    # timestamp_collected 1697108706245 ms is the snapshot time
    assert work["last_collected_at"].startswith("2023-10-12 11:05:06.245")
    assert (work["views"], work["likes"], work["comments"], work["shares"], work["favorites"]) == (
        3597,
        59,
        3,
        0,
        9,
    )
    assert work["published_at"].startswith("2023-10-12 09:05:49")  # createTime 1697101549
    assert work["account_uid"] == "7158414720537232389" and work["duration_s"] == 277
    (snap,) = snapshots(engine, "tiktok", "7288995634328177926")
    assert snap["captured_at"].startswith("2023-10-12 11:05:06.245")
    assert snap["followers_at_capture"] == 277400 and snap["source"] == "capture"
    author = one(
        engine,
        "SELECT * FROM account WHERE platform='tiktok' AND platform_uid='7158414720537232389'",
    )
    assert author["name"] == "Habertürk TV" and author["followers"] == 277400
    last = post(engine, "tiktok", "7213827546666781958")  # the last line
    assert last["last_collected_at"].startswith("2023-10-12 11:07:02.422")
    assert (last["views"], last["likes"]) == (35000, 1866)


def test_reimport_is_idempotent(db_url: str, engine: Engine, imported: dict) -> None:
    again = cli_json(db_url, str(REAL))
    assert again["counts"]["new"] == 0 and again["counts"]["updated"] == 0
    assert count(engine, "post") == 203
    n_snapshots = count(engine, "metric_snapshot")
    assert cli_json(db_url, str(REAL / "zeeschuimer"))["counts"]["new"] == 0
    assert count(engine, "metric_snapshot") == n_snapshots


def test_table_output_names_files_and_rejects(db_url: str) -> None:
    result = cli(db_url, "import", str(REAL / "bilibili" / "error_352_v_voucher.json"))
    assert result.exit_code == 1, result.output  # its only file was refused: nothing imported
    assert "拒绝 1" in result.stdout
    assert "v_voucher" in result.stderr and "error_352_v_voucher.json" in result.stderr


def test_saved_body_platform_option(db_url: str, tmp_path: Path, engine: Engine) -> None:
    # a bare list body cannot be recognised: --platform settles it, without it a clear error
    body = json.loads((REAL / "zhihu" / "zhihu_api_v3_feed_topstory_recommend.json").read_text())
    bare = tmp_path / "saved.json"
    bare.write_text(json.dumps({"data": body["data"]}, ensure_ascii=False), encoding="utf-8")
    failed = cli(db_url, "import", str(bare))
    assert failed.exit_code == 1
    assert "saved.json" in failed.stderr and "--platform" in failed.stderr
    report = cli_json(db_url, "--platform", "zhihu", str(bare))
    assert report["counts"]["new"] == 5
