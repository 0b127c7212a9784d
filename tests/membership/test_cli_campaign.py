"""``tracker campaign``: include / exclude / list / rules / topics / participation from the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers.config import CAMPAIGN, TOPIC_URL, write_config
from tests.helpers.database import make_db, rows
from tracker.cli import app
from tracker.config import UnitRow, load_config
from tracker.records import CampaignLink, PostRecord
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

AT = datetime(2024, 9, 20, tzinfo=UTC)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, Path]:
    config_path = write_config(tmp_path, topics=[TOPIC_URL])
    config = load_config(config_path)
    registry = [
        UnitRow(2, "广州市科学技术协会", "city_association", "广州市", "weibo", "1001", None, None),
        UnitRow(3, "中山大学", "university", "广州市", "zhihu", "kepu-abc", None, None),
    ]
    engine = make_db(tmp_path, config, registry)
    with engine.begin() as conn:
        Ingestor(conn).ingest(
            posts=[
                PostRecord(
                    "weibo", "5078100000000001", AT, account_uid="1001", content_type="image"
                ),
                PostRecord(
                    "weibo",
                    "5078100000000002",
                    AT,
                    account_uid="1001",
                    content_type="repost",
                    repost_of="5078100000000001",
                ),
                PostRecord(
                    "zhihu", "3600000001", AT, account_uid="kepu-abc", content_type="answer"
                ),
            ],
            links=[
                CampaignLink("weibo", "5078100000000001", CAMPAIGN, "tag", "#千万IP创科普#"),
                CampaignLink("weibo", "5078100000000002", CAMPAIGN, "tag", "#千万IP创科普#"),
                CampaignLink("zhihu", "3600000001", CAMPAIGN, "roundtable", "qianwanip"),
            ],
            campaign_ids=campaign_ids(conn),
            seen_at=AT,
        )
    url = str(engine.url)
    engine.dispose()
    return url, config_path


def run(setup: tuple[str, Path], *args: str):  # type: ignore[no-untyped-def]
    db, config_path = setup
    return CliRunner().invoke(app, ["--db", db, "--config", str(config_path), "campaign", *args])


def test_include_exclude_and_list(setup: tuple[str, Path]) -> None:
    ex = run(
        setup,
        "exclude",
        "https://m.weibo.cn/detail/5078100000000002",
        "--note",
        "刷量转发",
        "--by",
        "审核员甲",
    )
    assert ex.exit_code == 0, ex.output
    assert "已排除" in ex.output and "知乎" not in ex.output
    inc = run(
        setup,
        "include",
        "https://www.zhihu.com/question/1/answer/3600000099",
        "--note",
        "圆桌外的回答",
        "--by",
        "审核员乙",
        "--format",
        "json",
    )
    assert inc.exit_code == 0, inc.output
    (body,) = json.loads(inc.stdout)
    assert (body["outcome"], body["platform"], body["post_id"], body["stub_created"]) == (
        "added",
        "zhihu",
        "3600000099",
        True,
    )

    listed = run(setup, "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    platforms = {p["platform"]: p for p in json.loads(listed.stdout)["platforms"]}
    assert (platforms["weibo"]["tag"], platforms["weibo"]["excluded"]) == (1, 1)
    assert (platforms["zhihu"]["roundtable"], platforms["zhihu"]["manual"]) == (1, 1)

    manual = json.loads(run(setup, "list", "--manual", "--format", "json").stdout)
    states = {
        d["platform_post_id"]: (d["state"], d["decided_by"], d["note"]) for d in manual["decisions"]
    }
    assert states == {
        "5078100000000002": ("excluded", "审核员甲", "刷量转发"),
        "3600000099": ("included", "审核员乙", "圆桌外的回答"),
    }
    assert [(h["status"], h["reviewer"]) for h in manual["history"]] == [
        ("excluded", "审核员甲"),
        ("included", "审核员乙"),
    ]
    table = run(setup, "list", "--manual")
    assert table.exit_code == 0 and "审核员甲" in table.output and "操作记录" in table.output


def test_bad_input_is_reported(setup: tuple[str, Path]) -> None:
    bad = run(
        setup,
        "exclude",
        "https://example.com/x",
        "weibo:5078100000000001",
        "--note",
        "n",
        "--by",
        "b",
    )
    assert bad.exit_code == 1
    assert "无法识别" in bad.output and "已排除" in bad.output  # the good one still went through
    missing = run(setup, "include", "weibo:1", "--by", "b")
    assert missing.exit_code == 2 and "--note" in missing.output
    unknown = run(setup, "include", "weibo:1", "--note", "n", "--by", "b", "--campaign", "nope")
    assert unknown.exit_code == 1 and "未知活动" in str(unknown.exception)


def test_rules_and_participation(setup: tuple[str, Path], tmp_path: Path) -> None:
    rules = run(setup, "rules")
    assert rules.exit_code == 0, rules.output
    assert "知乎圆桌" in rules.output and "qianwanip" in rules.output and "提示" not in rules.output
    out = run(setup, "participation", "--by", "unit", "--format", "json")
    assert out.exit_code == 0, out.output
    units = {r["unit_name"]: r for r in json.loads(out.stdout)["rows"]}
    assert (
        units["广州市科学技术协会"]["works_published"],
        units["广州市科学技术协会"]["interactions"],
    ) == (1, 1)
    assert (units["中山大学"]["answers_given"], units["中山大学"]["qa_posts"]) == (1, 1)
    windowed = run(setup, "participation", "--in-window", "--format", "json")
    assert (
        json.loads(windowed.stdout)["rows"] == json.loads(out.stdout)["rows"]
    )  # times unknown: kept
    target = tmp_path / "cities.csv"
    csv_run = run(setup, "participation", "--by", "city", "--format", "csv", "-o", str(target))
    assert csv_run.exit_code == 0, csv_run.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel-friendly BOM
    (city,) = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert (city["城市"], city["发布内容"], city["互动问答"], city["作品互动"]) == (
        "广州市",
        "1",
        "1",
        "1",
    )
    table = run(setup, "participation")
    assert table.exit_code == 0 and "发布内容" in table.output


def test_topics_from_a_saved_page(setup: tuple[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "topic.html"
    page.write_text(
        '<html><head><link rel="canonical" href="https://news.qq.com/zt/qianwanip"></head><body>'
        '<a href="https://news.qq.com/rain/a/20240915A01ABC00">一</a>'
        '<a href="https://news.qq.com/rain/a/20240916A02DEF00">二</a></body></html>',
        encoding="utf-8",
    )
    result = run(setup, "topics", "--file", str(page), "--no-articles")
    assert result.exit_code == 0, result.output
    assert "列出文章 2 篇" in result.output
    db, _ = setup
    from tracker.store.engine import make_engine

    engine = make_engine(db)
    got = rows(
        engine,
        "SELECT platform_post_id, matched_by, matched_value FROM post_campaign WHERE platform='qqnews'",
    )
    engine.dispose()
    assert sorted((r["platform_post_id"], r["matched_by"], r["matched_value"]) for r in got) == [
        ("20240915A01ABC00", "topic", TOPIC_URL),
        ("20240916A02DEF00", "topic", TOPIC_URL),
    ]
