"""Benchmark: end-to-end collection over the simulator (faults and rate limits off).

The simulator runs in its own process (`tracker sim serve`) so the collector's CPU time is its
own. For each run we report stored works per second, wall time, and the collector's CPU
microseconds per work. The baseline, measured in the same run, is the same connectors paging
through the same simulator with storage switched off ("fetch + parse only"). The difference
between the two is what matching and upserting cost per work.

The fetch-only pass also times every ``httpx.Client.send`` on its own thread's CPU clock, so
the collector's CPU splits into the HTTP library and the project's own code (client layer,
parsing, connectors). A last pass replays one real page request from that run through a bare
``httpx.Client`` and through the standard library's ``http.client`` (the same-run baseline):
the floor any collector built on httpx pays per request on this machine. With the requests
per work of the run, that floor says how many works per second two cores could reach at best.

    python bench/collect.py --scale 2000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

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


class SendTimer:
    """Wraps ``httpx.Client.send`` for one pass: thread CPU spent inside it, and the first
    request under ``sample_base`` (method, URL, headers) to replay for the floor."""

    def __init__(self, sample_base: str) -> None:
        self.cpu_s: list[float] = []
        self.sample: tuple[str, str, dict[str, str]] | None = None
        self._sample_base = sample_base
        self._lock = threading.Lock()
        self._original = httpx.Client.send

    def __enter__(self) -> SendTimer:
        original, timer = self._original, self

        def send(client: httpx.Client, request: httpx.Request, **kwargs):  # type: ignore[no-untyped-def]
            started = time.thread_time()
            response = original(client, request, **kwargs)
            timer.cpu_s.append(time.thread_time() - started)
            if timer.sample is None and str(request.url).startswith(timer._sample_base):
                with timer._lock:
                    timer.sample = (request.method, str(request.url), dict(request.headers))
            return response

        httpx.Client.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        httpx.Client.send = self._original  # type: ignore[method-assign]


def http_floor(sample: tuple[str, str, dict[str, str]], sim_pid: int, n: int) -> dict[str, object]:
    """CPU per request of a bare ``httpx.Client`` and of ``http.client`` replaying ``sample``.

    Bodies are read, not decoded: this is the HTTP cost alone, as in the timed ``send``."""
    method, url, headers = sample
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    with httpx.Client(trust_env=False) as client:
        size = len(client.request(method, url, headers=headers).content)
        c0, s0 = cpu_s(), process_cpu_s(sim_pid)
        for _ in range(n):
            client.request(method, url, headers=headers).read()
        httpx_us = (cpu_s() - c0) / n * 1e6
        sim_us = (process_cpu_s(sim_pid) - s0) / n * 1e6
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    try:
        c0 = cpu_s()
        for _ in range(n):
            conn.request(method, target, headers=headers)
            conn.getresponse().read()
        stdlib_us = (cpu_s() - c0) / n * 1e6
    finally:
        conn.close()
    return {
        "path": parts.path,
        "response_bytes": size,
        "httpx_cpu_us_per_request": round(httpx_us),
        "stdlib_cpu_us_per_request": round(stdlib_us),
        "ratio_httpx_over_stdlib": round(httpx_us / stdlib_us, 2),
        "simulator_cpu_us_per_request": round(sim_us),
    }


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
    parser.add_argument(
        "--floor-requests", type=int, default=1000, help="replays of one page for the HTTP floor"
    )
    args = parser.parse_args()
    config = load_config(REPO / "config" / "campaign.toml")
    proc, urls, now = start_sim(args.scale, args.port)
    try:
        s0 = process_cpu_s(proc.pid)
        with SendTimer(urls["weibo"]) as timer:
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
        assert timer.sample is not None, "no Weibo request was seen"
        floor = http_floor(timer.sample, proc.pid, args.floor_requests)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    stored = sum(r.counts.new + r.counts.updated for r in results)
    read = sum(r.counts.items_read for r in results)
    requests = len(timer.cpu_s)
    httpx_us_per_work = sum(timer.cpu_s) / base_works * 1e6
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
                    "requests": requests,
                    "requests_per_work": round(requests / base_works, 3),
                    "httpx_cpu_us_per_request": round(sum(timer.cpu_s) / requests * 1e6),
                    "httpx_cpu_us_per_work": round(httpx_us_per_work),
                    "own_code_cpu_us_per_work": round(
                        base_cpu / base_works * 1e6 - httpx_us_per_work
                    ),
                },
                "http_floor": floor,
                "two_core_ceiling_works_per_s": {
                    "httpx_only": round(2e6 / httpx_us_per_work),
                    "httpx_and_simulator": round(2e6 / (httpx_us_per_work + sim_cpu / read * 1e6)),
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
