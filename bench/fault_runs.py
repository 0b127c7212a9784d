"""Benchmark: collection runs until every platform completes, under the simulator's faults.

A run that meets a block it cannot get past stops that platform; the scheduler's next run
resumes from the stored cursor. What an unfriendly platform costs is therefore runs (and the
requests each rerun repeats), not CPU. For each seed this collects the same world under
``flaky`` (the baseline, measured in the same run) and under ``hostile`` (blocks disguised as
success on about one attempt in seventeen, and more of every other fault), counting runs per
platform until all six completed, and the requests they sent. ``--block-retries 0`` gives the
behaviour before blocks were paused over (each block stopped its platform).

Nothing really waits: the simulator's virtual clock, and a sleep that returns at once.

    python bench/fault_runs.py --seeds 1 2 3 --scale 100
"""

from __future__ import annotations

import argparse
import json
import logging
import platform as host
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tracker.config import load_config
from tracker.services.collect import CollectOptions, collect
from tracker.services.database import init_database
from tracker.sim.api import SimServer
from tracker.store.engine import make_engine

REPO = Path(__file__).resolve().parent.parent
LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")


def runs_to_complete(
    profile: str, seed: int, scale: int, *, block_retries: int | None, max_runs: int
) -> dict[str, object]:
    """Runs per platform (None: not complete after ``max_runs``) and requests sent in all."""
    config = load_config(REPO / "config" / "campaign.toml")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        init_database(url, config, [])
        engine = make_engine(url)
        runs: dict[str, int | None] = {}
        stops: Counter[str] = Counter()
        requests = 0
        with SimServer(
            seed=seed, scale=scale, faults=profile, fault_options={"slow_s": 0.3}
        ) as sim:
            pending = list(LIVE)
            overrides: dict[str, object] = {"timeout_s": 0.2, "max_attempts": 8}
            overrides["backoff_initial_s"] = 0
            if block_retries is not None:
                overrides["block_retries"] = block_retries
            for n in range(1, max_runs + 1):
                options = CollectOptions(
                    base_urls=sim.base_urls,
                    signer="dev",
                    clock=lambda: sim.now,
                    sleep=lambda _s: None,
                    http_overrides=overrides,
                    platforms=pending,
                )
                for result in collect(engine, config, options):
                    http = result.counts.http
                    requests += int(getattr(http, "requests", 0) or 0)
                    if result.status == "ok":
                        runs[result.platform] = n
                    else:
                        stops[result.status] += 1
                pending = [p for p in pending if p not in runs]
                if not pending:
                    break
            runs.update(dict.fromkeys(pending))
            blocks = sum(kinds.get("block", 0) for kinds in sim.fault_counts().values())
        engine.dispose()
    complete = [r for r in runs.values() if r is not None]
    return {
        "runs": max(complete) if len(complete) == len(LIVE) else None,
        "by_platform": runs,
        "stops": dict(stops),
        "requests": requests,
        "blocks_served": blocks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--max-runs", type=int, default=60)
    parser.add_argument(
        "--block-retries", type=int, default=None, help="override the shipped block_retries"
    )
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # every retry and pause logs a line: thousands here
    started = time.perf_counter()
    rows = []
    for seed in args.seeds:
        row: dict[str, object] = {"seed": seed, "scale": args.scale}
        for profile in ("flaky", "hostile"):
            row[profile] = runs_to_complete(
                profile, seed, args.scale, block_retries=args.block_retries, max_runs=args.max_runs
            )
        flaky, hostile = row["flaky"]["runs"], row["hostile"]["runs"]  # type: ignore[index]
        row["ratio"] = hostile / flaky if flaky and hostile else None
        rows.append(row)
        print(
            f"seed {seed}: flaky {flaky} run(s), hostile {hostile} run(s); hostile by platform "
            f"{row['hostile']['by_platform']}",  # type: ignore[index]
            file=sys.stderr,
        )
    ratios = [r["ratio"] for r in rows]
    summary = {
        "bench": "fault_runs",
        "machine": f"{host.machine()}, {host.python_implementation()} {host.python_version()}",
        "scale": args.scale,
        "block_retries": args.block_retries,
        "ratio": None if None in ratios else max(ratios),  # type: ignore[type-var]
        "seeds": rows,
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
