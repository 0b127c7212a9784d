"""Ranking benchmark: 1,000,000 works / 100,000 accounts, in memory and from SQLite.

Usage::

    python bench/rank.py [--works N] [--accounts N] [--snapshots K] [--db PATH] [--no-sqlite]
                         [--pg URL]

Each measured phase runs in a fresh child process so its peak RSS is its own: ``synthetic``
builds the input frames in pandas and ranks them; ``sqlite`` loads them from a SQLite file built
with the store's schema (created once at ``--db``, default a temporary directory, and reused when
it already holds the same sizes) and ranks them; ``postgresql`` (with ``--pg URL`` or
``TRACKER_TEST_PG_URL``) copies that file into a scratch schema with ``tracker db migrate-to``'s
copy and does the same there. The database phases divide their load + rank by one raw scan of
the same works on the same database in the same child (``bench/baseline.py``):
``ratio_over_scan``, target <= 4 and < 1.5 GiB. The ``*_kept`` phases rank the way the
report does (``rank_and_count``) in two fresh processes through an empty kept-rankings folder:
``first`` ranks and writes the entry, ``kept`` is the next command on the unchanged store. The
``*_warm`` phases run the scheduler's ``keep_rankings`` job, then time the day's first commands
(the lists', the every-work and the report's ranking) in a fresh process, then a reviewer's
decision on 20 works and the same commands again (``after_a_decision``). Every phase also
times a bare pandas groupby+rank over the works frame (``ratio``: the whole method against one
vectorised step). Prints one JSON line with wall and CPU seconds (the 1-minute load average
beside them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.baseline import engine_scan, median_scan, sqlite_scan  # noqa: E402
from bench.pg import schema_engine, scratch_copy  # noqa: E402
from connectors import catalogue  # noqa: E402

PLATFORMS = list(catalogue.live_platforms())
EXPOSED = {
    "weibo": ("likes", "comments", "shares"),
    "douyin": ("likes", "comments", "shares", "favorites"),
    "bilibili": ("views", "likes", "comments", "shares", "favorites"),
    "kuaishou": ("views", "likes", "comments"),
    "xiaohongshu": ("likes", "comments", "shares", "favorites"),
    "zhihu": ("likes", "comments", "favorites"),
}
RATES = {"views": 30.0, "likes": 1.0, "comments": 0.1, "shares": 0.05, "favorites": 0.2}
METRICS = ("views", "likes", "comments", "shares", "favorites")
T0 = pd.Timestamp("2024-09-01", tz="UTC")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(works: int, accounts: int, snapshots: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Synthetic inputs in the shapes ``load`` returns (vectorised; ids as strings)."""
    rng = np.random.default_rng(seed)
    plat_of_acc = rng.integers(0, len(PLATFORMS), accounts)
    followers = np.round(10 ** rng.uniform(1, 7, accounts)).astype(np.int64)
    # heavy-tailed works per account summing to exactly `works`
    weights = rng.pareto(1.5, accounts) + 1
    counts = np.floor(weights / weights.sum() * works).astype(np.int64)
    counts[: works - counts.sum()] += 1
    owner = np.repeat(np.arange(accounts), counts)
    acc_uid = pd.Series(np.arange(accounts)).astype("str").radd("u").to_numpy(dtype=object)
    plat = np.array(PLATFORMS, dtype=object)[plat_of_acc[owner]]
    pub = T0 + pd.to_timedelta(rng.integers(0, 30 * 86_400, works), unit="s")
    lam = 0.03 * followers[owner] ** 0.8 * np.exp(rng.normal(0, 1, works))
    frame = pd.DataFrame(
        {
            "platform": pd.Categorical(plat, categories=PLATFORMS),
            "platform_post_id": pd.Series(np.arange(works))
            .astype("str")
            .radd("p")
            .to_numpy(dtype=object),
            "account_uid": acc_uid[owner],
            "content_type": pd.Categorical(rng.choice(["video", "image", "text"], works)),
            "published_at": pub,
        }
    )
    exposed = {m: np.isin(plat, [p for p in PLATFORMS if m in EXPOSED[p]]) for m in METRICS}
    final = {}
    for m in METRICS:
        v = np.floor(lam * RATES[m] * rng.lognormal(0, 0.4, works))
        final[m] = np.where(exposed[m], v, np.nan)
        frame[m] = pd.array(np.where(exposed[m], v, np.nan), dtype="Float64").astype("Int64")
    frame["last_collected_at"] = pub + pd.Timedelta(days=9)
    frame["fingerprint"] = (
        pd.Series(rng.integers(0, 2**62, works)).astype("str").to_numpy(dtype=object)
    )
    frame["account_name"] = acc_uid[owner]
    frame["followers"] = pd.array(followers[owner], dtype="Int64")

    ages = np.array([1.0, 8.0, 3.0, 5.0, 12.0])[:snapshots]
    rows = np.repeat(np.arange(works), len(ages))
    age = np.tile(ages, works)
    snap = pd.DataFrame(
        {
            "platform": frame["platform"].to_numpy()[rows],
            "platform_post_id": frame["platform_post_id"].to_numpy()[rows],
            "captured_at": pub[rows] + pd.to_timedelta(age, unit="D"),
        }
    )
    growth = 1 - np.exp(-age)
    for m in METRICS:
        snap[m] = pd.array(np.floor(final[m][rows] * growth), dtype="Float64").astype("Int64")
    snap["followers_at_capture"] = pd.array(followers[owner][rows], dtype="Int64")
    snap["platform"] = pd.Categorical(snap["platform"], categories=PLATFORMS)

    n_units = 300
    registered = rng.random(accounts) < 0.8
    au = pd.DataFrame(
        {
            "platform": np.array(PLATFORMS, dtype=object)[plat_of_acc[registered]],
            "platform_uid": acc_uid[registered],
            "unit_id": rng.integers(1, n_units + 1, registered.sum()),
        }
    )
    units = pd.DataFrame(
        {
            "unit_id": np.arange(1, n_units + 1),
            "unit_name": [f"单位{i}" for i in range(1, n_units + 1)],
            "unit_kind": "society",
            "city": "广州市",
        }
    )
    au = au.merge(units, on="unit_id")
    au["person"] = None
    accounts_df = pd.DataFrame(
        {
            "platform": np.array(PLATFORMS, dtype=object)[plat_of_acc],
            "platform_uid": acc_uid,
            "name": acc_uid,
            "followers": followers,
        }
    )
    return {
        "works": frame,
        "snapshots": snap,
        "account_units": au,
        "units": units,
        "accounts": accounts_df,
    }


def bare_groupby_rank(works: pd.DataFrame) -> float:
    t = time.perf_counter()
    works["likes"].astype("float64").groupby(works["platform"], observed=True).rank(pct=True)
    return time.perf_counter() - t


def child_synthetic(args: argparse.Namespace) -> dict:
    from tracker.ranking import RankingFrames, rank_campaign

    t = time.perf_counter()
    data = build(args.works, args.accounts, args.snapshots)
    build_s = time.perf_counter() - t
    frames = RankingFrames(
        works=data["works"],
        snapshots=data["snapshots"],
        account_units=data["account_units"],
        units=data["units"],
    )
    t, c = time.perf_counter(), time.process_time()
    result = rank_campaign(frames)
    rank_s, rank_cpu = time.perf_counter() - t, time.process_time() - c
    bare = bare_groupby_rank(data["works"])
    return {
        "source": "synthetic",
        "works": len(result.works),
        "creators": len(result.creators),
        "snapshots": len(data["snapshots"]),
        "build_s": round(build_s, 2),
        "rank_s": round(rank_s, 2),
        "total_s": round(rank_s, 2),
        "cpu_s": round(rank_cpu, 2),
        "peak_rss_mib": round(peak_rss_mib()),
        "bare_groupby_rank_s": round(bare, 4),
        "ratio": round(rank_s / bare, 1),
    }


def make_sqlite(path: Path, args: argparse.Namespace) -> float:
    """Build the SQLite store once (Core executemany in chunks); returns seconds spent."""
    from sqlalchemy import create_engine, insert
    from sqlmodel import SQLModel

    from tracker.store.models import (
        Account,
        AccountUnit,
        Campaign,
        MetricSnapshot,
        Post,
        PostCampaign,
        Unit,
    )

    t = time.perf_counter()
    data = build(args.works, args.accounts, args.snapshots)
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)

    def records(df: pd.DataFrame, times: tuple[str, ...]) -> list[dict]:
        out = df.astype(object).where(df.notna(), None)
        for c in times:
            out[c] = [v.to_pydatetime().astimezone(UTC) for v in df[c]]
        return out.to_dict("records")

    def put(table, df: pd.DataFrame, times: tuple[str, ...] = (), chunk: int = 100_000) -> None:
        with engine.begin() as conn:
            for lo in range(0, len(df), chunk):
                conn.execute(insert(table), records(df.iloc[lo : lo + chunk], times))

    with engine.begin() as conn:
        conn.execute(
            insert(Campaign.__table__), [{"id": 1, "name": "bench", "tags": [], "rules": {}}]
        )
    w = data["works"]
    put(
        Post.__table__,
        w[["platform", "platform_post_id", "account_uid", "content_type", "published_at", *METRICS,
           "last_collected_at", "fingerprint"]].assign(
            platform=w["platform"].astype("str"), content_type=w["content_type"].astype("str"),
            hashtags=[[]] * len(w), sources=[[]] * len(w), context=[{}] * len(w), source="live",
            deleted=False,
        ),
        ("published_at", "last_collected_at"),
    )  # fmt: skip
    put(
        PostCampaign.__table__,
        pd.DataFrame({"platform": w["platform"].astype("str"), "platform_post_id": w["platform_post_id"],
                      "campaign_id": 1, "matched_by": "tag", "excluded": False}),
    )  # fmt: skip
    s = data["snapshots"]
    put(
        MetricSnapshot.__table__,
        s.assign(platform=s["platform"].astype("str"), source="live"),
        ("captured_at",),
    )
    put(Account.__table__, data["accounts"])
    put(
        Unit.__table__,
        data["units"].rename(columns={"unit_id": "id", "unit_name": "name", "unit_kind": "kind"}),
    )
    put(
        AccountUnit.__table__,
        data["account_units"][["platform", "platform_uid", "unit_id"]].assign(source="registry"),
    )
    engine.dispose()
    return time.perf_counter() - t


def stamp_head(path: Path) -> None:
    """Mark the file's schema as the migrations' head (it is: made from the models), so
    ``tracker db migrate-to``'s copy takes it; the connection goes to alembic explicitly, else
    alembic would open the project's default database instead."""
    from alembic import command
    from sqlalchemy import create_engine

    from tracker.store.migrate import alembic_config, current_revision, head_revision

    engine = create_engine(f"sqlite:///{path}")
    try:
        if current_revision(engine) != head_revision():
            cfg = alembic_config()
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.stamp(cfg, "head")
    finally:
        engine.dispose()


PG_SCHEMA = "bench_rank"


def engine_and_scan(args: argparse.Namespace, source: str) -> tuple[Any, float]:
    """An engine on the benchmark's ``source`` database, and one raw scan of it (median)."""
    if source == "sqlite":
        from sqlalchemy import create_engine

        return create_engine(f"sqlite:///{args.db}"), median_scan(sqlite_scan, args.db)
    engine = schema_engine(args.pg, PG_SCHEMA)
    return engine, median_scan(engine_scan, engine)


def child_ranked(args: argparse.Namespace, source: str) -> dict:
    return rank_from(*engine_and_scan(args, source), source)


def rank_from(engine, scan: float, source: str) -> dict:  # type: ignore[no-untyped-def]
    """Load and rank from ``engine``, divided by one raw ``scan`` of the same works."""
    from tracker.ranking import rank_campaign
    from tracker.services.rank import load_frames

    t, c = time.perf_counter(), time.process_time()
    with engine.connect() as conn:
        frames = load_frames(conn, 1)
    load_s, load_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    result = rank_campaign(frames)
    rank_s, rank_cpu = time.perf_counter() - t, time.process_time() - c
    bare = bare_groupby_rank(frames.works)
    engine.dispose()
    return {
        "source": source,
        "works": len(result.works),
        "creators": len(result.creators),
        "snapshots": len(frames.snapshots),
        "load_s": round(load_s, 2),
        "rank_s": round(rank_s, 2),
        "total_s": round(load_s + rank_s, 2),
        "cpu_s": round(load_cpu + rank_cpu, 2),
        "peak_rss_mib": round(peak_rss_mib()),
        "baseline_one_scan_s": round(scan, 3),
        "ratio_over_scan": round((load_s + rank_s) / scan, 1),
        "bare_groupby_rank_s": round(bare, 4),
        "ratio": round((load_s + rank_s) / bare, 1),
    }


def child_kept(args: argparse.Namespace, source: str) -> dict:
    """The report's ranking (``rank_and_count``) through the kept-rankings cache: the first
    child of a run ranks and writes the entry, the second reads it back."""
    from dashboards.leaderboards import rank_and_count
    from tracker.ranking import RankingSettings

    engine, scan = engine_and_scan(args, source)
    t, c = time.perf_counter(), time.process_time()
    with engine.connect() as conn:
        _, result, _ = rank_and_count(conn, 1, RankingSettings())
    total, cpu = time.perf_counter() - t, time.process_time() - c
    engine.dispose()
    return {
        "works": len(result.works),
        "total_s": round(total, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mib": round(peak_rss_mib()),
        "baseline_one_scan_s": round(scan, 3),
        "ratio_over_scan": round(total / scan, 1),
    }


def bench_config() -> Any:
    """The repository's config with the benchmark's campaign (named ``bench`` in its store)."""
    from tracker.config import load_config

    config = load_config(ROOT / "config" / "campaign.toml")
    campaign = config.campaigns[0].model_copy(update={"name": "bench"})
    return config.model_copy(update={"campaigns": [campaign]})


def child_warm(args: argparse.Namespace, source: str) -> dict:
    """The scheduler's ``keep_rankings`` job on the benchmark's store, run as the scheduler
    runs it (``tracker.schedule.runner``): its run row opened before the rankings and closed
    after them, as every scheduled job's is."""
    from tracker.schedule.alerts import AlertSender
    from tracker.schedule.runner import Runner

    engine, scan = engine_and_scan(args, source)
    runner = Runner(
        engine, bench_config(), alerts=AlertSender({}), reports_dir=tempfile.gettempdir()
    )
    t, c = time.perf_counter(), time.process_time()
    run = runner.run_job(runner.plan.job("keep_rankings"), datetime.now(UTC))
    total, cpu = time.perf_counter() - t, time.process_time() - c
    engine.dispose()
    assert run.counts is not None, run
    (warmed,) = run.counts.detail["campaigns"].values()
    return {
        "status": run.status,
        "works": warmed["works"],
        "kept_scopes": len(warmed["kept"]),
        "total_s": round(total, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mib": round(peak_rss_mib()),
        "baseline_one_scan_s": round(scan, 3),
    }


def child_after_warm(args: argparse.Namespace, source: str) -> dict:
    """The first commands after the job, in a fresh process (:func:`first_commands`)."""
    engine, scan = engine_and_scan(args, source)
    out = first_commands(engine, bench_config(), scan)
    engine.dispose()
    return out


def child_decided(args: argparse.Namespace, source: str) -> dict:
    """A reviewer's decision on 20 works after the job, then the same first commands in a fresh
    process: served from the kept rankings brought to the decision (``with_reviews``), where
    each ranked every work again before. The decisions are removed afterwards, so the store
    stays as built for the next run."""
    from tracker.services.review import decide

    engine, scan = engine_and_scan(args, source)
    with engine.connect() as conn:
        ids = [
            f"{platform}:{post_id}"
            for platform, post_id in conn.exec_driver_sql(
                "SELECT platform, platform_post_id FROM post_campaign WHERE campaign_id = 1"
                " ORDER BY platform_post_id LIMIT 20"
            )
        ]
    t = time.perf_counter()
    decide(engine, ids, "approved", reviewer="bench")
    out: dict[str, Any] = {"decision_s": round(time.perf_counter() - t, 2)}
    out |= first_commands(engine, bench_config(), scan)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM review_event")
        conn.exec_driver_sql("DELETE FROM review")
    engine.dispose()
    return out


def first_commands(engine: Any, config: Any, scan: float) -> dict:
    """The lists' ranking, the every-work ranking (dashboard, review lists) and the report's,
    each timed and divided by one raw scan."""
    from tracker.services.rank import rank_for_handoff

    out: dict[str, Any] = {"baseline_one_scan_s": round(scan, 3)}
    for name, read in (
        ("lists", lambda: rank_for_handoff(engine, config, include_unreviewed=False)),
        ("every_work", lambda: rank_for_handoff(engine, config, include_unreviewed=True)),
        ("report", lambda: _report_ranking(engine, config)),
    ):
        t = time.perf_counter()
        read()
        took = time.perf_counter() - t
        out[f"{name}_s"] = round(took, 2)
        out[f"{name}_ratio_over_scan"] = round(took / scan, 1)
    out["peak_rss_mib"] = round(peak_rss_mib())
    return out


def _report_ranking(engine: Any, config: Any) -> None:
    from dashboards.leaderboards import rank_and_count
    from tracker.ranking import RankingSettings

    with engine.connect() as conn:
        rank_and_count(conn, 1, RankingSettings.from_mapping(config.ranking))


def run_warm(kind: str, args: argparse.Namespace) -> dict:
    """The ``keep_rankings`` job, then the day's first commands, in fresh processes through an
    empty cache folder."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"TRACKER_CACHE_DIR": folder, "TRACKER_RANKING_CACHE": "1"}
        job = run_child(f"{kind}_warm", args, env)
        after = run_child(f"{kind}_after_warm", args, env)
        decided = run_child(f"{kind}_decided", args, env)
        job["cache_mb"] = round(sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20)
    return {"job": job, "first_commands": after, "after_a_decision": decided}


def run_kept(kind: str, args: argparse.Namespace) -> dict:
    """Rank twice in fresh processes through an empty cache folder: ``first`` ranks and keeps
    the ranking, ``kept`` (the next command on the unchanged store) reads it."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"TRACKER_CACHE_DIR": folder, "TRACKER_RANKING_CACHE": "1"}
        first = run_child(kind, args, env)
        kept = run_child(kind, args, env)
    return {"first": first, "kept": kept}


def run_child(kind: str, args: argparse.Namespace, env: dict[str, str] | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--works", str(args.works),
           "--accounts", str(args.accounts), "--snapshots", str(args.snapshots), "--db", str(args.db),
           *(["--pg", args.pg] if args.pg else [])]  # fmt: skip
    out = subprocess.run(
        cmd, check=True, capture_output=True, text=True, env=os.environ | (env or {})
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--works", type=int, default=1_000_000)
    p.add_argument("--accounts", type=int, default=100_000)
    p.add_argument("--snapshots", type=int, default=2, help="snapshots per work (1-5)")
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--no-synthetic", action="store_true")
    p.add_argument("--pg", default=os.environ.get("TRACKER_TEST_PG_URL"), help="PostgreSQL URL")
    p.add_argument(
        "--child",
        choices=[
            "synthetic",
            *[
                f"{source}{phase}"
                for source in ("sqlite", "postgresql")
                for phase in ("", "_kept", "_warm", "_after_warm", "_decided")
            ],
        ],
        help=argparse.SUPPRESS,
    )
    args = p.parse_args()
    if args.child == "synthetic":
        print(json.dumps(child_synthetic(args)))
        return
    if args.child in ("sqlite", "postgresql"):
        print(json.dumps(child_ranked(args, args.child)))
        return
    if args.child in ("sqlite_kept", "postgresql_kept"):
        print(json.dumps(child_kept(args, args.child.removesuffix("_kept"))))
        return
    if args.child in ("sqlite_after_warm", "postgresql_after_warm"):
        print(json.dumps(child_after_warm(args, args.child.removesuffix("_after_warm"))))
        return
    if args.child in ("sqlite_decided", "postgresql_decided"):
        print(json.dumps(child_decided(args, args.child.removesuffix("_decided"))))
        return
    if args.child in ("sqlite_warm", "postgresql_warm"):
        print(json.dumps(child_warm(args, args.child.removesuffix("_warm"))))
        return

    report: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if not args.no_synthetic:
        report["synthetic"] = run_child("synthetic", args)
    if not args.no_sqlite:
        tmp = None
        if args.db is None:
            tmp = tempfile.TemporaryDirectory()
            args.db = Path(tmp.name) / "bench.db"
        marker = args.db.with_suffix(".sizes")
        sizes = f"{args.works} {args.accounts} {args.snapshots}"
        if not args.db.exists() or not marker.exists() or marker.read_text() != sizes:
            args.db.unlink(missing_ok=True)
            report["sqlite_build_s"] = round(make_sqlite(args.db, args), 1)
            marker.write_text(sizes)
        stamp_head(args.db)
        report["sqlite"] = run_child("sqlite", args)
        report["sqlite_kept"] = run_kept("sqlite_kept", args)
        report["sqlite_warm"] = run_warm("sqlite", args)
        if args.pg:
            with scratch_copy(args.db, args.pg, PG_SCHEMA) as copy_s:
                report["postgresql_copy_s"] = round(copy_s, 1)
                report["postgresql"] = run_child("postgresql", args)
                report["postgresql_kept"] = run_kept("postgresql_kept", args)
                report["postgresql_warm"] = run_warm("postgresql", args)
        if tmp is not None:
            tmp.cleanup()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
