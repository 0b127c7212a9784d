"""Benchmark: pages per second the simulator serves on loopback at a million posts per platform.

Starts ``SimServer(scale=N)`` in-process (reports the start time: the world is built lazily, so
this is the time to bind a socket), then requests search pages at random depths of the campaign
tag's result set (20 items per page, rendered by the neutral example double so the figure is the
core's: world generation, routing, JSON) and 科普中国 article pages, with httpx on one thread and
on four threads (one keep-alive client each). Prints one JSON line.

    python bench/sim_serve.py --scale 1000000 --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import threading
import time

import httpx

from tracker.sim.api import SimServer
from tracker.sim.platforms._example import ExampleSim

CAMPAIGN = "#千万IP创科普#"
PAGE = 20


def _search_urls(sim: SimServer, n: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    total = sim.world.search("weibo", CAMPAIGN, offset=0, limit=1, now=sim.now)[1]
    pages = max(1, total // PAGE)
    rng = random.Random(seed)
    base = f"{sim.base_urls['example']}/search"
    return [
        (base, {"q": CAMPAIGN, "page": str(rng.randint(1, pages)), "limit": str(PAGE)})
        for _ in range(n)
    ]


def _article_urls(sim: SimServer, n: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    total = sim.world.search("kepuchina", CAMPAIGN, offset=0, limit=1, now=sim.now)[1]
    rng = random.Random(seed)
    urls = []
    for _ in range(n):
        post = sim.world.search(
            "kepuchina", CAMPAIGN, offset=rng.randrange(total), limit=1, now=sim.now
        )[0][0]
        urls.append((sim.base_urls["kepuchina"] + post.extra["path"], {}))
    return urls


def _run(urls: list[tuple[str, dict[str, str]]], threads: int, seconds: float) -> dict[str, float]:
    """Requests per second over ``seconds`` with ``threads`` workers cycling through ``urls``."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    errors = [0] * threads

    def worker(k: int) -> None:
        with httpx.Client(timeout=10.0) as client:
            i = k
            while time.perf_counter() < stop:
                url, params = urls[i % len(urls)]
                resp = client.get(url, params=params)
                if resp.status_code != 200:
                    errors[k] += 1
                counts[k] += 1
                i += threads

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "pages_per_s": round(sum(counts) / elapsed, 1),
        "pages": sum(counts),
        "errors": sum(errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    sim = SimServer(
        seed=args.seed,
        scale=args.scale,
        platforms=["kepuchina"],
        extra_sims={"example": ExampleSim("weibo")},
    ).start()
    start_s = time.perf_counter() - t0
    try:
        search = _search_urls(sim, 2000, args.seed)
        articles = _article_urls(sim, 500, args.seed)

        def measure(urls: list[tuple[str, dict[str, str]]], threads: int) -> dict[str, float]:
            return _run(urls, threads, args.seconds)

        result = {
            "bench": "sim_serve",
            "scale": args.scale,
            "start_s": round(start_s, 3),
            "items_per_search_page": PAGE,
            "search_1_thread": measure(search, 1),
            "search_4_threads": measure(search, 4),
            "article_1_thread": measure(articles, 1),
            "article_4_threads": measure(articles, 4),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }
    finally:
        sim.stop()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
