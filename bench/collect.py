"""Benchmark: end-to-end collection over the simulator (faults and rate limits off).

The simulator runs in its own process (`tracker sim serve`) so the collector's CPU time is its
own. For each run we report stored works per second, wall time, and the collector's CPU
microseconds per work. The baseline, measured in the same run, is the same connectors paging
through the same simulator with storage switched off ("fetch + parse only"). The difference
between the two is what matching and upserting cost per work.

    python bench/collect.py --scale 2000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from connectors.base import CollectRequest
from tracker.config import load_config
from tracker.normalize.tags import unique_tags
from tracker.services.collect import (
    CollectOptions,
    build_connector,
    build_http,
    collect,
)
from tracker.services.database import init_database
from tracker.store.engine import make_engine

REPO = Path(__file__).resolve().parent.parent
LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process (the simulator), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_sim(scale: int, port: int) -> tuple[subprocess.Popen[str], dict[str, str], datetime]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker",
            "sim",
            "serve",
            "--seed",
            "1",
            "--scale",
            str(scale),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    urls: dict[str, str] = {}
    assert proc.stdout is not None
    while len(urls) < 9:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("simulator exited")
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("http"):
            urls[parts[0]] = parts[1]
    root = urls["weibo"].rsplit("/", 1)[0]
    now = datetime.fromisoformat(httpx.get(f"{root}/_sim/clock").json()["now"])
    return proc, urls, now


def options(urls: dict[str, str], now: datetime) -> CollectOptions:
    return CollectOptions(
        base_urls=urls,
        signer="dev",
        clock=lambda: now,
        http_overrides={"rate_per_s": None},
    )


def fetch_only(config, urls, now, workers: int) -> tuple[int, float, float]:  # type: ignore[no-untyped-def]
    """The connectors alone, platforms side by side as ``collect`` runs them (``workers``)."""
    opts = options(urls, now)
    tags = unique_tags([s for c in config.campaigns for s in c.all_spellings])

    def one(p: str) -> int:
        pcfg = config.platforms[p]
        http = build_http(p, pcfg, opts, os.environ)
        conn = build_connector(p, http, pcfg, lambda: now)
        req = CollectRequest(tags=tags, extra={"zhihu_roundtables": ["qianwanip"]})
        try:
            return sum(len(page.parsed.posts) for page in conn.collect(req))
        finally:
            http.close()

    t0, c0 = time.perf_counter(), cpu_s()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        works = sum(pool.map(one, LIVE))
    return works, time.perf_counter() - t0, cpu_s() - c0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument(
        "--workers", type=int, default=len(LIVE), help="platforms at once (1: one by one)"
    )
    args = parser.parse_args()
    config = load_config(REPO / "config" / "campaign.toml")
    proc, urls, now = start_sim(args.scale, args.port)
    try:
        s0 = process_cpu_s(proc.pid)
        base_works, base_wall, base_cpu = fetch_only(config, urls, now, args.workers)
        base_sim = process_cpu_s(proc.pid) - s0
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            init_database(url, config, [])
            engine = make_engine(url)
            t0, c0, s0 = time.perf_counter(), cpu_s(), process_cpu_s(proc.pid)
            results = collect(engine, config, replace(options(urls, now), workers=args.workers))
            wall, cpu = time.perf_counter() - t0, cpu_s() - c0
            sim_cpu = process_cpu_s(proc.pid) - s0
            engine.dispose()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    stored = sum(r.counts.new + r.counts.updated for r in results)
    read = sum(r.counts.items_read for r in results)
    print(
        json.dumps(
            {
                "bench": "collect",
                "scale_per_platform": args.scale,
                "workers": args.workers,
                "statuses": {r.platform: r.status for r in results},
                "works_read": read,
                "works_stored": stored,
                "wall_s": round(wall, 2),
                "works_per_s": round(read / wall),
                "cpu_us_per_work": round(cpu / read * 1e6),
                "simulator_cpu_us_per_work": round(sim_cpu / read * 1e6),
                "baseline_fetch_parse_only": {
                    "works": base_works,
                    "wall_s": round(base_wall, 2),
                    "works_per_s": round(base_works / base_wall),
                    "cpu_us_per_work": round(base_cpu / base_works * 1e6),
                    "simulator_cpu_us_per_work": round(base_sim / base_works * 1e6),
                },
                "ratio_wall_collect_over_fetch": round(wall / base_wall, 2),
                "store_and_match_cpu_us_per_work": round(
                    (cpu / read - base_cpu / base_works) * 1e6
                ),
                "per_platform": {
                    r.platform: {"read": r.counts.items_read, "pages": r.counts.pages}
                    for r in results
                },
                "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}",
                "date": datetime.now(UTC).date().isoformat(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
