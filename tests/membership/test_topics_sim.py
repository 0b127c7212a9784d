"""``collect_topics`` against a simulated 腾讯新闻 topic page; saved pages; 学习强国 theme sweep."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers.config import CAMPAIGN, TOPIC_URL, load_test_config
from tests.helpers.database import links, make_db, rows
from tests.helpers.simulator import sim_options
from tracker.http import HttpClient
from tracker.membership.manual import exclude_works
from tracker.membership.topics import link_themes
from tracker.records import CampaignLink, PostRecord
from tracker.services.collect import CollectOptions
from tracker.services.topics import collect_topics, import_topic_html
from tracker.sim.api import SimServer
from tracker.sim.layout import CAMPAIGN_FAMILIES
from tracker.sim.world import World
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

from .topic_sim import TopicPageSim


def _pick_articles(world: World) -> tuple[list[str], str]:
    """Three tagged and four untagged live articles, plus one deleted (its page is gone)."""
    pw = world.platform("qqnews")
    tagged, plain, deleted = [], [], []
    for i in range(pw.n):
        seed = pw.post_seed(i)
        if seed.family == "camp_del":
            deleted.append(seed.post_id)
        elif seed.family in CAMPAIGN_FAMILIES:
            tagged.append(seed.post_id)
        elif not seed.hashtags:
            plain.append(seed.post_id)
    ids = [tagged[0], plain[0], plain[1], tagged[1], deleted[0], plain[2], tagged[2], plain[3]]
    return ids, deleted[0]


def _server(world: World, ids: list[str]) -> SimServer:
    return SimServer(
        world=world, platforms=[], extra_sims={"qqnews": TopicPageSim("qianwanip", ids)}
    )


def test_topic_page_articles_become_campaign_works(tmp_path: Path) -> None:
    world = World(seed=41, scale=1000)
    ids, gone = _pick_articles(world)
    config = load_test_config(tmp_path, topics=[TOPIC_URL])
    engine = make_db(tmp_path, config)
    with _server(world, ids) as sim:
        result = collect_topics(engine, config, sim_options(sim))
        assert (result.platform, result.status, result.campaign_posts) == ("qqnews", "ok", 8)
        assert (result.counts.pages, result.counts.items_read, result.counts.new) == (1, 8, 8)
        (run,) = rows(engine, "SELECT * FROM run")
        assert (run["kind"], run["platform"], run["status"], run["new"]) == (
            "collect",
            "qqnews",
            "ok",
            8,
        )
        (entry,) = json.loads(run["detail"])["topics"]
        assert (entry["listed"], entry["articles_read"], entry["other_links"]) == (
            8,
            7,
            4,
        )  # home, channel, video, 科普中国
        assert len(entry["article_errors"]) == 1 and gone in entry["article_errors"][0]

        stored = links(engine, "qqnews")
        assert set(stored) == {
            ("qqnews", pid) for pid in ids
        }  # nav, video and 科普中国 links are not works
        assert {(r["matched_by"], r["matched_value"]) for r in stored.values()} == {
            ("topic", TOPIC_URL)
        }
        posts = {r["platform_post_id"]: r for r in rows(engine, "SELECT * FROM post")}
        for pid in ids:
            if pid == gone:
                continue
            sim_post = sim.world.post("qqnews", pid, now=sim.now)
            row = posts[pid]
            assert row["title"] == sim_post.title
            assert row["account_uid"] == sim_post.account.uid
            assert row["url"] == f"https://news.qq.com/rain/a/{pid}"
            assert json.loads(row["context"]) == {"topic_url": TOPIC_URL}
            assert row["source"] == "live" and row["published_at"] is not None
        stub = posts[gone]
        assert (stub["title"], stub["published_at"], stub["url"]) == (
            None,
            None,
            f"https://news.qq.com/rain/a/{gone}",
        )
        accounts = {r["platform_uid"]: r["name"] for r in rows(engine, "SELECT * FROM account")}
        assert (
            accounts[posts[ids[1]]["account_uid"]]
            == sim.world.post("qqnews", ids[1], now=sim.now).account.name
        )

        # A false match is excluded; the next topic run keeps it excluded and reads no article twice.
        (r,) = exclude_works(
            engine,
            [f"https://news.qq.com/rain/a/{ids[2]}"],
            campaign=CAMPAIGN,
            note="与科普无关",
            by="编辑丙",
        )
        assert r.outcome == "excluded"
        again = collect_topics(engine, config, sim_options(sim))
        assert again.status == "ok" and again.counts.new == 0
        entry = json.loads(
            rows(engine, "SELECT detail FROM run ORDER BY id DESC LIMIT 1")[0]["detail"]
        )["topics"][0]
        assert (
            entry["articles_read"] == 0 and len(entry["article_errors"]) == 1
        )  # only the gone one is retried
    stored = links(engine, "qqnews")
    assert stored[("qqnews", ids[2])]["excluded"] == 1
    assert sum(1 for r in stored.values() if not r["excluded"]) == 7
    engine.dispose()


def test_saved_topic_page_import_and_failures(tmp_path: Path) -> None:
    world = World(seed=41, scale=1000)
    ids, _ = _pick_articles(world)
    config = load_test_config(tmp_path, topics=[TOPIC_URL])
    engine = make_db(tmp_path, config)
    with _server(world, ids) as sim:
        client = HttpClient("qqnews", sim.base_urls["qqnews"])
        html = client.get_text("/zt/qianwanip")
        client.close()
        # A topic page that does not exist fails the run with the URL in the message.
        missing = config.model_copy(deep=True)
        missing.campaigns[0].membership.qqnews_topics = ["https://news.qq.com/zt/nosuch"]
        failed = collect_topics(engine, missing, sim_options(sim))
    assert failed.status == "failed" and "news.qq.com/zt/nosuch" in (failed.message or "")

    result = import_topic_html(
        engine, config, html, label="saved/topic.html", now=datetime(2024, 9, 30, tzinfo=UTC)
    )
    assert (result.status, result.counts.items_read, result.counts.new) == ("ok", 8, 8)
    stored = links(engine, "qqnews")
    assert {(r["matched_by"], r["matched_value"]) for r in stored.values()} == {
        ("topic", TOPIC_URL)
    }
    assert {r["source"] for r in rows(engine, "SELECT source FROM post")} == {"capture"}
    run = rows(engine, "SELECT kind, platform, status FROM run WHERE id = :i", i=result.run_id)[0]
    assert run == {"kind": "import", "platform": "qqnews", "status": "ok"}

    empty = import_topic_html(engine, config, "<html><body>请登录</body></html>", label="bad.html")
    assert empty.status == "failed"
    (reject,) = rows(engine, "SELECT * FROM reject")
    assert reject["location"] == "bad.html" and "专题页" in reject["reason"]

    nothing = load_test_config(tmp_path)  # no topic configured: nothing to do, no run written
    skipped = collect_topics(engine, nothing, CollectOptions())
    assert skipped.run_id is None and "未配置" in (skipped.message or "")
    engine.dispose()


def test_theme_sweep_links_xuexi_articles_and_respects_exclusions(tmp_path: Path) -> None:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    at = datetime(2024, 9, 20, tzinfo=UTC)
    posts = [
        PostRecord("xuexi", "10000000000000000001", at, title="【科普向‘新’力】深海里的发光生物"),
        PostRecord(
            "xuexi",
            "10000000000000000002",
            at,
            title="秋季养生",
            text="本文参与“科普向'新'力”主题。",
        ),
        PostRecord("xuexi", "10000000000000000003", at, title="科普向上的力量"),
        PostRecord("xuexi", "10000000000000000004", at, title="科普向“新”力｜广告", text=""),
        PostRecord(
            "qqnews", "20240915A01ABC00", at, title="科普向'新'力"
        ),  # theme is 学习强国's only
        PostRecord(
            "xuexi", "10000000000000000005", at, title="科普向'新'力", text="#千万IP创科普#"
        ),
    ]
    with engine.begin() as conn:
        Ingestor(conn).ingest(
            posts=posts,
            links=[CampaignLink("xuexi", "10000000000000000005", CAMPAIGN, "submission", "某单位")],
            campaign_ids=campaign_ids(conn),
            seen_at=at,
        )
    exclude_works(
        engine, ["xuexi:10000000000000000004"], campaign=CAMPAIGN, note="广告", by="审核员"
    )
    assert link_themes(engine, config, now=at) == 2
    assert link_themes(engine, config, now=at) == 0  # idempotent
    stored = links(engine)
    assert {pid: (r["matched_by"], r["excluded"]) for (_, pid), r in stored.items()} == {
        "10000000000000000001": ("theme", 0),
        "10000000000000000002": ("theme", 0),
        "10000000000000000004": ("manual", 1),
        "10000000000000000005": ("submission", 0),
    }
    assert stored[("xuexi", "10000000000000000001")]["matched_value"] == "科普向'新'力"
    engine.dispose()


def test_login_or_verify_pages_are_not_taken_for_articles(tmp_path: Path) -> None:
    config = load_test_config(tmp_path, topics=[TOPIC_URL])
    engine = make_db(tmp_path, config)
    page = (
        f'<html><head><link rel="canonical" href="{TOPIC_URL}"></head><body>'
        '<a href="https://news.qq.com/rain/a/20240915A01ABC00">一</a>'
        '<a href="https://news.qq.com/rain/a/20240916A02DEF00">二</a></body></html>'
    )
    article = (
        '<html><head><title>科普一则_腾讯新闻</title></head><body><script>window.DATA = {"title": '
        '"科普一则", "media": "科普号", "media_id": "om1", "pubtime": "2024-09-15 10:00:00"};'
        "</script></body></html>"
    )
    wall = "<html><head><title>登录_腾讯新闻</title></head><body>请登录后查看完整内容</body></html>"

    def fetch(ref):  # type: ignore[no-untyped-def]
        return article if ref.post_id == "20240915A01ABC00" else wall

    result = import_topic_html(engine, config, page, label="t.html", fetch=fetch)
    assert result.status == "ok"
    assert "登录" in result.counts.detail["article_errors"][0]
    got = {
        r["platform_post_id"]: (r["title"], r["account_uid"])
        for r in rows(engine, "SELECT * FROM post")
    }
    assert got == {"20240915A01ABC00": ("科普一则", "om1"), "20240916A02DEF00": (None, None)}
    engine.dispose()
