"""``include`` / ``exclude``: links with note, person and time, audit rows, exclusions that last."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connectors.weibo.ids import mid_to_mblogid
from tests.helpers.config import CAMPAIGN, load_test_config
from tests.helpers.database import links, make_db, rows
from tests.helpers.simulator import sim_options
from tracker.errors import TrackerError
from tracker.membership.manual import (
    decision_history,
    exclude_works,
    include_works,
    manual_decisions,
    resolve_work,
)
from tracker.records import CampaignLink, PostRecord
from tracker.services.collect import collect
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

T0 = datetime(2024, 9, 21, 2, 0, tzinfo=UTC)
MID = "5078100000123456"


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_db(tmp_path, load_test_config(tmp_path))
    with engine.begin() as conn:
        Ingestor(conn).ingest(
            posts=[
                PostRecord(
                    "weibo",
                    MID,
                    T0,
                    account_uid="1001",
                    url=f"https://m.weibo.cn/detail/{MID}",
                    title="带标签",
                )
            ],
            links=[CampaignLink("weibo", MID, CAMPAIGN, "tag", "#千万IP创科普#")],
            campaign_ids=campaign_ids(conn),
            seen_at=T0,
        )
    yield engine
    engine.dispose()


def test_resolve_work_accepts_urls_and_platform_id() -> None:
    assert resolve_work(f"https://weibo.com/1001/{mid_to_mblogid(MID)}").key == ("weibo", MID)
    assert resolve_work("【标题】 https://m.weibo.cn/detail/5078100000123456 复制链接").key == (
        "weibo",
        MID,
    )
    assert resolve_work("zhihu:3600000001").key == ("zhihu", "3600000001")
    assert resolve_work("https://news.qq.com/rain/a/20240915A01ABC00").key == (
        "qqnews",
        "20240915A01ABC00",
    )


def test_exclude_then_reinstate_with_history(engine: Engine) -> None:
    url = f"https://m.weibo.cn/detail/{MID}"
    (r,) = exclude_works(
        engine, [url], campaign=CAMPAIGN, note="广告借用话题", by="审核员甲", now=T0
    )
    assert (r.outcome, r.previous, r.stub_created) == ("excluded", "tag", False)
    row = links(engine)[("weibo", MID)]
    assert (row["excluded"], row["matched_by"], row["note"], row["decided_by"]) == (
        1,
        "tag",
        "广告借用话题",
        "审核员甲",
    )
    (again,) = exclude_works(engine, [url], campaign=CAMPAIGN, note="再次", by="审核员乙", now=T0)
    assert again.outcome == "already_excluded"
    later = T0 + timedelta(hours=2)
    (back,) = include_works(
        engine,
        [f"weibo:{MID}"],
        campaign=CAMPAIGN,
        note="复核后确认是科普",
        by="审核员乙",
        now=later,
    )
    assert back.outcome == "reinstated"
    row = links(engine)[("weibo", MID)]
    assert (row["excluded"], row["matched_by"], row["decided_by"]) == (0, "tag", "审核员乙")
    (member,) = include_works(engine, [url], campaign=CAMPAIGN, note="x", by="y", now=later)
    assert member.outcome == "already_member"
    with engine.connect() as conn:
        history = decision_history(conn, campaign=CAMPAIGN)
        decisions = manual_decisions(conn, CAMPAIGN)
    assert history[["status", "reviewer", "note", "campaign"]].to_dict("records") == [
        {
            "status": "excluded",
            "reviewer": "审核员甲",
            "note": "广告借用话题",
            "campaign": CAMPAIGN,
        },
        {
            "status": "included",
            "reviewer": "审核员乙",
            "note": "复核后确认是科普",
            "campaign": CAMPAIGN,
        },
    ]
    assert [d.replace(tzinfo=UTC) if d.tzinfo is None else d for d in history["decided_at"]] == [
        T0,
        later,
    ]
    # The audit rows are ordinary review events: the review queue shows them.
    events = rows(engine, "SELECT status, reviewer, note FROM review_event ORDER BY id")
    assert events[0] == {
        "status": "excluded",
        "reviewer": "审核员甲",
        "note": f"[{CAMPAIGN}] 广告借用话题",
    }
    assert decisions[["platform_post_id", "state", "decided_by"]].to_dict("records") == [
        {"platform_post_id": MID, "state": "included", "decided_by": "审核员乙"}
    ]


def test_include_unknown_work_creates_a_stub(engine: Engine) -> None:
    url = "https://www.zhihu.com/question/400000001/answer/3600000777"
    results = include_works(
        engine,
        [url, "https://example.com/not-a-work", ""],
        campaign=CAMPAIGN,
        note="圆桌外的优质回答",
        by="张三",
        now=T0,
    )
    assert [r.outcome for r in results] == ["added", "invalid", "invalid"]
    assert results[0].stub_created
    (post,) = rows(engine, "SELECT * FROM post WHERE platform = 'zhihu'")
    assert post["platform_post_id"] == "3600000777"
    assert post["url"] == url
    assert post["source"] == "submission"
    assert post["content_type"] == "answer"
    assert post["last_collected_at"] is None and post["first_collected_at"] is not None
    assert json.loads(post["context"]) == {"question_id": "400000001"}
    row = links(engine)[("zhihu", "3600000777")]
    assert (row["matched_by"], row["matched_value"], row["excluded"], row["note"]) == (
        "manual",
        "张三",
        0,
        "圆桌外的优质回答",
    )


def test_preemptive_exclusion_and_argument_checks(engine: Engine) -> None:
    (r,) = exclude_works(
        engine, ["douyin:7410000000000000001"], campaign=CAMPAIGN, note="非科普", by="李四"
    )
    assert (r.outcome, r.stub_created) == ("excluded", True)
    assert links(engine)[("douyin", "7410000000000000001")]["excluded"] == 1
    with pytest.raises(TrackerError, match="--by"):
        include_works(engine, ["weibo:1"], campaign=CAMPAIGN, note="x", by=" ")
    with pytest.raises(TrackerError, match="--note"):
        exclude_works(engine, ["weibo:1"], campaign=CAMPAIGN, note="", by="x")
    with pytest.raises(TrackerError, match="tracker init"):
        include_works(engine, ["weibo:1"], campaign="没有这个活动", note="x", by="y")


def test_exclusions_survive_later_collection_runs(tmp_path: Path) -> None:
    """Exclude, include, collect again: still excluded; the manual include stays manual."""
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    with SimServer(seed=13, scale=400, platforms=["weibo"]) as sim:
        truth = list(iter_world_truth(sim.world, sim.now, platforms=["weibo"]))
        campaign_works = [
            t for t in truth if t["matches_campaign"] and t["content_type"] != "repost"
        ]
        outsider = next(t for t in truth if not t["tags"] and not t["deleted"])
        early = campaign_works[-1]
        # Included before any collection: a stub that the run later fills in.
        (pre,) = include_works(
            engine, [early["url"]], campaign=CAMPAIGN, note="单位报送", by="王五"
        )
        assert pre.stub_created

        def run() -> None:
            options = sim_options(sim, restart=True)
            options.platforms = ["weibo"]
            (result,) = collect(engine, config, options)
            assert result.status == "ok", result.message

        run()
        first, second = campaign_works[0], campaign_works[1]
        by_uid_url = f"https://weibo.com/{second['account']}/{mid_to_mblogid(second['post_id'])}"
        out = exclude_works(
            engine, [first["url"], by_uid_url], campaign=CAMPAIGN, note="误匹配", by="审核员甲"
        )
        assert [r.outcome for r in out] == ["excluded", "excluded"]
        (inc,) = include_works(
            engine, [outsider["url"]], campaign=CAMPAIGN, note="漏标签的科普", by="审核员乙"
        )
        assert inc.outcome == "added"
        (exc,) = exclude_works(
            engine, [outsider["url"]], campaign=CAMPAIGN, note="再看不是科普", by="审核员甲"
        )
        assert exc.outcome == "excluded"
        sim.advance(86400)
        run()
    stored = links(engine, "weibo")
    for t in (first, second, outsider):
        assert stored[("weibo", t["post_id"])]["excluded"] == 1, t["post_id"]
    assert stored[("weibo", first["post_id"])]["matched_by"] == "tag"
    assert stored[("weibo", outsider["post_id"])]["matched_by"] == "manual"
    row = stored[("weibo", early["post_id"])]
    assert (row["matched_by"], row["excluded"]) == ("manual", 0)
    (filled,) = rows(
        engine,
        "SELECT text, account_uid, source, likes, published_at FROM post WHERE platform_post_id = :p",
        p=early["post_id"],
    )
    assert (filled["account_uid"], filled["source"]) == (early["account"], "live")
    assert early["title"] in filled["text"]
    assert filled["likes"] is not None and filled["published_at"] is not None
    with engine.connect() as conn:
        history = decision_history(conn, keys=[("weibo", outsider["post_id"])])
    assert list(history["status"]) == ["included", "excluded"]
    assert list(history["reviewer"]) == ["审核员乙", "审核员甲"]
    # The rest of the campaign is untouched: all other tagged works are members.
    members = {pid for (_, pid), r in stored.items() if not r["excluded"]}
    assert {t["post_id"] for t in campaign_works} - members == {first["post_id"], second["post_id"]}
    engine.dispose()
