"""Captures of the simulator: a HAR of its responses imports to exactly its ground truth.

The live connectors drive the requests (so every request is shaped as in production, signed by
the development signer where the platform signs); a recording transport keeps each raw
response; the test wraps them as HAR entries with the simulator's address rewritten to the
real platform hosts, mixes in unrelated traffic, imports the HAR and compares every stored work
with ``tracker.sim.truth`` at the simulator's virtual time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine

from tests.helpers.database import count, one, rows
from tests.imports.har_builder import entry, write_har
from tracker.config import TrackerConfig
from tracker.http import HttpSettings
from tracker.imports.online import HttpArticleFetcher
from tracker.imports.service import import_paths

sim_api = pytest.importorskip("tracker.sim.api")
truth_mod = pytest.importorskip("tracker.sim.truth")

LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")
HOSTS = {
    "bilibili": "https://api.bilibili.com",
    "zhihu": "https://www.zhihu.com",
    "douyin": "https://www.douyin.com",
    "kuaishou": "https://www.kuaishou.com",
    "xiaohongshu": "https://edith.xiaohongshu.com",
}
METRICS = ("views", "likes", "comments", "shares", "favorites")


class Recorder(httpx.BaseTransport):
    """Passes requests to the simulator and keeps (method, url, status, type, body)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.log: list[tuple[str, str, int, str, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        kind = response.headers.get("content-type", "application/json")
        self.log.append((request.method, str(request.url), response.status_code, kind, body))
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    def close(self) -> None:
        self.inner.close()


def _real_url(platform: str, sim_url: str, base: str) -> str:
    rest = sim_url[len(base) :]
    if platform == "weibo":
        host = "https://m.weibo.cn" if rest.startswith("/api/") else "https://weibo.com"
    else:
        host = HOSTS[platform]
    return host + rest


def _capture(sim: Any, config: TrackerConfig) -> Iterator[tuple[str, str, str, bytes, str]]:
    """(platform, real url, method, body, content type) of every response a collect saw."""
    from connectors.base import CollectRequest
    from connectors.registry import connector_class, http_defaults
    from tracker.http import HttpClient, HttpSettings
    from tracker.signing.dev import DevSigner

    for platform in LIVE:
        recorder = Recorder()
        pcfg = config.platforms[platform]
        env = {pcfg.cookie_env: "SUB=dummy"} if pcfg.cookie_env else {}
        settings = HttpSettings(
            max_attempts=1, cookie_env=pcfg.cookie_env, **http_defaults(platform)
        )
        http = HttpClient(
            platform,
            sim.base_urls[platform],
            settings=settings,
            signer=DevSigner(),
            transport=recorder,
            env=env,
        )
        connector = connector_class(platform)(http, now=lambda: sim.now, page_size=20)
        try:
            for _ in connector.collect(CollectRequest(tags=["#千万IP创科普#"], max_pages=2)):
                pass
        finally:
            http.close()
        base = sim.base_urls[platform]
        for method, url, status, kind, body in recorder.log:
            assert status == 200, (platform, url)
            yield platform, _real_url(platform, url, base), method, body, kind


def _truth(sim: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (r["platform"], r["post_id"]): r
        for r in truth_mod.iter_world_truth(sim.world, sim.now, platforms=LIVE)
    }


def _unrelated(started: datetime) -> list[dict]:
    iso = started.isoformat()
    return [
        entry(
            "https://www.bilibili.com/",
            "<!doctype html><title>哔哩哔哩</title>",
            started=iso,
            mime="text/html",
        ),
        entry(
            "https://s1.hdslb.com/bfs/static/jinkela/long/js/jquery.min.js",
            "/*! jQuery */",
            started=iso,
            mime="application/javascript",
        ),
        entry("https://mcs.zijieapi.com/list", {"e": 0, "sc": 1}, started=iso),
        entry(
            "https://fe-video-qc.xhscdn.com/athena-creator/1.jpg",
            b"\x89PNG\r\n",
            started=iso,
            mime="image/png",
            encode_base64=True,
        ),
        entry("https://log.zhihu.com/collector/v2", "", started=iso, mime="text/plain"),
    ]


def test_har_of_simulator_responses_equals_truth(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    with sim_api.SimServer(seed=11, scale=200) as sim:
        now = sim.now
        captured = list(_capture(sim, config))
        truth = _truth(sim)
    entries = _unrelated(now)
    for i, (_, url, method, body, kind) in enumerate(captured):
        started = (now + timedelta(milliseconds=i + 1)).isoformat()
        entries.append(
            entry(url, body, started=started, mime=kind, method=method, encode_base64=i % 3 == 0)
        )
    har = write_har(tmp_path / "simulator-session.har", entries)

    report = import_paths(engine, [har], config=config)
    assert report.counts.rejected == 0, report.rejects[:3]
    assert report.counts.items_read == len(entries)
    routed = report.counts.pages
    assert report.counts.skipped == len(entries) - routed  # unrelated + nav/profile lookups
    assert set(report.platforms) == set(LIVE)

    posts = rows(engine, "SELECT * FROM post")
    assert posts and len(posts) == report.counts.new
    for p in posts:
        key = (p["platform"], p["platform_post_id"])
        expected = truth[key]
        where = f"{key}"
        assert p["source"] == "capture", where
        assert p["account_uid"] == expected["account"], where
        assert datetime.fromisoformat(p["published_at"] + "+00:00") == datetime.fromisoformat(
            expected["published_at"]
        ), where
        for name in METRICS:
            assert p[name] == expected["metrics"][name], (where, name)
        assert p["deleted"] == (1 if expected["deleted"] else 0), where
    accounts = rows(engine, "SELECT * FROM account WHERE followers IS NOT NULL")
    followers = {(r["platform"], r["account"]): r["followers"] for r in truth.values()}
    assert accounts
    for a in accounts:
        expected_followers = followers[(a["platform"], a["platform_uid"])]
        if a["platform"] == "kuaishou" and expected_followers >= 10_000:
            assert abs(a["followers"] - expected_followers) < 1_000, a  # "208.7w": to 0.1万
        else:
            assert a["followers"] == expected_followers, a
    campaign = {k for k, r in truth.items() if r["matches_campaign"]}
    linked = {
        (r["platform"], r["platform_post_id"])
        for r in rows(engine, "SELECT platform, platform_post_id FROM post_campaign")
    }
    stored = {(p["platform"], p["platform_post_id"]) for p in posts}
    assert linked == campaign & stored


def test_submitted_article_pages_read_from_the_simulator(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    platforms = ("kepuchina", "qqnews", "xuexi")
    with sim_api.SimServer(seed=5, scale=200, platforms=platforms) as sim:
        truth: list[dict] = []
        for platform in platforms:
            records = [
                r
                for r in truth_mod.iter_world_truth(sim.world, sim.now, platforms=[platform])
                if not r["deleted"]
            ]
            truth.extend(records[:3])
        path = tmp_path / "articles.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["单位", "作品链接", "阅读量"])
            for r in truth:
                writer.writerow([r["unit"] or "科普单位", r["url"], 100])
        # The simulator is local: pages are read without the one-a-second spacing kept for
        # the real sites (as the demo reads them); the spacing is not what this test checks.
        fetcher = HttpArticleFetcher(
            base_urls=sim.base_urls, settings=HttpSettings(rate_per_s=None, timeout_s=10.0)
        )
        try:
            report = import_paths(engine, [path], config=config, articles=fetcher)
        finally:
            fetcher.close()
    assert report.counts.new == 9 and report.counts.rejected == 0
    assert not [n for n in report.notes if "读取失败" in n]
    for r in truth:
        row = one(
            engine,
            "SELECT * FROM post WHERE platform = :p AND platform_post_id = :i",
            p=r["platform"],
            i=r["post_id"],
        )
        assert row["title"] == r["title"], r["url"]
        when = datetime.fromisoformat(row["published_at"] + "+00:00")
        assert when == datetime.fromisoformat(r["published_at"]), r["url"]
        account = one(
            engine,
            "SELECT * FROM account WHERE platform = :p AND platform_uid = :u",
            p=r["platform"],
            u=row["account_uid"],
        )
        assert account["name"] == r["account_name"]
        if r["platform"] == "qqnews":  # the page names the 企鹅号 id
            assert row["account_uid"] == r["account"]
    assert count(engine, "account_unit", "source = 'submission'") == len(
        {(r["platform"], r["account_name"]) for r in truth if r["platform"] != "qqnews"}
    ) + len({r["account"] for r in truth if r["platform"] == "qqnews"})
    assert urlsplit(truth[0]["url"]).hostname == "www.kepuchina.cn"
