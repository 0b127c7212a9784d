"""``tracker plan``: a day's requests per platform and job, from seeded rows, recomputed by hand.

The rules are the ones docs/scheduling.md states (请求预算与 tracker plan); each expected figure
below is written out from the rows this file seeds, not from the code under test.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from tracker.config import load_config
from tracker.store.engine import make_engine
from tracker.store.models import Account, Campaign, Post, PostCampaign, Run

from ..helpers.cli import run_in_process
from ..helpers.config import CONFIG
from ..helpers.database import init_sqlite

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 9, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BUDGET_HOURS = 0.2
"""Small enough that Xiaohongshu's default day (433 requests at 0.3/s, 0.40 h) is over it and
every other platform's (at most 0.13 h, Kuaishou) is within it."""


def _config(directory: Path) -> Path:
    body = CONFIG.read_text(encoding="utf-8").replace(
        "[schedule]\n", f"[schedule]\nmax_hours_per_platform = {BUDGET_HOURS}\n"
    )
    path = directory / "campaign.toml"
    path.write_text(body, encoding="utf-8")
    load_config(path)
    return path


def _post(pid: str, *, collected_days_ago: float, published_days_ago: float | None, text: str):
    return {
        "platform": "weibo",
        "platform_post_id": pid,
        "account_uid": f"u{pid}",
        "text": text,
        "published_at": None if published_days_ago is None else NOW - timedelta(published_days_ago),
        "first_collected_at": NOW - timedelta(collected_days_ago),
        "last_collected_at": NOW,
        "source": "live",
        "deleted": False,
    }


def _seed(url: str) -> None:
    """Weibo rows; every other platform stays empty (its plan comes from the defaults).

    - 14 works first collected in the last 7 days (2 a day), 7 of them longer than 140
      characters, all published within the refresh window and linked by the tag;
    - 2 works added by hand and 1 undated tag work, first collected 9 days ago: refresh
      candidates no listing returns; 1 excluded work and 1 work published 20 days ago: none;
    - 7 accounts first seen this week; one collect run of this week that sent 122 requests,
      22 of them retries (0.22 retries per first attempt), and one run older than a week.
    """
    engine = make_engine(url)
    short, long = "短" * 20, "长" * 141
    posts = [
        _post(f"n{i}", collected_days_ago=i / 2 + 0.1, published_days_ago=i / 2 + 0.2,
              text=long if i % 2 else short)
        for i in range(14)
    ]  # fmt: skip
    posts += [
        _post("m1", collected_days_ago=9, published_days_ago=9, text=short),
        _post("m2", collected_days_ago=9, published_days_ago=9, text=short),
        _post("u1", collected_days_ago=9, published_days_ago=None, text=short),
        _post("x1", collected_days_ago=9, published_days_ago=9, text=short),
        _post("o1", collected_days_ago=20, published_days_ago=20, text=short),
    ]
    matched = {"m1": "manual", "m2": "submission"}
    with engine.begin() as conn:
        campaign_id = conn.execute(select(Campaign.__table__.c.id)).scalars().first()
        conn.execute(insert(Post.__table__), posts)
        conn.execute(
            insert(PostCampaign.__table__),
            [
                {
                    "platform": "weibo",
                    "platform_post_id": p["platform_post_id"],
                    "campaign_id": campaign_id,
                    "matched_by": matched.get(p["platform_post_id"], "tag"),
                    "excluded": p["platform_post_id"] == "x1",
                }
                for p in posts
            ],
        )
        conn.execute(
            insert(Account.__table__),
            [
                {"platform": "weibo", "platform_uid": f"a{i}", "first_seen_at": NOW - timedelta(i)}
                for i in range(7)
            ]
            + [{"platform": "weibo", "platform_uid": "old", "first_seen_at": NOW - timedelta(30)}],
        )
        by_purpose = {"listing": 100, "detail": 22, "profile": 0, "retry": 22}
        conn.execute(
            insert(Run.__table__),
            [
                {
                    "platform": "weibo",
                    "kind": "collect",
                    "started_at": NOW - timedelta(days=1),
                    "status": "ok",
                    "cursor": {},
                    "detail": {"requests": by_purpose},
                },
                {
                    "platform": "weibo",
                    "kind": "collect",
                    "started_at": NOW - timedelta(days=10),
                    "status": "ok",
                    "cursor": {},
                    "detail": {"http": {"requests": 50, "retries": 40}},
                },
            ],
        )
    engine.dispose()


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Path, str]:
    config = _config(tmp_path)
    url = init_sqlite(tmp_path / "tracker.db", load_config(config))
    _seed(url)
    return config, url


def _plan(
    config: Path, url: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> dict[str, Any]:
    args = ["--db", url, "--config", str(config), "plan", "--format", "json"]
    code, out, err = run_in_process([*args, "--now", NOW.isoformat(), *extra], capsys)
    assert code == 0, err
    return json.loads(out)


def _platform(body: dict[str, Any], platform: str) -> dict[str, Any]:
    return next(p for p in body["platforms"] if p["platform"] == platform)


def test_weibo_figures_equal_the_hand_computation_from_the_seeded_rows(
    seeded: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    weibo = _platform(_plan(*seeded, capsys), "weibo")
    collect, refresh, comments = weibo["jobs"]
    retry_rate = 22 / (122 - 22)  # the old run (10 days ago) is left out
    # collection: 2 new works a day; its `since` (2 days before the last run) covers 3 days,
    # 6 works. m.weibo.cn pages of 10, one search word read in two containers: realtime,
    # newest first, ceil(6/10)+1 = 2 pages; topic, in no order, read to its end: the 19
    # stored works and the day's 2, ceil(21/10) = 3 pages.
    realtime, topic = math.ceil(6 / 10) + 1, math.ceil((19 + 2) / 10)
    expected_collect = {
        "listing": realtime + topic,
        "detail": math.ceil(2 * 7 / 14),  # long texts of the day's new works: 7 of 14
        "profile": 0,  # Weibo listings carry follower counts
    }
    expected_collect["retry"] = math.ceil(sum(expected_collect.values()) * retry_rate)
    assert {k: collect[k] for k in expected_collect} == expected_collect
    assert expected_collect == {"listing": 5, "detail": 1, "profile": 0, "retry": 2}
    # refresh (after the day's collection): 14 dated tag works in the 14-day window and the
    # day's 2 new ones (pages of 10, plus the page past the window); details for the 4 no
    # listing returns: 2 added by hand, 1 undated, and the old one (outside the window, but
    # among the top 200 by interactions, as every work here).
    expected_refresh = {"listing": math.ceil(16 / 10) + 1, "detail": 4, "profile": 0}
    expected_refresh["retry"] = math.ceil(sum(expected_refresh.values()) * retry_rate)
    assert {k: refresh[k] for k in expected_refresh} == expected_refresh
    # comments: the campaign works not excluded (14 tag works, 2 by hand, the undated one and
    # the old one: 18) are the day's top works (50 a day at most); no comment count is stored,
    # so each is planned at one request.
    expected_comments = {"comments": 18, "retry": math.ceil(18 * retry_rate)}
    assert {k: comments[k] for k in expected_comments} == expected_comments
    assert weibo["inputs"]["comment_works"] == 18
    total = (
        sum(expected_collect.values())
        + sum(expected_refresh.values())
        + sum(expected_comments.values())
    )
    assert weibo["total"] == total == 31 + 8
    assert weibo["hours"] == pytest.approx(total / 0.5 / 3600, abs=1e-4)
    assert weibo["fits"] is True
    assert weibo["inputs"]["from_defaults"] is False


def test_a_platform_over_the_day_budget_is_named_with_what_to_thin(
    seeded: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    body = _plan(*seeded, capsys)
    assert body["budget_hours"] == BUDGET_HOURS
    assert body["over_budget"] == ["xiaohongshu"]
    xhs = _platform(body, "xiaohongshu")
    assert xhs["fits"] is False and "小红书" in xhs["advice"]
    config, url = seeded
    code, out, err = run_in_process(
        ["--db", url, "--config", str(config), "plan", "--now", NOW.isoformat()], capsys
    )
    assert code == 0, err
    assert "是否在预算内" in out and "用时（小时）" in out
    assert "小红书超出每日 0.2 小时预算" in out


def test_an_empty_database_gives_a_plan_from_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    url = init_sqlite(tmp_path / "tracker.db", load_config(config))
    body = _plan(config, url, capsys)
    assert [p["platform"] for p in body["platforms"]] == load_config(config).enabled_platforms()
    weibo = _platform(body, "weibo")
    assert weibo["inputs"]["from_defaults"] is True
    # 50 works a day by default, 150 in the collection's 3 days: realtime ceil(150/10)+1 = 16
    # pages, the topic read to its end (the day's 50: 5 pages); a quarter of the day's 50
    # read as long texts; 10 % retries.
    collect, refresh, comments = weibo["jobs"]
    assert (collect["listing"], collect["detail"], collect["retry"]) == (21, 13, 4)
    # the refresh after it re-reads the listing for the day's 50: ceil(50/10)+1 pages.
    assert (refresh["listing"], refresh["detail"]) == (6, 0)
    assert comments["total"] == 0  # no work stored, no hub work named: nothing to read


def test_advice_for_a_refresh_heavy_platform_names_daily_requests() -> None:
    from tracker.services.plan import JobPlan, RequestPlan, advice_for

    collect = JobPlan("collect", RequestPlan(listing=10, detail=0, profile=0, retry=1), None)
    refresh = JobPlan("refresh", RequestPlan(listing=0, detail=20000, retry=2000), None)
    text = advice_for(
        "bilibili", collect, refresh, rate_per_s=1.0, budget_hours=6, retry=0.1, window_days=14
    )
    # 6 h at 1/s is 21600 requests, 19636 before 10 % retries; collection takes 10 of them.
    assert "daily_requests = 19626" in text and "refresh_younger_than_days = 7" in text


def test_plan_is_listed_in_the_help_and_documented(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(["--help"], capsys)
    assert code == 0 and "plan" in out
    scheduling = (REPO / "docs" / "scheduling.md").read_text(encoding="utf-8")
    assert "## 请求预算与 tracker plan" in scheduling
    assert "max_hours_per_platform" in (REPO / "docs" / "config.md").read_text(encoding="utf-8")


def test_schedule_dry_run_prints_the_plan_without_touching_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    db = tmp_path / "none" / "tracker.db"
    code, out, err = run_in_process(
        ["--db", f"sqlite:///{db}", "--config", str(config), "schedule", "--dry-run"], capsys
    )
    assert code == 0, err
    assert all(len(line.split("\t")) == 4 for line in out.splitlines())  # job lines only
    assert "每日请求预算" in err and "小红书超出每日" in err
    assert not db.parent.exists()
