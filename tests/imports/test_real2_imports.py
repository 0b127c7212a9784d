"""The non-Weibo real bodies of ``shared/fixtures/real2``, each imported through ``tracker import``.

Every value the real2 ``PROVENANCE.md`` row lists is asserted on what reached the SQLite file
(``post``, ``account``); times are the Beijing times of the row converted to UTC. Values the
store has no column for (Zhihu thanks, Bilibili coins and danmaku, Kuaishou fans of the h5 body
are an account figure) are noted where they are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tests.helpers.cli import cli, cli_json
from tests.helpers.database import count, one, post, rows
from tests.helpers.real import REAL, real2_path

CHENPI = "tikhub_wrapped_search_notes_keyword_chenpi.json"


def _import(db_url: str, name: str, *options: str) -> dict[str, Any]:
    return cli_json(db_url, *options, str(real2_path(name)))


def _account(engine: Engine, platform: str, uid: str) -> dict[str, Any]:
    return one(
        engine,
        "SELECT * FROM account WHERE platform = :p AND platform_uid = :u",
        p=platform,
        u=uid,
    )


def _metrics(work: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(work[m] for m in ("views", "likes", "comments", "shares", "favorites"))


# --- Douyin ---------------------------------------------------------------------------------


def test_douyin_detail_video(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "douyin-web-aweme-detail-video.json")
    assert report["status"] == "ok" and report["counts"]["new"] == 1
    work = post(engine, "douyin", "7554555892894436666")
    assert work["content_type"] == "video"  # media_type 4
    assert work["url"] == "https://www.douyin.com/video/7554555892894436666"
    assert work["published_at"].startswith("2025-09-27 00:15:15")  # 1758932115, 08:15:15+08
    assert work["published_at_source"] == "field"
    # play_count 0 is hidden, so views are unknown, not zero
    assert _metrics(work) == (None, 3, 0, 0, 0)
    assert work["text"] is None  # desc empty
    assert work["account_uid"] == "3293789928295395"
    author = _account(engine, "douyin", "3293789928295395")
    assert author["name"] == "王叨叨"
    assert author["url"].startswith("https://www.douyin.com/user/MS4wLjABAAAAc4dD")


def test_douyin_detail_image_note(db_url: str, engine: Engine) -> None:
    _import(db_url, "douyin-web-aweme-detail-note.json")
    work = post(engine, "douyin", "7469411074119322899")
    assert work["content_type"] == "image"  # media_type 2
    assert work["url"] == "https://www.douyin.com/note/7469411074119322899"
    assert work["published_at"].startswith("2025-02-09 13:30:01")  # 21:30:01+08
    assert _metrics(work) == (None, 3059, 136, 1338, 363)
    assert work["hashtags"] == ["mygo", "长崎素世", "若叶睦"]
    assert work["account_uid"] == "93390477132"
    author = _account(engine, "douyin", "93390477132")
    assert author["name"] == "kamada" and author["followers"] == 3676


def test_douyin_2020_minified_post_list(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "douyin-aweme-post-list-2020-minified.json")
    assert report["status"] == "ok" and report["counts"]["new"] == 25
    assert count(engine, "post", "platform = 'douyin'") == 25
    assert count(engine, "post", "account_uid = '52895175925'") == 25
    author = _account(engine, "douyin", "52895175925")
    # the raw nickname ends in a private-use emoji (U+E04A) the PROVENANCE row does not show
    assert author["name"].startswith("小蔡") and author["followers"] == 344496
    work = post(engine, "douyin", "6839298761143930116")
    assert _metrics(work)[1:4] == (4517, 479, 27)
    assert work["hashtags"] == ["美团外卖小姐姐"]
    # no create_time in 2020 items: id >> 32 gives 2020-06-17 20:52:12+08
    assert work["published_at"].startswith("2020-06-17 12:52:12")
    assert work["published_at_source"] == "id"
    undated = count(engine, "post", "published_at IS NULL OR published_at_source != 'id'")
    assert undated == 0


def test_douyin_2020_pretty_post_list(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "douyin-aweme-post-list-2020-pretty.json")
    assert report["counts"]["new"] == 41
    assert count(engine, "post", "account_uid = '61431549002'") == 41
    assert _account(engine, "douyin", "61431549002")["name"] == "Lx"
    work = post(engine, "douyin", "6839264343264218375")
    assert _metrics(work)[1:4] == (50, 25, 0)
    assert work["published_at"].startswith("2020-06-17 10:38:39")  # 18:38:39+08 from the id
    assert work["published_at_source"] == "id"


def test_douyin_download_api_wrapper(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "douyin-dtda-profile-videos-wrapped.json")
    assert report["status"] == "ok" and report["counts"]["new"] == 20
    assert report["platforms"] == {"douyin": 20}  # recognised without --platform
    assert count(engine, "post", "account_uid = '2264647717892407'") == 20
    assert _account(engine, "douyin", "2264647717892407")["name"] == "黑白影视"
    work = post(engine, "douyin", "7154672093802597665")
    assert _metrics(work)[1:4] == (33000, 866, 944)
    assert work["hashtags"] == ["经典电影", "推荐电影"]
    assert work["published_at"].startswith("2022-10-15 09:41:48")  # 17:41:48+08 from the id
    assert work["published_at_source"] == "id"


# --- Kuaishou -------------------------------------------------------------------------------


def test_kuaishou_graphql_video_detail(db_url: str, engine: Engine) -> None:
    _import(db_url, "kuaishou-graphql-vision-video-detail.json")
    work = post(engine, "kuaishou", "3xfg9g3udsuzi7e")
    assert work["text"] == "所以立定跳远是最简单的体育项目吗？#速跑斯克追光Pro #小弹簧"
    # realLikeCount 695508 wins over the rounded likeCount "69.6万"; viewCount "5783.3万"
    assert _metrics(work) == (57_833_000, 695_508, None, None, None)  # no comment count sent
    assert work["published_at"].startswith("2025-04-12 04:09:00.621")  # 1744430940621 ms
    assert work["duration_s"] == 11  # 11.18 s
    assert work["hashtags"] == ["速跑斯克追光Pro", "小弹簧"]
    assert work["account_uid"] == "3xqzuyipahhctzg"
    assert _account(engine, "kuaishou", "3xqzuyipahhctzg")["name"] == "ㅤ小弹簧（训练招生）"


def _assert_kuaishou_h5_photo(engine: Engine) -> None:
    # keyed by the web photo id (share_info, clientCacheKey) like every other Kuaishou door
    work = post(engine, "kuaishou", "3xburnkmj3auazc")
    assert work["context"]["photo_id"] == "5239938275131911888"
    assert work["url"] == "https://www.kuaishou.com/short-video/3xburnkmj3auazc"
    assert _metrics(work) == (679_835, 34_728, 2_420, 2_404, None)
    assert work["published_at"].startswith("2023-08-09 08:49:22.433")  # 16:49:22+08
    assert work["duration_s"] == 93  # 93050 ms
    assert work["content_type"] == "video"
    assert work["hashtags"] == ["#清夏乐园大秘境", "#原神", "#COS"]
    assert work["account_uid"] == "3xuw52inejca9tm"
    author = _account(engine, "kuaishou", "3xuw52inejca9tm")
    assert author["name"] == "冰心汤圆" and author["followers"] == 124_589


def test_kuaishou_h5_rest_body_with_platform_option(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "kuaishou-rest-ugh5app-photo-info.json", "--platform", "kuaishou")
    assert report["status"] == "ok", report
    assert report["counts"]["new"] == 1 and report["counts"]["rejected"] == 0
    _assert_kuaishou_h5_photo(engine)


def test_kuaishou_h5_rest_body_is_recognised(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "kuaishou-rest-ugh5app-photo-info.json")
    assert report["status"] == "ok" and report["platforms"] == {"kuaishou": 1}, report
    _assert_kuaishou_h5_photo(engine)


# --- Zhihu ----------------------------------------------------------------------------------


def test_zhihu_answer_detail(db_url: str, engine: Engine) -> None:
    _import(db_url, "zhihu-api-v4-answer-detail.json")
    work = post(engine, "zhihu", "2047878874239963146")
    assert work["content_type"] == "answer"
    assert work["title"] == "如何看待清北鹅腿阿姨被曝售假，用鸭腿冒充？"
    assert work["context"]["question_id"] == "661955118"
    assert work["url"] == "https://www.zhihu.com/question/661955118/answer/2047878874239963146"
    assert _metrics(work) == (None, 16472, 1170, None, None)  # thanks 749: no column for it
    assert work["published_at"].startswith("2026-06-09 19:12:51")  # 1781032371
    # empty url_token: the member hash id is the account key
    assert work["account_uid"] == "fa9fffd14407fc804c4b4955f84a6853"
    assert _account(engine, "zhihu", "fa9fffd14407fc804c4b4955f84a6853")["name"] == "知乎用户"


def test_zhihu_article_detail(db_url: str, engine: Engine) -> None:
    _import(db_url, "zhihu-api-v4-article-detail.json")
    work = post(engine, "zhihu", "584852445")
    assert work["content_type"] == "article"
    assert work["title"] == "打开链接发现要提取码怎么办？更新来了（总结前人经验）"
    assert work["url"] == "https://zhuanlan.zhihu.com/p/584852445"
    assert _metrics(work) == (None, 62, 41, None, 138)
    assert work["published_at"].startswith("2022-11-19 05:07:50")  # 1668834470
    assert work["hashtags"] == ["链接", "链接分析"]  # topics[].name
    assert work["account_uid"] == "wo-ya-97-41"
    assert _account(engine, "zhihu", "wo-ya-97-41")["name"] == "我呀"


# --- Bilibili -------------------------------------------------------------------------------


def test_bilibili_view(db_url: str, engine: Engine) -> None:
    _import(db_url, "bilibili-web-interface-view-b.json")
    work = post(engine, "bilibili", "BV1BQwyzVEcE")
    assert work["context"]["aid"] == "116255470197715"
    assert work["title"] == "《绝区零》南宫羽角色展示 | 全连全良天使"
    assert work["published_at"].startswith("2026-03-20 04:00:00")  # 1773979200
    # coin 88958 and danmaku 4748 have no column
    assert _metrics(work) == (2043738, 145789, 8190, 8402, 27387)
    assert work["account_uid"] == "1636034895"
    assert _account(engine, "bilibili", "1636034895")["name"] == "绝区零"


def test_bilibili_view_detail_is_one_work_not_the_related_list(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "bilibili-web-interface-view-detail-av170001.json")
    assert report["counts"]["new"] == 1
    assert count(engine, "post") == 1  # the 40 Related videos are recommendations
    work = post(engine, "bilibili", "BV17x411w7KC")
    assert work["context"]["aid"] == "170001"
    assert work["title"] == "【MV】保加利亚妖王AZIS视频合辑"
    assert work["published_at"].startswith("2011-11-09 14:55:33")  # 1320850533
    assert _metrics(work) == (45252521, 928358, 184686, 12779204, 883733)
    assert work["hashtags"] == ["发现《Hop》", "保加利亚妖王", "保加利亚", "Азис", "azis", "mv"]
    assert work["account_uid"] == "122541"
    owner = _account(engine, "bilibili", "122541")
    assert owner["name"] == "冰封.虾子" and owner["followers"] == 64052


# --- Xiaohongshu ----------------------------------------------------------------------------


def test_xhs_mediacrawler_search_export(db_url: str, engine: Engine) -> None:
    report = _import(db_url, "xhs-mediacrawler-search-contents.json")
    assert report["status"] == "ok"
    assert report["counts"]["items_read"] == 400 and report["counts"]["new"] == 388
    assert count(engine, "post", "platform = 'xiaohongshu'") == 388  # 12 ids appear twice
    note = post(engine, "xiaohongshu", "66d5b40e000000001d0182be")
    assert note["title"] == "深创投参加融资路演，创始人花了半小时联网"
    assert note["content_type"] == "image"  # type normal
    assert _metrics(note) == (None, 809, 58, 155, 873)
    assert note["published_at"].startswith("2024-09-02 12:48:14")  # time 1725281294000 ms
    assert note["published_at_source"] == "field"
    assert note["hashtags"] == ["VC", "创业", "融资", "融资路演", "路演"]
    assert note["account_uid"] == "625f9f190000000010007daa"
    assert _account(engine, "xiaohongshu", "625f9f190000000010007daa")["name"] == "Archie阿奇学长"
    sources = rows(engine, "SELECT DISTINCT published_at_source AS s FROM post")
    assert sources == [{"s": "field"}]  # every row has its time: nothing derived


def _share_only(tmp_path: Path) -> Path:
    """The real body's ``/rest/zt/share/w/web`` response alone: a share token, no work."""
    body = json.loads(real2_path("kuaishou-rest-ugh5app-photo-info.json").read_text("utf-8"))
    path = tmp_path / "kuaishou-share-only.json"
    share = {"/rest/zt/share/w/web": body["/rest/zt/share/w/web"]}
    path.write_text(json.dumps(share, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_rejected_file_is_not_an_ok_run(db_url: str, engine: Engine, tmp_path: Path) -> None:
    report = cli_json(db_url, "--platform", "kuaishou", str(_share_only(tmp_path)))
    assert report["counts"]["new"] == 0 and report["counts"]["rejected"] == 1
    assert report["status"] == "failed"
    (file,) = report["files"]
    assert "/rest/zt/share/w/web" in file["error"]  # the reason names the shape
    run = one(engine, "SELECT status, error FROM run")
    assert run["status"] == "failed" and "kuaishou-share-only.json" in run["error"]


def test_one_rejected_file_among_good_ones_makes_the_run_partial(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    good = real2_path("kuaishou-graphql-vision-video-detail.json")
    result = cli(
        db_url,
        "import",
        "--format",
        "json",
        "--platform",
        "kuaishou",
        str(good),
        str(_share_only(tmp_path)),
    )
    assert result.exit_code != 0, result.output  # "check the report", not success
    report = json.loads(result.stdout)
    assert report["counts"]["new"] == 1 and report["status"] == "partial"
    assert one(engine, "SELECT status FROM run")["status"] == "partial"


def test_one_tag_two_spellings_is_stored_once(db_url: str, engine: Engine, tmp_path: Path) -> None:
    """The real Zhihu answer whose ``#话题#`` runs straight into text, then appears closed."""
    body = json.loads(real2_path("zhihu-api-v4-answer-detail.json").read_text("utf-8"))
    body["content"] = "<p>#高考加油#冲刺最后一周！#高考加油#</p>"
    path = tmp_path / "zhihu-answer-tag-runs-on.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    cli_json(db_url, str(path))
    assert post(engine, "zhihu", "2047878874239963146")["hashtags"] == ["#高考加油"]


def test_xhs_search_notes_without_time_are_dated_from_their_ids(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    """The real TikHub search body, its notes' ``timestamp`` removed (web cards have none)."""
    body = json.loads((REAL / "xhs" / CHENPI).read_text("utf-8"))
    for item in body["data"]["data"]["items"]:
        item["note"].pop("timestamp", None)
    path = tmp_path / CHENPI
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    assert cli_json(db_url, str(path))["counts"]["new"] == 20
    note = post(engine, "xiaohongshu", "67ff2df8000000001b03ebc7")
    assert note["published_at"].startswith("2025-04-16 04:11:36")  # 0x67ff2df8 = 1744776696
    assert note["published_at_source"] == "id"
    assert count(engine, "post", "published_at_source = 'id'") == 20


def test_xhs_mediacrawler_rows_without_time_are_dated_from_their_ids(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    rows_ = json.loads(real2_path("xhs-mediacrawler-search-contents.json").read_text("utf-8"))
    for row in rows_:
        del row["time"]
    path = tmp_path / "search_contents_no_time.json"
    path.write_text(json.dumps(rows_, ensure_ascii=False), encoding="utf-8")
    assert cli_json(db_url, str(path))["counts"]["new"] == 388
    note = post(engine, "xiaohongshu", "66d5b40e000000001d0182be")
    assert note["published_at"].startswith("2024-09-02 12:48:14")  # = its time 1725281294000
    assert count(engine, "post", "published_at_source = 'id'") == 388
