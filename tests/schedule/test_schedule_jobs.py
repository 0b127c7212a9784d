"""The real jobs: daily report folder and digest, weekly summary, a collection that needs a cookie."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from schedule_helpers import FakeClock, RecordingAlerts, bj, job_rows, new_database, repo_config
from sqlalchemy import Engine

from tracker.ranking import RankingFrames
from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord
from tracker.schedule import reports
from tracker.schedule.reports import find_function
from tracker.schedule.runner import Runner
from tracker.services import rank as rank_service
from tracker.services.collect import CollectOptions
from tracker.services.rank import load_frames, one_read_of_stored_tables
from tracker.store.models import PostCampaign
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

CAMPAIGN = "千万IP创科普2024"
SEEN = datetime(2024, 9, 9, 15, 59, 30, tzinfo=UTC)  # 23:59:30 Beijing on the 9th


def _post(
    platform: str, pid: str, published: datetime, seen: datetime = SEEN, **metrics: int | None
) -> PostRecord:
    return PostRecord(
        platform,
        pid,
        seen,
        account_uid="u1",
        url=f"https://example.invalid/{platform}/{pid}",
        title=f"作品 {pid}",
        published_at=published,
        hashtags=["#千万IP创科普#"],
        metrics=Metrics(**metrics),
        deleted=pid == "d1",
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


POSTS = [
    _post(
        "weibo", "w1", utc(2024, 9, 8, 16, 30), likes=100, comments=10, shares=5
    ),  # 00:30 on the 9th
    _post("weibo", "w2", utc(2024, 9, 9, 3, 0), likes=300),
    _post("weibo", "w3", utc(2024, 9, 9, 15, 59), likes=50, comments=50, shares=50),  # 23:59
    _post("bilibili", "b1", utc(2024, 9, 9, 5, 0), views=1000, likes=80, comments=20, shares=1),
    _post("bilibili", "b2", utc(2024, 9, 9, 6, 0), likes=10),
    _post("bilibili", "b3", utc(2024, 9, 9, 7, 0)),  # no metrics known: 0 for ranking, null shown
    _post("douyin", "d1", utc(2024, 9, 9, 8, 0), likes=10000),  # deleted
    _post("xiaohongshu", "x1", utc(2024, 9, 9, 8, 0), likes=5000),  # excluded by a reviewer
    _post("weibo", "n1", utc(2024, 9, 9, 8, 0), likes=9999),  # not a campaign work
    _post(
        "weibo", "late", utc(2024, 9, 9, 16, 10), utc(2024, 9, 9, 16, 20), likes=7000
    ),  # 00:10 on the 10th
    _post("bilibili", "old", utc(2024, 9, 5, 2, 0), utc(2024, 9, 5, 10, 0), likes=1),
]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = new_database(tmp_path / "tracker.db", repo_config())
    with eng.begin() as conn:
        Ingestor(conn).ingest(
            posts=POSTS,
            accounts=[
                AccountRecord(p, "u1", name="科普博主")
                for p in ("weibo", "bilibili", "douyin", "xiaohongshu")
            ],
            links=[
                CampaignLink(p.platform, p.platform_post_id, CAMPAIGN)
                for p in POSTS
                if p.platform_post_id != "n1"
            ],
            campaign_ids=campaign_ids(conn),
        )
        link = PostCampaign.__table__
        conn.execute(link.update().where(link.c.platform_post_id == "x1").values(excluded=True))
    yield eng
    eng.dispose()


def runner_for(
    engine: Engine, tmp_path: Path, clock: FakeClock, alerts: RecordingAlerts, **kw
) -> Runner:  # noqa: ANN003
    return Runner(
        engine,
        kw.pop("config", repo_config()),
        now=clock,
        alerts=alerts,
        reports_dir=tmp_path / "reports",
        **kw,
    )


def test_daily_report_folder_and_digest(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "DAILY_REPORT_REF", "dashboards.no_such_report:build_daily_report")
    alerts = RecordingAlerts()
    clock = FakeClock(bj("2024-09-10 08:03"))
    runner = runner_for(engine, tmp_path, clock, alerts)
    result = runner.run_job(runner.plan.job("report"), bj("2024-09-10 08:00"))
    assert result.status == "ok", result.error

    folder = tmp_path / "reports" / "2024-09-09"
    assert sorted(p.name for p in folder.iterdir()) == ["posts.jsonl", "summary.json"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["day"] == "2024-09-09"
    assert summary["timezone"] == "Asia/Shanghai"
    assert summary["generated_at"] == "2024-09-10T08:03:00+08:00"
    # The read model's counting (docs/figures.md): the deleted d1 counts, as in the ranking
    assert summary["new_works"] == 7
    assert summary["total_works"] == 8  # + "old"; "late" belongs to the 10th
    assert summary["first_collected"] == 7
    assert summary["platforms"] == {
        "weibo": {"new_works": 3, "total_works": 3, "first_collected": 3},
        "douyin": {"new_works": 1, "total_works": 1, "first_collected": 1},  # d1, deleted
        "kuaishou": {"new_works": 0, "total_works": 0, "first_collected": 0},
        "zhihu": {"new_works": 0, "total_works": 0, "first_collected": 0},
        "bilibili": {"new_works": 3, "total_works": 4, "first_collected": 3},
        "xiaohongshu": {"new_works": 0, "total_works": 0, "first_collected": 0},
    }
    top = summary["top_works"]
    # deleted works are counted, never listed: d1 (10000 likes) is not in the top list
    assert [(w["platform_post_id"], w["interactions"]) for w in top] == [
        ("w2", 300),
        ("w3", 150),
        ("w1", 115),
        ("b1", 101),
        ("b2", 10),
    ]
    assert top[0]["comments"] is None and top[0]["shares"] is None  # unknown stays unknown
    assert top[0]["account_name"] == "科普博主"
    assert top[0]["published_at"] == "2024-09-09T11:00:00+08:00"
    assert top[1]["published_at"] == "2024-09-09T23:59:00+08:00"
    lines = (folder / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(POSTS)
    assert {json.loads(x)["platform_post_id"] for x in lines} == {p.platform_post_id for p in POSTS}

    (digest,) = alerts.sent
    assert digest.kind == "digest"
    assert digest.title == "日报 2024-09-09"
    assert "- 新发布活动作品：**7** 件；累计 8 件" in digest.lines
    assert digest.lines[
        digest.lines.index("**当日作品前 5 名**（互动量（原始）：点赞+评论+转发+收藏）") + 1
    ].startswith("1. 微博 [作品 w2](https://example.invalid/weibo/w2)（科普博主） 赞 300")
    (row,) = job_rows(engine, "report")
    assert row.status == "ok"
    assert row.scheduled_for == bj("2024-09-10 08:00")
    assert row.detail["day"] == "2024-09-09"
    assert row.detail["files"] == ["posts.jsonl", "summary.json"]


def test_daily_report_uses_the_report_service_when_it_exists(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def build_daily_report(engine, config, out_dir, day):  # noqa: ANN001, ANN202 - the contract
        calls.append((engine, config.campaigns[0].name, out_dir, day))
        (out_dir / "report.html").write_text("<html></html>", encoding="utf-8")

    module = types.ModuleType("dashboards.report_build")
    module.build_daily_report = build_daily_report  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dashboards.report_build", module)
    alerts = RecordingAlerts()
    runner = runner_for(engine, tmp_path, FakeClock(bj("2024-09-10 08:01")), alerts)
    assert runner.run_job(runner.plan.job("report"), bj("2024-09-10 08:00")).status == "ok"
    folder = tmp_path / "reports" / "2024-09-09"
    assert calls == [(engine, CAMPAIGN, folder, bj("2024-09-09 00:00").date())]
    assert sorted(p.name for p in folder.iterdir()) == [
        "posts.jsonl",
        "report.html",
        "summary.json",
    ]
    assert job_rows(engine, "report")[0].detail["files"] == [
        "posts.jsonl",
        "report.html",
        "summary.json",
    ]


def _assert_same_frames(got: RankingFrames, want: RankingFrames) -> None:
    for f in fields(RankingFrames):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, obj=f.name)
        else:
            assert a == b, f.name


def campaign_ids_of(engine: Engine) -> int:
    with engine.connect() as conn:
        return campaign_ids(conn)[CAMPAIGN]


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    real = rank_service.read_ranking_tables

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - passes everything through
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rank_service, "read_ranking_tables", counted)
    return reads


def test_one_read_of_stored_tables_gives_the_frames_of_separate_reads(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = campaign_ids_of(engine)
    cut = utc(2024, 9, 9, 12, 0)
    with engine.connect() as conn:
        want_cut = load_frames(conn, cid, as_of=cut)
        want_all = load_frames(conn, cid)
    reads = _counting_reads(monkeypatch)
    with one_read_of_stored_tables(), engine.connect() as conn:
        got_cut = load_frames(conn, cid, as_of=cut)
        _assert_same_frames(got_cut, want_cut)
        # A caller changing its frames changes nobody else's (assembling the frames pops
        # columns from the tables it is handed, too).
        for frames in (got_cut, load_frames(conn, cid)):
            frames.works["rank"] = -1
            del frames.works["platform_post_id"]
        got_all = load_frames(conn, cid)
    assert len(reads) == 1
    assert len(want_cut.works) < len(want_all.works)  # the cut really cuts
    _assert_same_frames(got_all, want_all)
    with engine.connect() as conn:
        load_frames(conn, cid)
    assert len(reads) == 2  # outside the block every call reads


def test_the_report_job_reads_the_stored_tables_once(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary and the report builder (which ranks from ``load_frames``) share one read,
    and the builder sees the frames a read of its own would give."""
    seen: list[RankingFrames] = []

    def build_daily_report(engine, config, out_dir, day):  # noqa: ANN001, ANN202 - the contract
        with engine.connect() as conn:
            seen.append(load_frames(conn, campaign_ids_of(engine)))

    module = types.ModuleType("dashboards.report_build")
    module.build_daily_report = build_daily_report  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dashboards.report_build", module)
    reads = _counting_reads(monkeypatch)
    runner = runner_for(engine, tmp_path, FakeClock(bj("2024-09-10 08:01")), RecordingAlerts())
    assert runner.run_job(runner.plan.job("report"), bj("2024-09-10 08:00")).status == "ok"
    assert len(reads) == 1
    with engine.connect() as conn:
        _assert_same_frames(seen[0], load_frames(conn, campaign_ids_of(engine)))


def test_the_report_references_name_the_report_builders() -> None:
    # A stale reference is not an error (the folder silently gets only summary.json), so a move
    # of the report module must fail here instead of in the staff's report folders.
    from dashboards.report_build import build_daily_report, build_weekly_report

    assert find_function(reports.DAILY_REPORT_REF) is build_daily_report
    assert find_function(reports.WEEKLY_REPORT_REF) is build_weekly_report


def test_find_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_function("tracker.services.no_such_module:build") is None
    assert find_function("no_such_top_level_pkg.mod:build") is None
    assert find_function("json:dumps") is json.dumps
    assert find_function("json:no_such_name") is None
    # A module that exists but fails inside is a bug: it must not be mistaken for "not there yet".
    (tmp_path / "broken_report_mod.py").write_text(
        "import no_such_dependency_xyz\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        find_function("broken_report_mod:build")


def test_weekly_summary(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        reports, "WEEKLY_REPORT_REF", "dashboards.no_such_report:build_weekly_report"
    )
    alerts = RecordingAlerts()
    runner = runner_for(engine, tmp_path, FakeClock(bj("2024-09-09 09:04")), alerts)
    assert runner.run_job(runner.plan.job("weekly"), bj("2024-09-09 09:00")).status == "ok"
    summary = json.loads(
        (tmp_path / "reports" / "weekly" / "2024-09-02" / "summary.json").read_text(
            encoding="utf-8"
        )
    )
    assert (summary["start"], summary["end"]) == ("2024-09-02", "2024-09-08")
    assert summary["new_works"] == 1
    assert [d["new_works"] for d in summary["days"]] == [0, 0, 0, 1, 0, 0, 0]
    assert summary["days"][3]["day"] == "2024-09-05"
    assert [w["platform_post_id"] for w in summary["top_works"]] == ["old"]
    (alert,) = alerts.sent
    assert alert.kind == "weekly"
    assert alert.title == "周报 2024-09-02 至 2024-09-08"


def test_collection_needing_a_cookie_alerts_with_the_variable_name(tmp_path: Path) -> None:
    from tracker.sim.api import SimServer

    config = repo_config()
    for platform, pcfg in config.platforms.items():
        pcfg.enabled = platform == "weibo"
    engine = new_database(tmp_path / "tracker.db", config)
    alerts = RecordingAlerts()
    clock = FakeClock(bj("2024-09-10 06:31"))
    with SimServer(
        seed=3,
        scale=5,
        clock=clock(),
        faults="login-wall",
        fault_options={"login_after": 0},
        platforms=["weibo"],
    ) as sim:
        options = CollectOptions(base_urls=sim.base_urls, env={}, sleep=lambda _s: None)
        for _ in range(2):  # the scheduled run, then a catch-up after a restart
            runner = runner_for(
                engine, tmp_path, clock, alerts, config=config, collect_options=options
            )
            (result,) = runner.run_due()[-1:]
            assert result.job_id == "collect:weibo"
            assert result.status == "login_required"
    rows = job_rows(engine, "collect:weibo")
    assert [r.status for r in rows] == ["login_required", "login_required"]
    assert "TRACKER_WEIBO_COOKIE" in (rows[0].error or "")
    assert rows[0].detail["platforms"]["weibo"]["status"] == "login_required"
    blocked = [a for a in alerts.sent if a.kind == "blocked"]
    assert len(blocked) == 2
    assert blocked[0].title == "微博需要更新 Cookie"
    assert any("TRACKER_WEIBO_COOKIE" in line for line in blocked[0].lines)
    failing = [a for a in alerts.sent if a.kind == "failing"]
    assert len(failing) == 1 and failing[0].data["job"] == "collect:weibo"
    engine.dispose()
