"""``tracker rank works|creators|units`` on a collected simulator world: table, json, csv, filters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ..helpers.database import campaign_work_ids


def _json(cli, *args: str) -> list[dict]:
    res = cli(*args, "--format", "json")
    assert res.code == 0, res.err
    return json.loads(res.out)


def test_unreviewed_works_json_is_the_whole_campaign_in_rank_order(cli, world) -> None:
    works = _json(cli, "rank", "works", "--include-unreviewed")
    assert len(works) == len(campaign_work_ids(world.url))
    assert [w["rank"] for w in works[:3]] == [1, 2, 3]
    scores = [w["quality_score"] for w in works if w["quality_score"] is not None]
    assert scores == sorted(scores, reverse=True)
    # ids are strings end to end, the 19-digit Douyin ids intact
    douyin = [w for w in works if w["platform"] == "douyin"]
    assert douyin and all(isinstance(w["platform_post_id"], str) for w in douyin)
    assert all(len(w["platform_post_id"]) == 19 for w in douyin)
    # every component is there
    for col in (
        "fair_score",
        "size_score",
        "over_score",
        "reach_score",
        "risk_score",
        "risk_reasons",
    ):
        assert col in works[0]
    assert works[0]["published_at"].endswith("+00:00")


def test_default_lists_only_approved_works(cli) -> None:
    res = cli("rank", "works")
    assert res.code == 0
    assert "没有符合条件的审核通过作品" in res.err
    works = _json(cli, "rank", "works", "--include-unreviewed")
    second, fifth = works[1], works[4]
    ids = [f"{w['platform']}:{w['platform_post_id']}" for w in (fifth, second)]
    assert cli("review", "approve", *ids, "--by", "王五").code == 0
    approved = _json(cli, "rank", "works")
    assert [f"{w['platform']}:{w['platform_post_id']}" for w in approved] == ids[::-1]
    # renumbered within the list, with the campaign-wide place kept
    assert [w["rank"] for w in approved] == [1, 2]
    assert [w["overall_rank"] for w in approved] == [2, 5]


def test_table_has_chinese_headers_and_ids(cli) -> None:
    res = cli("rank", "works", "--include-unreviewed", "--top", "5")
    assert res.code == 0, res.err
    for header in ("排名", "作品编号", "账号", "标题", "城市", "质量分", "风险分", "审核"):
        assert header in res.out
    first = _json(cli, "rank", "works", "--include-unreviewed", "--top", "1")[0]
    assert f"{first['platform']}:{first['platform_post_id']}" in res.out
    assert first["title"] and " ".join(first["title"].split())[:10] in res.out
    # five data rows: the ids of the top five and not the sixth
    top6 = _json(cli, "rank", "works", "--include-unreviewed", "--top", "6")
    assert f"{top6[5]['platform']}:{top6[5]['platform_post_id']}" not in res.out


def test_csv_output_has_chinese_headers_and_text_ids(cli) -> None:
    res = cli("rank", "works", "--include-unreviewed", "--format", "csv", "--platform", "douyin")
    assert res.code == 0, res.err
    rows = list(csv.reader(io.StringIO(res.out)))
    header = rows[0]
    assert header[:5] == ["排名", "全活动排名", "作品编号", "平台", "作品ID"]
    body = rows[1:]
    assert body and all(r[3] == "抖音" for r in body)
    assert all(r[2] == f"douyin:{r[4]}" and len(r[4]) == 19 for r in body)
    # ids are quoted in the csv text (they stay text for Excel)
    assert f'"{body[0][4]}"' in res.out


def test_filters_platform_city_and_unit_kind(cli) -> None:
    by_platform = _json(cli, "rank", "works", "--include-unreviewed", "-p", "微博", "-p", "zhihu")
    assert {w["platform"] for w in by_platform} == {"weibo", "zhihu"}
    by_city = _json(cli, "rank", "works", "--include-unreviewed", "--city", "广州")
    assert by_city and {w["city"] for w in by_city} == {"广州市"}
    # Places within the filtered list: 1, 2, ... with equal scores sharing a place (1, 2, 2, 4).
    ranks = [w["rank"] for w in by_city]
    assert ranks[0] == 1
    assert all(a <= b for a, b in zip(ranks, ranks[1:], strict=False))
    assert all(r == i + 1 or r == ranks[i - 1] for i, r in enumerate(ranks) if i > 0)
    by_kind = _json(cli, "rank", "works", "--include-unreviewed", "--unit-kind", "市科协")
    assert by_kind and {w["unit_kind"] for w in by_kind} == {"city_association"}
    top = _json(cli, "rank", "works", "--include-unreviewed", "--top", "3")
    assert len(top) == 3


def test_bad_options_are_one_clear_line(cli) -> None:
    for args, needle in (
        (("rank", "works", "--platform", "myspace"), "未知平台"),
        (("rank", "works", "--unit-kind", "club"), "未知单位类型"),
        (("rank", "works", "--format", "xml"), "--format"),
        (("rank", "works", "--explain", "4998877665544332211"), "平台:作品ID"),
        (("rank", "works", "--campaign", "nope"), "未知活动"),
    ):
        res = cli(*args)
        assert res.code == 1, args
        assert needle in res.err, (args, res.err)
        assert "Traceback" not in res.err
        assert len(res.err.strip().splitlines()) == 1, res.err


def test_explain_work_term_by_term(cli) -> None:
    works = _json(cli, "rank", "works", "--include-unreviewed", "--platform", "bilibili")
    w = works[0]
    res = cli("rank", "works", "--explain", f"bilibili:{w['platform_post_id']}")
    assert res.code == 0, res.err
    lines = res.out.strip().splitlines()
    assert lines[0].startswith(f"作品 哔哩哔哩 {w['platform_post_id']}")
    text = "\n".join(lines)
    assert f"= {w['interactions']:,.1f}" in text  # the interactions line ends with I
    assert "平台内公平分" in text and "粉丝校正分" in text and "超常表现" in text
    assert f"{w['quality_score']:,.1f}" in lines[8]  # risk line ends with the final score
    assert "哔哩哔哩第 1 名" in text
    missing = cli("rank", "works", "--explain", "bilibili:BVnotthere")
    assert missing.code == 1 and "不在" in missing.err


def test_creators_and_units(cli) -> None:
    creators = _json(cli, "rank", "creators", "--include-unreviewed")
    assert [c["rank"] for c in creators[:3]] == [1, 2, 3]
    scores = [c["creator_score"] for c in creators]
    assert scores == sorted(scores, reverse=True)
    top = creators[0]
    res = cli("rank", "creators", "--include-unreviewed", "--explain", top["creator_key"])
    assert res.code == 0, res.err
    assert "活跃度" in res.out and f"{top['creator_score']:,.1f}" in res.out
    on_weibo = _json(cli, "rank", "creators", "--include-unreviewed", "--platform", "weibo")
    assert on_weibo and all("weibo" in c["platforms"].split(",") for c in on_weibo)
    assert len(on_weibo) == sum("weibo" in c["platforms"].split(",") for c in creators)
    table = cli("rank", "creators", "--include-unreviewed", "--top", "3")
    assert "创作者得分" in table.out and top["creator_key"] in table.out

    units = _json(cli, "rank", "units", "--include-unreviewed")
    reach = [u["reach"] for u in units]
    assert reach == sorted(reach, reverse=True)
    gz = _json(cli, "rank", "units", "--include-unreviewed", "--city", "广州市")
    assert gz and {u["city"] for u in gz} == {"广州市"}
    assert [u["rank"] for u in gz][:2] == [1, 2]
    # per platform: unit scores counted on that platform's works only
    wb = _json(cli, "rank", "units", "--include-unreviewed", "--platform", "weibo")
    assert all(u["platforms"] <= 1 for u in wb)
    assert sum(u["works"] for u in wb) <= sum(u["works"] for u in units)


@pytest.mark.parametrize("what", ["creators", "units"])
def test_aggregates_use_approved_works_by_default(cli, what: str) -> None:
    assert _json(cli, "rank", what) == [] if what == "creators" else True
    works = _json(cli, "rank", "works", "--include-unreviewed", "--platform", "weibo")
    chosen = works[0]
    cli("review", "approve", f"weibo:{chosen['platform_post_id']}", "--by", "赵六")
    rows = _json(cli, "rank", what)
    if what == "creators":
        assert len(rows) == 1 and rows[0]["works"] == 1
        assert rows[0]["creator_key"].startswith("weibo:")
    else:
        active = [u for u in rows if u["works"] > 0]
        assert all(u["works"] == 1 for u in active)
        assert len(active) == chosen["unit_count"]


def test_titles_are_never_read_as_markup(cli, world) -> None:
    """A user's title such as ``[/]`` would crash a rich table if read as markup."""
    from sqlalchemy import create_engine, update

    from tracker.store.models import Post

    works = _json(cli, "rank", "works", "--include-unreviewed", "--top", "1")
    engine = create_engine(world.url)
    with engine.begin() as conn:
        conn.execute(
            update(Post.__table__)
            .where(Post.__table__.c.platform_post_id == works[0]["platform_post_id"])
            .values(title="[/]科普[bold]标题")
        )
    engine.dispose()
    res = cli("rank", "works", "--include-unreviewed", "--top", "1")
    assert res.code == 0, res.err
    assert "[/]科普[bold]标题" in res.out
