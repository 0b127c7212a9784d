"""Report and dashboard benchmark at 1,000,000 works.

Usage::

    python bench/report.py [--works N] [--accounts N] [--db PATH] [--out DIR]

Builds (or reuses, when it already holds the same sizes) a SQLite file with the store's schema,
filled through ``Ingestor`` with synthetic works (six platforms, heavy-tailed metrics, 30 days of
publication times, one snapshot each), accounts and registry units in Guangdong's 21 cities (no
``ANALYZE``: the store does not gather planner statistics, so neither does the benchmark). Then:

- ``tracker report``'s service builds the one-file HTML report: wall time and file size
  (targets < 20 s and < 10 MB); then the next report on the unchanged store, from the ranking
  the first one kept (``ranking_cache``; a folder of the run's own): ``report_kept_s``, and
  whether its page is byte-identical to the first;
- the dashboard's overview (总览): the warm-up is the one pre-aggregating query per data version
  (``campaign_facts``, timed); after it, the overview's figures are computed for the unfiltered
  campaign and for a platform, a city and a unit-kind filter, uncached (median of 3), and once
  through the dashboard's cache (target < 1 s after warm-up).

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.baseline import engine_scan, median_scan, sqlite_scan  # noqa: E402
from bench.pg import schema_engine, scratch_copy  # noqa: E402
from connectors import catalogue  # noqa: E402
from dashboards.filters import Selection  # noqa: E402
from dashboards.report_build import build_report  # noqa: E402
from dashboards.source import DashboardData  # noqa: E402
from tracker.config import UnitRow, load_config  # noqa: E402
from tracker.readmodel import facts as aggregate  # noqa: E402
from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord  # noqa: E402
from tracker.services.database import init_database  # noqa: E402
from tracker.store.engine import make_engine  # noqa: E402
from tracker.store.registry import campaign_ids  # noqa: E402
from tracker.store.upsert import Ingestor  # noqa: E402

PLATFORMS = list(catalogue.live_platforms())
CONTENT = {
    "weibo": ("text", "image", "video"),
    "douyin": ("video", "image"),
    "kuaishou": ("video",),
    "zhihu": ("answer", "article"),
    "bilibili": ("video",),
    "xiaohongshu": ("image", "video"),
}
CITIES = (
    "广州市", "韶关市", "深圳市", "珠海市", "汕头市", "佛山市", "江门市", "湛江市", "茂名市",
    "肇庆市", "惠州市", "梅州市", "汕尾市", "河源市", "阳江市", "清远市", "东莞市", "中山市",
    "潮州市", "揭阳市", "云浮市",
)  # fmt: skip
KINDS = ("city_association", "society", "university", "media", "enterprise")
T0 = datetime(2024, 9, 1, tzinfo=UTC)
CAPTURED = datetime(2024, 10, 5, tzinfo=UTC)
MARKER = "bench_report_sizes"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def unit_rows() -> list[UnitRow]:
    rows = []
    for i, city in enumerate(CITIES):
        for kind in KINDS:
            name = f"{city}{['科学技术协会', '科普学会', '大学', '日报', '科技公司'][KINDS.index(kind)]}"
            rows.append(UnitRow(i, name, kind, city, None, None, None, None))
    return rows


def fill(path: Path, works: int, accounts: int, batch: int = 10_000, seed: int = 1) -> float:
    """Write the synthetic campaign; returns seconds spent."""
    config = load_config(ROOT / "config" / "campaign.toml")
    url = f"sqlite:///{path}"
    units = unit_rows()
    init_database(url, config, units)
    engine = make_engine(url)
    rng = np.random.default_rng(seed)
    acc_platform = rng.integers(0, len(PLATFORMS), accounts)
    followers = np.round(10 ** rng.uniform(1, 6.5, accounts)).astype(np.int64)
    weights = rng.pareto(1.3, accounts) + 1
    work_acc = rng.choice(accounts, size=works, p=weights / weights.sum())
    quality = rng.lognormal(0, 1, works)
    published = rng.uniform(0, 30 * 86400, works)
    started = time.perf_counter()
    with engine.begin() as conn:
        cname = config.campaigns[0].name
        cids = campaign_ids(conn)
        unit_ids = dict(
            conn.exec_driver_sql("SELECT name, id FROM unit").fetchall()  # noqa: S608
        )
        registered = rng.random(accounts) < 0.3
        links = [
            (PLATFORMS[acc_platform[a]], f"u{a}", unit_ids[units[a % len(units)].unit])
            for a in np.flatnonzero(registered)
        ]
        Ingestor(conn).ingest(account_units=links)
    for start in range(0, works, batch):
        idx = range(start, min(start + batch, works))
        posts, accs, clinks = [], {}, []
        for i in idx:
            a = int(work_acc[i])
            p = PLATFORMS[acc_platform[a]]
            likes = int(followers[a] * 0.01 * quality[i]) + int(rng.integers(0, 5))
            pid = str(4_900_000_000_000_000_000 + i)
            posts.append(
                PostRecord(
                    p,
                    pid,
                    CAPTURED,
                    account_uid=f"u{a}",
                    url=f"https://example.invalid/{p}/{pid}",
                    title=f"科普作品 {i}：身边的科学",
                    text=f"#千万IP创科普# 作品正文 {i}",
                    content_type=CONTENT[p][i % len(CONTENT[p])],
                    published_at=T0 + timedelta(seconds=float(published[i])),
                    hashtags=["#千万IP创科普#"],
                    metrics=Metrics(
                        views=likes * 30 if p in ("bilibili", "kuaishou") else None,
                        likes=likes,
                        comments=likes // 12,
                        shares=likes // 25 if p != "zhihu" else None,
                        favorites=likes // 6 if p not in ("weibo", "kuaishou") else None,
                    ),
                    followers_at_capture=int(followers[a]),
                )
            )
            accs[(p, a)] = AccountRecord(
                p, f"u{a}", name=f"科普账号{a}", followers=int(followers[a])
            )
            clinks.append(CampaignLink(p, pid, cname, "tag", "#千万IP创科普#"))
        with engine.begin() as conn:
            Ingestor(conn, batch_size=batch).ingest(
                posts=posts,
                accounts=list(accs.values()),
                links=clinks,
                campaign_ids=cids,
                seen_at=CAPTURED,
                count_existing=False,
            )
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (works INTEGER, accounts INTEGER)"
        )
        conn.exec_driver_sql(f"DELETE FROM {MARKER}")
        conn.exec_driver_sql(f"INSERT INTO {MARKER} VALUES ({works}, {accounts})")
    engine.dispose()
    return time.perf_counter() - started


def has_sizes(path: Path, works: int, accounts: int) -> bool:
    if not path.exists():
        return False
    try:
        with sqlite3.connect(path) as db:
            row = db.execute(f"SELECT works, accounts FROM {MARKER}").fetchone()  # noqa: S608
    except sqlite3.Error:
        return False
    return row == (works, accounts)


def overview_from(facts, f) -> float:  # type: ignore[no-untyped-def]
    """The 总览 page's figures computed from the (already loaded) facts, uncached."""
    t = time.perf_counter()
    aggregate.headline(facts, f)
    aggregate.daily_works(facts, f)
    aggregate.by_content_type(facts, f)
    aggregate.by_unit_kind(facts, f)
    return time.perf_counter() - t


def measure(engine, config, scan: float, out: Path) -> dict:  # type: ignore[no-untyped-def]
    """The report and the overview through ``engine``, with their ratios to ``scan``."""
    now = datetime.now(UTC)  # one instant for both reports, so their pages can be compared
    t = time.perf_counter()
    result = build_report(engine, config, out, now=now)
    report_s = time.perf_counter() - t
    rss_after_report = peak_rss_mib()
    # the next report on the unchanged store, from the ranking the first one kept
    t = time.perf_counter()
    kept = build_report(engine, config, out.with_name(f"kept-{out.name}"), now=now)
    kept_s = time.perf_counter() - t

    data = DashboardData(engine, config)
    f = data.filters(None)
    t = time.perf_counter()
    facts = data.facts(f)
    warm_up = time.perf_counter() - t

    def median(g: Selection) -> float:
        return statistics.median(overview_from(facts, g) for _ in range(3))

    plain = median(f)
    weibo = median(f.with_(platforms=("weibo",)))
    city = median(f.with_(cities=("广州市",)))
    kind = median(f.with_(unit_kinds=("university",), date_from=date(2024, 9, 10)))
    t = time.perf_counter()
    data.overview(f)
    first_request = time.perf_counter() - t
    t = time.perf_counter()
    data.overview(f)
    cached = time.perf_counter() - t
    return {
        "baseline_one_scan_s": round(scan, 2),
        "report_s": round(report_s, 2),
        "ratio_report_over_scan": round(report_s / scan, 1),
        "report_mb": round(result.size_bytes / 1_000_000, 2),
        "report_works": result.works,
        "report_phases_s": {k: round(v, 2) for k, v in result.phases.items()},
        "report_kept_s": round(kept_s, 2),
        "ratio_report_kept_over_scan": round(kept_s / scan, 1),
        "report_kept_phases_s": {k: round(v, 2) for k, v in kept.phases.items()},
        "report_kept_identical": kept.path.read_bytes() == result.path.read_bytes(),
        "facts_rows": len(facts.rows),
        "overview_warm_up_s": round(warm_up, 2),
        "ratio_warm_up_over_scan": round(warm_up / scan, 2),
        "overview_s": round(plain, 3),
        "overview_platform_filter_s": round(weibo, 3),
        "overview_city_filter_s": round(city, 3),
        "overview_kind_and_date_filter_s": round(kind, 3),
        "overview_first_request_after_warm_up_s": round(first_request, 3),
        "overview_cached_s": round(cached, 4),
        "ratio_overview_over_scan": round(plain / scan, 3),
        "peak_rss_mib": round(max(rss_after_report, peak_rss_mib()), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "kepu-bench-report.db"
    )
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--pg", default=os.environ.get("TRACKER_TEST_PG_URL"), help="PostgreSQL URL"
    )
    args = parser.parse_args()
    # kept rankings go to a folder of this run's own, so the first report ranks in full
    cache = tempfile.TemporaryDirectory()
    os.environ["TRACKER_CACHE_DIR"] = cache.name
    os.environ["TRACKER_RANKING_CACHE"] = "1"

    fill_s = None
    if not has_sizes(args.db, args.works, args.accounts):
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.db) + suffix).unlink(missing_ok=True)
        fill_s = fill(args.db, args.works, args.accounts)
    config = load_config(ROOT / "config" / "campaign.toml")
    engine = make_engine(f"sqlite:///{args.db}")
    figures = {
        "bench": "report",
        "works": args.works,
        "accounts": args.accounts,
        "fill_s": None if fill_s is None else round(fill_s, 1),
        **measure(
            engine, config, median_scan(sqlite_scan, args.db), args.out / "bench-report.html"
        ),
    }
    engine.dispose()
    if args.pg:
        with scratch_copy(args.db, args.pg, "bench_report") as copy_s:
            pg = schema_engine(args.pg, "bench_report")
            figures["postgresql_copy_s"] = round(copy_s, 1)
            figures["postgresql"] = measure(
                pg, config, median_scan(engine_scan, pg), args.out / "bench-report-pg.html"
            )
            pg.dispose()
    figures.update(
        {
            "db_mib": round(os.path.getsize(args.db) / 2**20, 1),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
    print(json.dumps(figures, ensure_ascii=False))
    cache.cleanup()


if __name__ == "__main__":
    main()
