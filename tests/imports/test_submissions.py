"""Units' submission lists: nine platforms, GBK CSV, duplicates, broken links, missing columns."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connectors.base import Connector
from connectors.weibo.ids import mid_to_mblogid
from connectors.workref import WorkRef
from tests.helpers.cli import cli
from tests.helpers.database import count, one, post, rows, snapshots
from tracker.config import TrackerConfig
from tracker.errors import ConnectorError, ImportFormatError
from tracker.imports.service import import_paths
from tracker.imports.submissions import find_header, normalise_header, platform_from_name

WEIBO_MID = "5078123456789012"
HEADER = [
    "序号",
    "单位",
    "平台",
    "作者/账号",
    "作品名称",
    "作品链接",
    "发布时间",
    "阅读量/播放量",
    "点赞",
    "评论",
    "转发",
]
GZ = "广州市科学技术协会"
SZ = "深圳市科学技术协会"
GD = "广东省科学技术协会"
ROWS = [
    [
        1,
        GZ,
        "微博",
        "汪有",
        "秋分的天文知识",
        f"https://weibo.com/1959830294/{mid_to_mblogid(WEIBO_MID)}",
        "2024-09-14 10:00",
        "5.6万",
        1200,
        356,
        88,
    ],
    [
        2,
        SZ,
        "抖音",
        "深圳科协",
        "显微镜下的一滴水",
        "https://www.douyin.com/video/7414000000000000001",
        "2024-09-14",
        100000,
        "3.4万",
        1203,
        856,
    ],
    [
        3,
        SZ,
        "快手",
        "物理老师小王",
        "彩虹的形成",
        "https://www.kuaishou.com/short-video/3xk5mnw2abc4def?authorId=3xuserabc123",
        "2024/09/13",
        "8.6万",
        2356,
        None,
        None,
    ],
    [
        4,
        GZ,
        "B站",
        "科普UP主",
        "拜年祭快板",
        "https://www.bilibili.com/video/av85440373",
        None,
        2404179,
        161270,
        2676,
        9620,
    ],
    [
        5,
        "中山大学",
        "知乎",
        "科普老师",
        "为什么雨后会出现彩虹",
        "https://www.zhihu.com/question/650001234/answer/3600001234",
        "2024-09-13",
        None,
        1520,
        86,
        None,
    ],
    [
        6,
        "中山大学",
        "小红书",
        "实验达人",
        "会跳舞的盐",
        "https://www.xiaohongshu.com/explore/66e5a1b2000000001e02c3d4?xsec_token=ABcd123&xsec_source=pc_share",
        "2024年9月14日",
        "1.1万",
        "很多",
        178,
        96,
    ],
    [
        7,
        GD,
        "科普中国",
        "广东科普",
        "台风来了怎么办",
        "https://www.kepuchina.cn/more/202409/t20240914_3100001.shtml",
        "2024-09-14 09:00",
        3200,
        None,
        None,
        None,
    ],
    [
        8,
        GD,
        "学习强国",
        "学习强国广东平台",
        "秋分话科学",
        "https://www.xuexi.cn/lgpage/detail/index.html?id=12345678901234567890&item_id=12345678901234567890",
        "2024-09-15",
        8800,
        None,
        None,
        None,
    ],
    [
        9,
        GD,
        "腾讯新闻",
        "广东科协企鹅号",
        "科普日活动回顾",
        "https://news.qq.com/rain/a/20240914A01ABC00",
        "2024-09-14 18:30",
        15000,
        300,
        20,
        12,
    ],
    [
        10,
        SZ,
        "抖音",
        "深圳科协",
        "显微镜下的一滴水（重复）",
        "https://www.douyin.com/video/7414000000000000001?previous_page=app_code_link",
        None,
        None,
        None,
        None,
        None,
    ],
    [11, GZ, "微博", "某作者", "链接写错了", "见附件", None, None, None, None, None],
    [
        12,
        SZ,
        "抖音",
        "深圳科协",
        "短链接",
        "https://v.douyin.com/iRNBho2A/",
        None,
        None,
        None,
        None,
        None,
    ],
]
AS_OF = datetime(2024, 9, 20, 4, 0, tzinfo=UTC)


def _set_mtime(path: Path) -> Path:
    os.utime(path, (AS_OF.timestamp(), AS_OF.timestamp()))
    return path


def write_workbook(path: Path, rows_: list[list] = ROWS) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "报送表"
    ws.append(["2024年全国科普日 #千万IP创科普# 作品报送表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for values in rows_:
        ws.append(values)
    # the unit of the three article rows written once, merged down (as units do)
    ws.cell(10, 2).value = None
    ws.cell(11, 2).value = None
    ws.merge_cells(start_row=9, start_column=2, end_row=11, end_column=2)
    # the 学习强国 link as a hyperlink behind display text
    cell = ws.cell(10, 6)
    cell.hyperlink = cell.value
    cell.value = "点击查看"
    wb.save(path)
    return _set_mtime(path)


def write_csv(path: Path, rows_: list[list], *, encoding: str, header: list[str] = HEADER) -> Path:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for values in rows_:
        writer.writerow(["" if v is None else v for v in values])
    path.write_bytes(buf.getvalue().encode(encoding))
    return _set_mtime(path)


def _assert_nine_platforms(report, engine: Engine, reject_lines: list[str]) -> None:
    c = report.counts
    assert c.items_read == 12
    assert c.new == 9 and c.rejected == 2 and c.skipped == 1
    assert report.platforms == {
        "weibo": 1,
        "douyin": 1,
        "kuaishou": 1,
        "bilibili": 1,
        "zhihu": 1,
        "xiaohongshu": 1,
        "kepuchina": 1,
        "xuexi": 1,
        "qqnews": 1,
    }
    assert len(report.duplicates) == 1 and "只计一次" in report.duplicates[0]
    rejects = rows(engine, "SELECT location, reason, payload FROM reject ORDER BY id")
    assert [r["location"].rsplit(":", 1)[1] for r in rejects] == reject_lines
    assert "无法识别的作品链接" in rejects[0]["reason"] and rejects[0]["payload"] == "见附件"
    assert "短链接需要联网解析" in rejects[1]["reason"] and "--fetch" in rejects[1]["reason"]
    assert any("点赞“很多”不是数字" in n for n in report.notes)

    weibo = post(engine, "weibo", WEIBO_MID)  # the mblogid in the link became the mid
    assert weibo["source"] == "submission" and weibo["account_uid"] == "1959830294"
    assert (weibo["views"], weibo["likes"], weibo["comments"], weibo["shares"]) == (
        56000,
        1200,
        356,
        88,
    )
    assert weibo["published_at"].startswith("2024-09-14 02:00:00")  # Beijing time 10:00
    assert weibo["context"]["reported_by_unit"] == GZ
    (snap,) = snapshots(engine, "weibo", WEIBO_MID)
    assert snap["source"] == "submission" and snap["captured_at"].startswith("2024-09-20 04:00:00")
    assert post(engine, "bilibili", "BV117411r7R1")["views"] == 2404179  # av85440373
    xhs = post(engine, "xiaohongshu", "66e5a1b2000000001e02c3d4")
    assert xhs["likes"] is None and xhs["views"] == 11000
    assert xhs["published_at"].startswith("2024-09-13 16:00:00")  # 2024年9月14日, Beijing
    douyin = post(engine, "douyin", "7414000000000000001")
    assert douyin["title"] == "显微镜下的一滴水" and douyin["likes"] == 34000  # first row kept
    qq = post(engine, "qqnews", "20240914A01ABC00")
    assert qq["account_uid"] == "广东科协企鹅号" and qq["context"]["reported_by_unit"] == GD

    units = {
        (r["platform"], r["platform_uid"]): r["name"]
        for r in rows(
            engine,
            "SELECT au.platform, au.platform_uid, u.name FROM account_unit au "
            "JOIN unit u ON u.id = au.unit_id WHERE au.source = 'submission'",
        )
    }
    assert units == {
        ("weibo", "1959830294"): GZ,
        ("kuaishou", "3xuserabc123"): SZ,
        ("kepuchina", "广东科普"): GD,
        ("xuexi", "学习强国广东平台"): GD,
        ("qqnews", "广东科协企鹅号"): GD,
    }
    links = rows(engine, "SELECT matched_by, matched_value FROM post_campaign")
    assert len(links) == 9 and {r["matched_by"] for r in links} == {"submission"}


def test_workbook_with_nine_platforms(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_workbook(tmp_path / "广州报送.xlsx")
    report = import_paths(engine, [path], config=config)
    assert report.files[0].format == "submission"
    _assert_nine_platforms(report, engine, ["13", "14"])  # title row, header, then the rows
    run = one(engine, "SELECT * FROM run")
    assert (run["items_read"], run["new"], run["rejected"], run["skipped"]) == (12, 9, 2, 1)


def test_gbk_csv_variant(tmp_path: Path, engine: Engine, config: TrackerConfig) -> None:
    path = write_csv(tmp_path / "深圳报送.csv", ROWS, encoding="gbk")
    report = import_paths(engine, [path], config=config)
    assert report.files[0].format == "submission"
    _assert_nine_platforms(report, engine, ["12", "13"])
    assert any("GBK" in n for n in report.notes)


def test_utf8_bom_csv_and_reimport_changes_nothing(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS[:3], encoding="utf-8-sig")
    first = import_paths(engine, [path], config=config)
    assert first.counts.new == 3
    again = import_paths(engine, [path], config=config)
    assert again.counts.new == 0 and again.counts.updated == 0
    assert count(engine, "metric_snapshot") == 3


def test_a_line_in_another_encoding_is_rejected_with_line_and_column(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_csv(tmp_path / "mixed.csv", ROWS[:3], encoding="utf-8")
    lines = path.read_bytes().split(b"\n")
    lines[2] = (
        "2,深圳市科学技术协会,抖音,深圳科协,GBK行,https://www.douyin.com/video/7414000000000000001".encode(
            "gbk"
        )
    )
    path.write_bytes(b"\n".join(lines))
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 2 and report.counts.rejected == 1
    (reject,) = report.rejects
    assert reject.location == f"{path}:3"
    assert reject.reason == f"{path}:3:3: 这一行不是 UTF-8 编码，无法读取"


def test_missing_link_column_is_a_clear_error(tmp_path: Path, db_url: str, engine: Engine) -> None:
    header = [h for h in HEADER if h != "作品链接"]
    rows_ = [[v for i, v in enumerate(r) if i != 5] for r in ROWS[:2]]
    path = write_csv(tmp_path / "no_links.csv", rows_, encoding="gbk", header=header)
    result = cli(db_url, "import", str(path))
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportFormatError)
    message = str(result.exception)
    assert message.startswith(f"{path}:1: 缺少必需的列“作品链接”")
    assert "单位、平台、作者/账号" in message
    assert count(engine, "run") == 0  # nothing was started


def test_missing_optional_columns_are_noted(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    header = ["单位名称", "作品地址", "播放量"]
    path = write_csv(
        tmp_path / "short.csv",
        [["中山大学", "https://www.bilibili.com/video/BV117411r7R1", "2.4万"]],
        encoding="utf-8",
        header=header,
    )
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 1
    video = post(engine, "bilibili", "BV117411r7R1")
    assert video["views"] == 24000 and video["likes"] is None and video["comments"] is None
    (note,) = [n for n in report.notes if "没有这些列" in n]
    assert "平台" in note and "点赞" in note and "单位" not in note


def test_default_unit_and_campaign_options(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_csv(
        tmp_path / "no_unit.csv",
        [["https://weibo.com/1959830294/4069372986738497", "100"]],
        encoding="utf-8",
        header=["作品链接", "点赞"],
    )
    report = import_paths(engine, [path], config=config, unit="汕头市科学技术协会")
    assert report.counts.new == 1
    row = one(
        engine,
        "SELECT u.name FROM account_unit au JOIN unit u ON u.id = au.unit_id "
        "WHERE au.platform='weibo' AND au.platform_uid='1959830294'",
    )
    assert row["name"] == "汕头市科学技术协会"
    from tracker.errors import ConfigError

    with pytest.raises(ConfigError):
        import_paths(engine, [path], config=config, campaign="不存在的活动")


class FakeArticles:
    """Serves article pages like the real sites (and the simulator) do."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def fetch(self, ref: WorkRef) -> str:
        self.asked.append(ref.url)
        if ref.platform == "kepuchina":
            return (
                '<html><head><meta name="ArticleTitle" content="台风来了怎么办？防御指南">'
                '<meta name="author" content="李科普"><meta name="PubDate" content="2024-09-14 09:05">'
                '</head><body><div class="detail"><h1>台风来了怎么办？防御指南</h1>'
                '<p class="tips"><span>作者：李科普</span><span>来源：广东省科协</span>'
                "<span>发布时间：2024-09-14 09:05:30</span></p>"
                '<div class="TRS_Editor"><p>正文。</p></div></div></body></html>'
            )
        if ref.platform == "qqnews":
            data = {
                "title": "科普日活动回顾",
                "media": "广东科协",
                "media_id": "om12345678",
                "pubtime": "2024-09-14 18:31:00",
            }
            return f"<html><body><script>window.DATA = {json.dumps(data, ensure_ascii=False)};</script></body></html>"
        raise ConnectorError("xuexi: HTTP 404", platform=ref.platform)


def test_article_pages_are_read_when_a_fetcher_is_given(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_csv(tmp_path / "articles.csv", ROWS[6:9], encoding="utf-8")
    fetcher = FakeArticles()
    report = import_paths(engine, [path], config=config, articles=fetcher)
    assert len(fetcher.asked) == 3 and report.counts.new == 3
    kp = post(engine, "kepuchina", "t20240914_3100001")
    assert kp["title"] == "台风来了怎么办？防御指南" and kp["account_uid"] == "李科普"
    assert kp["published_at"].startswith("2024-09-14 01:05:30")
    assert kp["views"] == 3200 and kp["context"]["reported_author"] == "广东科普"
    qq = post(engine, "qqnews", "20240914A01ABC00")
    assert qq["account_uid"] == "om12345678" and qq["published_at"].startswith(
        "2024-09-14 10:31:00"
    )
    assert (
        one(engine, "SELECT name FROM account WHERE platform_uid='om12345678'")["name"]
        == "广东科协"
    )
    xx = post(engine, "xuexi", "12345678901234567890")
    assert xx["title"] == "秋分话科学"  # the page failed: the row's figures are kept
    assert any("文章页读取失败" in n and "404" in n for n in report.notes)


def test_header_helpers() -> None:
    assert normalise_header(" 阅读量（次） ") == "阅读量"
    assert normalise_header("作品链接*") == "作品链接"
    assert platform_from_name("哔哩哔哩") == "bilibili" and platform_from_name("B站") == "bilibili"
    assert platform_from_name("微信公众号") is None
    found = find_header([["某某单位作品报送表"], ["单位", "作品链接", "点赞量"], ["a", "b", "c"]])
    assert found == (1, {"unit": [0], "url": [1], "likes": [2]})


def test_unknown_spreadsheet_is_a_clear_error(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("日期,内容\n2024-09-01,开会\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="无法识别的文件格式"):
        import_paths(engine, [path], config=config)


class FakeZhihu(Connector):
    """A connector whose refresh answers from the real topstory capture (no network)."""

    platform = "zhihu"

    def __init__(self, fail: bool = False) -> None:
        self.asked: list[list[str]] = []
        self.fail = fail

    def collect(self, request):  # type: ignore[no-untyped-def]
        raise AssertionError("a submission import never searches")

    def refresh(self, post_ids: list[str]):
        from connectors.base import FetchedPage
        from connectors.zhihu.parse import parse_feed
        from tests.helpers.real import REAL

        self.asked.append(list(post_ids))
        if self.fail:
            raise ConnectorError("知乎需要重新登录", platform="zhihu")
        body = json.loads(
            (REAL / "zhihu" / "zhihu_api_v3_feed_topstory_recommend.json").read_text()
        )
        page = parse_feed(body, captured_at=datetime(2024, 9, 21, tzinfo=UTC), source="live")
        page.posts = [p for p in page.posts if p.platform_post_id in post_ids]
        yield FetchedPage(parsed=page, cursor={}, url="https://www.zhihu.com/api/v4/answers")


def test_connector_details_name_the_account_of_a_submitted_work(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_csv(
        tmp_path / "zhihu.csv",
        [
            [
                "中山大学",
                "知乎",
                "某人",
                "圈子里的小秘密",
                "https://www.zhihu.com/question/49502870/answer/162040459",
                None,
                None,
                100,
                None,
                None,
            ]
        ],
        encoding="utf-8",
        header=[h for h in HEADER if h != "序号"],
    )
    fake = FakeZhihu()
    report = import_paths(engine, [path], config=config, connectors={"zhihu": fake})
    assert fake.asked == [["162040459"]]
    assert report.counts.new == 1 and report.counts.pages == 1
    assert [s["source"] for s in snapshots(engine, "zhihu", "162040459")] == ["submission", "live"]
    assert post(engine, "zhihu", "162040459")["account_uid"] == "apanguanzhang"
    unit = one(
        engine,
        "SELECT u.name FROM account_unit au JOIN unit u ON u.id = au.unit_id "
        "WHERE au.platform = 'zhihu' AND au.platform_uid = 'apanguanzhang'",
    )
    assert unit["name"] == "中山大学"


def test_connector_failure_keeps_the_submitted_figures(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = write_csv(
        tmp_path / "zhihu.csv",
        [["中山大学", "https://www.zhihu.com/answer/162040459", 100]],
        encoding="utf-8",
        header=["单位", "作品链接", "点赞"],
    )
    report = import_paths(engine, [path], config=config, connectors={"zhihu": FakeZhihu(fail=True)})
    assert report.counts.new == 1 and report.counts.rejected == 0
    assert post(engine, "zhihu", "162040459")["likes"] == 100
    assert any("无法通过 知乎 接口获取详情" in n and "重新登录" in n for n in report.notes)
