"""Comments as participation (作品互动): the pure count, the page store, the store query and the
command line end to end (a MediaCrawler comment table imported, then ``campaign participation``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.helpers.config import CAMPAIGN, load_test_config, write_config
from tests.helpers.database import count, make_db, one, run_rows
from tests.helpers.real import IMPORT_FIXTURES
from tracker.cli import app
from tracker.config import UnitRow, load_config
from tracker.membership.manual import exclude_works
from tracker.membership.page_store import PageStore
from tracker.membership.participation import (
    account_participation,
    participation_frames,
    tagged_comments,
)
from tracker.records import AccountRecord, CommentRecord, ParsedPage, PostRecord

AT = datetime(2024, 9, 20, tzinfo=UTC)
TAG = "#千万IP创科普#"
WORK_COLUMNS = ["platform", "platform_post_id", "account_uid", "content_type", "repost_of"]
COMMENT_COLUMNS = [
    "platform",
    "platform_post_id",
    "commenter_uid",
    "comment_id",
    "tagged",
    "work_deleted",
]


def _counts(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (r["platform"], r["account_uid"]): (int(r["comments"]), int(r["interactions"]))
        for r in frame.to_dict("records")
        if r["comments"] or r["interactions"]
    }


# --- the pure count -----------------------------------------------------------------------------


def test_comments_count_once_on_campaign_works_and_tagged_weibo_anywhere() -> None:
    works = pd.DataFrame(
        [("weibo", "w1", "A", "text", None), ("weibo", "w2", "B", "video", None)],
        columns=WORK_COLUMNS,
    )
    excluded = pd.DataFrame([("weibo", "wX")], columns=["platform", "platform_post_id"])
    comments = pd.DataFrame(
        [
            ("weibo", "w2", "A", "c1", False, False),  # on a campaign work
            ("weibo", "w1", "G", "c2", False, False),  # a reply counts like a comment
            ("weibo", "w1", "G", "c2", False, False),  # the same comment given twice
            ("weibo", "x9", "G", "c3", False, False),  # not a campaign work, no tag
            ("weibo", "wX", "G", "c4", False, False),  # an excluded work
            ("weibo", "x9", "H", "c5", True, False),  # tagged: counts on any work
            ("weibo", "wX", "H", "c6", True, False),  # tagged, but the work is excluded
            ("weibo", "wD", "H", "c7", True, True),  # tagged, but the work is deleted
            ("weibo", "w1", "K", "c8", False, True),  # a deleted campaign work
            ("weibo", "w1", None, "c9", False, False),  # nobody to credit
        ],
        columns=COMMENT_COLUMNS,
    )
    got = _counts(account_participation(works, None, comments, excluded))
    assert got == {("weibo", "A"): (1, 1), ("weibo", "G"): (1, 1), ("weibo", "H"): (1, 1)}
    plain = comments.drop(columns=["tagged", "work_deleted"])  # the frame's older shape
    assert _counts(account_participation(works, None, plain, excluded)) == {
        ("weibo", "A"): (1, 1),
        ("weibo", "G"): (1, 1),
        ("weibo", "K"): (1, 1),  # without the flag a deleted work's comment is not known
    }


def test_a_comment_is_tagged_on_weibo_only_and_in_any_spelling() -> None:
    frame = pd.DataFrame(
        [
            ("weibo", [TAG], "好"),
            ("weibo", None, "转发学习 #千万ip创科普# 一起来"),
            ("weibo", None, "#千万IP创科普大赛# 不是这个话题"),
            ("weibo", None, None),
            ("douyin", [TAG], TAG),
        ],
        columns=["platform", "hashtags", "text"],
    )
    spellings = ["#千万IP创科普#", "千万ip创科普"]
    assert tagged_comments(frame, spellings).tolist() == [True, True, False, False, False]
    assert not tagged_comments(frame, []).any()


# --- the page store and the store's rows --------------------------------------------------------


def _comment(cid: str, work: str, uid: str, **values: object) -> CommentRecord:
    return CommentRecord("weibo", cid, work, AT, commenter_uid=uid, source="live", **values)  # type: ignore[arg-type]


def _page() -> ParsedPage:
    posts = [
        PostRecord("weibo", "w1", AT, account_uid="1001", text=f"{TAG} 一", content_type="text"),
        PostRecord("weibo", "w2", AT, account_uid="1001", text=f"{TAG} 二", content_type="text"),
        PostRecord(
            "weibo",
            "wD",
            AT,
            account_uid="1001",
            text=f"{TAG} 删",
            content_type="text",
            deleted=True,
        ),
        PostRecord("weibo", "x9", AT, account_uid="9999", text="无话题", content_type="text"),
    ]
    comments = [
        _comment("c1", "w1", "2001", text="好"),
        _comment(
            "c2", "w1", "2001", text="回复@某某:对", parent_comment_id="c1", root_comment_id="c1"
        ),
        _comment("c3", "x9", "2002", text=f"{TAG} 带话题的评论", hashtags=[TAG]),
        _comment("c4", "wD", "2003", text="删了的作品"),
        _comment("c5", "w2", "2003", text="被排除的作品"),
        _comment("c6", "w1", "2004", text="截止之后", published_at=AT + timedelta(days=3)),
        _comment("c7", "later", "2005", text="作品还没入库"),
    ]
    accounts = [AccountRecord("weibo", uid, name=f"用户{uid}") for uid in ("2001", "2002", "2003")]
    return ParsedPage(posts=posts, accounts=accounts, comments=comments)


def _registry() -> list[UnitRow]:
    return [
        UnitRow(1, "甲单位", "university", "广州市", "weibo", "2001", None, None),
        UnitRow(2, "乙单位", "society", "深圳市", "weibo", "2002", None, None),
        UnitRow(3, "丙单位", "society", "深圳市", "weibo", "2003", None, None),
        UnitRow(4, "丁单位", "society", "汕头市", "weibo", "2004", None, None),
    ]


def _stored(tmp_path: Path) -> Engine:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config, _registry())
    with engine.begin() as conn:
        store = PageStore.for_connection(conn, config.campaigns, source="live", run_id=None)
        first = store.store(conn, _page(), seen_at=AT)
        again = store.store(conn, _page(), seen_at=AT)
    assert (first.comments.new, first.comments.updated) == (7, 0)
    assert (again.comments.new, again.comments.unchanged) == (0, 7)
    exclude_works(engine, ["weibo:w2"], campaign=CAMPAIGN, note="误匹配", by="测试")
    return engine


def test_page_store_keeps_comments_beside_posts_and_accounts(tmp_path: Path) -> None:
    engine = _stored(tmp_path)
    try:
        assert count(engine, "comment") == 7 and count(engine, "post") == 4
        assert count(engine, "account", "platform_uid IN ('2001', '2002', '2003')") == 3
        reply = one(engine, "SELECT * FROM comment WHERE platform_comment_id = 'c2'")
        assert (reply["parent_comment_id"], reply["root_comment_id"], reply["source"]) == (
            "c1",
            "c1",
            "live",
        )
        assert count(engine, "comment", "platform_post_id = 'later'") == 1  # its work may come
        assert count(engine, "post_campaign", "platform_post_id = 'x9'") == 0  # no link
    finally:
        engine.dispose()


def test_stored_comments_count_for_units_and_cities(tmp_path: Path) -> None:
    engine = _stored(tmp_path)
    try:
        with engine.connect() as conn:
            frames = participation_frames(conn, CAMPAIGN)
            cut = participation_frames(conn, CAMPAIGN, as_of=AT + timedelta(days=1))
    finally:
        engine.dispose()
    # 2001: c1 and its reply c2; 2002: the tagged c3 on a work outside the campaign;
    # 2003: c4 (deleted work) and c5 (excluded work) count for nothing; 2004: c6.
    assert _counts(frames.accounts) == {
        ("weibo", "2001"): (2, 2),
        ("weibo", "2002"): (1, 1),
        ("weibo", "2004"): (1, 1),
    }
    units = {
        r["unit_name"]: (r["comments"], r["interactions"]) for r in frames.units.to_dict("records")
    }
    assert units == {"甲单位": (2, 2), "乙单位": (1, 1), "丙单位": (0, 0), "丁单位": (1, 1)}
    cities = {r["city"]: r["comments"] for r in frames.cities.to_dict("records")}
    assert cities == {"广州市": 2, "深圳市": 1, "汕头市": 1}
    # c6 was published after the cut
    assert ("weibo", "2004") not in _counts(cut.accounts)
    assert _counts(cut.accounts)[("weibo", "2001")] == (2, 2)


# --- end to end ---------------------------------------------------------------------------------


def test_imported_comment_counts_in_campaign_participation(tmp_path: Path) -> None:
    config_path = write_config(tmp_path)
    registry = [
        UnitRow(
            1, "广州市科学技术协会", "city_association", "广州市", "weibo", "6001000001", None, None
        )
    ]
    engine = make_db(tmp_path, load_config(config_path), registry)
    db = str(engine.url)
    engine.dispose()
    base = ["--db", db, "--config", str(config_path)]
    contents = IMPORT_FIXTURES / "mediacrawler" / "weibo" / "jsonl"
    comments = IMPORT_FIXTURES / "mediacrawler-comments" / "weibo" / "jsonl"
    runner = CliRunner()
    imported = runner.invoke(app, [*base, "import", str(contents), str(comments)])
    assert imported.exit_code == 0, imported.output
    assert "评论 4 条" in imported.output
    out = runner.invoke(
        app, [*base, "campaign", "participation", "--by", "unit", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    (unit,) = json.loads(out.stdout)["rows"]
    assert unit["unit_name"] == "广州市科学技术协会"
    assert (unit["comments"], unit["interactions"], unit["works_published"]) == (1, 1, 0)


def test_a_live_run_stores_comments_and_counts_them_in_its_detail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.services.collect as collect_mod
    from connectors.base import FetchedPage

    class Connector:
        def collect(self, _request: object) -> Iterator[FetchedPage]:
            yield FetchedPage(_page(), {"page": 2}, "u", "comments")

    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    monkeypatch.setattr(collect_mod, "build_connector", lambda *a, **k: Connector())
    options = collect_mod.CollectOptions(clock=lambda: AT, base_urls={"weibo": "http://x"})
    try:
        result = collect_mod.collect_platform(engine, config, "weibo", options)
        assert result.status == "ok"
        (run,) = run_rows(engine)
        assert (run["detail"]["comments"], run["detail"]["comments_new"]) == (7, 7)
        assert run["new"] == 4  # the works; comments are counted on their own
        assert count(engine, "comment", "source = 'live'") == 7
    finally:
        engine.dispose()
