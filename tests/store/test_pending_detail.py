"""Post details through the ingest layer: a detail completes a stored post or waits for it.

Platform-neutral records only (a Weibo long text is one such detail); the campaign tag sits in
the completing text, as it does on real long posts, so the link must follow the completion.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from tracker.config import load_config
from tracker.membership.page_store import PageStore
from tracker.membership.rules import CampaignLinker
from tracker.records import Metrics, ParsedPage, PostDetail, PostRecord, complete_post
from tracker.services.database import campaign_rows
from tracker.store.registry import sync_campaigns

CONFIG = Path(__file__).resolve().parents[2] / "config" / "campaign.toml"
T0 = datetime(2024, 9, 15, 4, 0, tzinfo=UTC)
MID = "5078100000000002"
FULL = "开头的话，后面还有很多 #千万IP创科普#"


def _post(at: datetime = T0) -> PostRecord:
    return PostRecord(
        "weibo",
        MID,
        at,
        url=f"https://m.weibo.cn/detail/{MID}",
        text="开头的话...",
        content_type="text",
        published_at=T0 - timedelta(days=1),
        metrics=Metrics(likes=10),
    )


def _detail(at: datetime = T0, body: str = FULL) -> PostDetail:
    return PostDetail("weibo", MID, at, account_uid="1959830294", text=body, hashtags=[])


def _store(engine: Engine, page: ParsedPage) -> tuple[int, int]:
    campaigns = load_config(CONFIG).campaigns
    with engine.begin() as conn:
        ids = sync_campaigns(conn, campaign_rows(campaigns))
        store = PageStore(CampaignLinker(campaigns), ids, source="import", run_id=None)
        result = store.store(conn, page, seen_at=T0)
    return result.details_applied, result.details_pending


def _one(engine: Engine, sql: str) -> tuple:
    with engine.connect() as conn:
        return tuple(conn.execute(text(sql)).one())


def _n(engine: Engine, table: str) -> int:
    return _one(engine, f"SELECT COUNT(*) FROM {table}")[0]


def test_complete_post_keeps_the_post_and_adds_the_detail() -> None:
    done = complete_post(_post(), PostDetail("weibo", MID, T0, text=FULL, hashtags=["#x#"]))
    assert done.text == FULL and done.hashtags == ["#x#"]
    assert (done.url, done.metrics.likes, done.content_type) == (_post().url, 10, "text")
    assert complete_post(_post(), PostDetail("weibo", MID, T0)).text == "开头的话..."


def test_detail_of_a_stored_post_completes_it_and_links_it(any_engine: Engine) -> None:
    assert _store(any_engine, ParsedPage(posts=[_post()])) == (0, 0)
    assert _n(any_engine, "post_campaign") == 0  # the tag is in the part that was cut
    assert _store(any_engine, ParsedPage(details=[_detail()])) == (1, 0)
    got = _one(any_engine, "SELECT text, likes, account_uid, last_collected_at FROM post")
    assert got[:3] == (FULL, 10, "1959830294")
    assert _n(any_engine, "post_campaign") == 1 and _n(any_engine, "pending_detail") == 0
    assert _n(any_engine, "metric_snapshot") == 1  # a detail has no counts: no snapshot


def test_detail_before_its_post_waits_and_is_applied_once(any_engine: Engine) -> None:
    assert _store(any_engine, ParsedPage(details=[_detail()])) == (0, 1)
    assert _n(any_engine, "post") == 0 and _n(any_engine, "pending_detail") == 1
    assert _store(any_engine, ParsedPage(posts=[_post()])) == (1, 0)
    assert _one(any_engine, "SELECT text FROM post") == (FULL,)
    assert _n(any_engine, "post_campaign") == 1 and _n(any_engine, "pending_detail") == 0
    # a later capture of the post finds nothing waiting any more
    assert _store(any_engine, ParsedPage(posts=[_post(T0 + timedelta(hours=1))])) == (0, 0)


def test_a_newer_waiting_detail_replaces_an_older_one(any_engine: Engine) -> None:
    _store(any_engine, ParsedPage(details=[_detail(T0, "新的全文")]))
    _store(any_engine, ParsedPage(details=[_detail(T0 - timedelta(days=1), "旧的全文")]))
    assert _one(any_engine, "SELECT text FROM pending_detail") == ("新的全文",)
    _store(any_engine, ParsedPage(details=[_detail(T0 + timedelta(days=1), "更新的全文")]))
    assert _one(any_engine, "SELECT text FROM pending_detail") == ("更新的全文",)
