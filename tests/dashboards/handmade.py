"""A tiny campaign written by hand, so every count the queries return can be checked by eye.

Accounts: weibo ``a1`` (listed by 广州市科协 *and* 深圳大学), weibo ``a2`` (not in the
registry), douyin ``d1`` (深圳大学), bilibili ``b1`` (not in the registry).
Works (UTC -> Beijing day):
- weibo ``p1`` by a1, 2024-09-01 17:00Z -> 09-02; likes 10, comments 2, shares 1 (I = 13)
- weibo ``p2`` by a2, 2024-09-01 03:00Z -> 09-01; likes 5, comments 0, shares 0 (I = 5)
- douyin ``p3`` by d1, 2024-09-02 02:00Z -> 09-02; 100/10/5/20 (I = 135), title with XSS
- bilibili ``p4`` by b1: collected but not a campaign work (no link)
- weibo ``p5`` by a2: linked, then excluded by hand (never counted)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, update

from tracker.config import UnitRow, load_config
from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord
from tracker.services.database import init_database
from tracker.store.engine import make_engine
from tracker.store.models import PostCampaign
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

REPO_ROOT = Path(__file__).resolve().parents[2]
CAPTURED = datetime(2024, 9, 10, tzinfo=UTC)
XSS = "<img src=x onerror=alert(1)>"


def _post(
    platform, pid, account, published, likes, comments, shares, favorites=None, views=None, **kw
):  # type: ignore[no-untyped-def]
    return PostRecord(
        platform,
        pid,
        CAPTURED,
        account_uid=account,
        url=f"https://example.com/{platform}/{pid}",
        published_at=published,
        metrics=Metrics(
            views=views, likes=likes, comments=comments, shares=shares, favorites=favorites
        ),
        **kw,
    )


def build_handmade(path: Path) -> tuple[Engine, int]:
    config = load_config(REPO_ROOT / "config" / "campaign.toml")
    url = f"sqlite:///{path}"
    units = [
        UnitRow(2, "广州市科学技术协会", "city_association", "广州市", "weibo", "a1", None, None),
        UnitRow(3, "深圳大学", "university", "深圳市", "weibo", "a1", None, None),
        UnitRow(4, "深圳大学", "university", "深圳市", "douyin", "d1", None, None),
        UnitRow(5, "韶关学院", "university", "韶关市", None, None, None, None),
    ]
    init_database(url, config, units)
    engine = make_engine(url)
    name = config.campaigns[0].name
    posts = [
        _post("weibo", "p1", "a1", datetime(2024, 9, 1, 17, tzinfo=UTC), 10, 2, 1,
              title="【科普】台风来了", content_type="text"),
        _post("weibo", "p2", "a2", datetime(2024, 9, 1, 3, tzinfo=UTC), 5, 0, 0,
              text="只有正文的微博 #千万IP创科普#", content_type="image"),
        _post("douyin", "p3", "d1", datetime(2024, 9, 2, 2, tzinfo=UTC), 100, 10, 5, 20,
              title=XSS + "抖音科普", content_type="video"),
        _post("bilibili", "p4", "b1", datetime(2024, 9, 3, 12, tzinfo=UTC), 50, 5, 1, 3, views=1000,
              title="不是活动作品", content_type="video"),
        _post("weibo", "p5", "a2", datetime(2024, 9, 3, 1, tzinfo=UTC), 999, 99, 9,
              title="被排除的作品", content_type="text"),
    ]  # fmt: skip
    accounts = [
        AccountRecord("weibo", "a1", name="广州科协"),
        AccountRecord("weibo", "a2", name="个人科普号"),
        AccountRecord("douyin", "d1", name="深大科普"),
        AccountRecord("bilibili", "b1", name="UP主"),
    ]
    links = [CampaignLink(p, i, name) for p, i in
             (("weibo", "p1"), ("weibo", "p2"), ("douyin", "p3"), ("weibo", "p5"))]  # fmt: skip
    with engine.begin() as conn:
        cids = campaign_ids(conn)
        Ingestor(conn).ingest(
            posts=posts, accounts=accounts, links=links, campaign_ids=cids, seen_at=CAPTURED
        )
        link = PostCampaign.__table__
        conn.execute(
            update(link)
            .where(link.c.platform == "weibo", link.c.platform_post_id == "p5")
            .values(excluded=True)
        )
    return engine, cids[name]
