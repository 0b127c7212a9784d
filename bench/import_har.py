"""Benchmark: importing a large HAR capture stays within a fixed memory budget.

Writes a ~200 MB HAR (streamed to disk, never held in memory) in a temp folder: Douyin search
responses built from the real captured body in ``tests/fixtures/real/douyin`` (every
entry with fresh aweme ids, so each one adds new works), among unrelated traffic (JavaScript
bundles, base64 images, analytics beacons), as a browser session would hold. Then imports it
twice, each in its own process so the peak RSS is the import's own: ``--dry-run`` and for real
into a fresh SQLite file. Prints one JSON line with sizes, times and peak RSS (target < 300 MB).

    python bench/import_har.py --size-mb 200
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = (
    REPO / "tests/fixtures/real/douyin/tikhub_wrapped_app_general_search_v1_keyword_maomi.json"
)
CONFIG = REPO / "config" / "campaign.toml"
TARGET_RSS_MB = 300


def _entry(url: str, text: str, *, started: str, mime: str, encoded: bool = False) -> dict:
    content = {"size": len(text), "mimeType": mime, "text": text}
    if encoded:
        content["encoding"] = "base64"
    return {
        "startedDateTime": started,
        "time": 50.0,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "http/2.0",
            "headers": [{"name": "accept", "value": "*/*"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": [{"name": "content-type", "value": mime}],
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0.1, "wait": 40.0, "receive": 9.9},
    }


def write_har(path: Path, size_mb: int) -> dict[str, int]:
    """Stream a HAR of about ``size_mb`` megabytes to ``path``; returns what it holds."""
    body = json.loads(TEMPLATE.read_text(encoding="utf-8"))["data"]  # Douyin's own body
    template = json.dumps(body, ensure_ascii=False)
    ids = sorted(set(re.findall(r'"aweme_id":\s*"(\d{19})"', template)))
    script = "/*! bundle */" + ("function f(a,b){return a+b}" * 12_000)
    image = base64.b64encode(os.urandom(96_000)).decode("ascii")
    target = size_mb * 1024 * 1024
    counts = {"entries": 0, "douyin_entries": 0, "unrelated_entries": 0, "expected_posts": 0}
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": [\n'
        )
        i = 0
        while fh.tell() < target:
            started = f"2024-09-15T02:{(i // 60) % 60:02d}:{i % 60:02d}.000Z"
            if i % 3 == 0:
                text = template
                for n, old in enumerate(ids):
                    text = text.replace(old, str(7_400_000_000_000_000_000 + i * 100 + n))
                item = _entry(
                    f"https://www.douyin.com/aweme/v1/web/general/search/single/?keyword=k{i}",
                    text,
                    started=started,
                    mime="application/json; charset=utf-8",
                )
                counts["douyin_entries"] += 1
            elif i % 3 == 1:
                item = _entry(
                    f"https://lf-cdn.example.invalid/js/{i}.js",
                    script,
                    started=started,
                    mime="application/javascript",
                )
                counts["unrelated_entries"] += 1
            else:
                item = _entry(
                    f"https://p3-pc.douyinpic.com/img/{i}.jpeg",
                    image,
                    started=started,
                    mime="image/jpeg",
                    encoded=True,
                )
                counts["unrelated_entries"] += 1
            if i:
                fh.write(",\n")
            fh.write(json.dumps(item, ensure_ascii=False))
            i += 1
        fh.write("\n]}}\n")
    counts["entries"] = i
    return counts


def _child(mode: str, har: str, db: str) -> None:
    """Run one import in this process and print its time and peak RSS."""
    from tracker.config import load_config
    from tracker.imports.service import import_paths
    from tracker.store.engine import make_engine

    config = load_config(CONFIG)
    engine = make_engine(f"sqlite:///{db}") if mode == "real" else None
    start = time.perf_counter()
    report = import_paths(engine, [har], config=config, dry_run=mode == "dry")
    seconds = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(rss_kb / 1024, 1),
                "new": report.counts.new,
                "skipped": report.counts.skipped,
                "rejected": report.counts.rejected,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "HAR", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    from tracker.config import load_config
    from tracker.services.database import init_database

    with tempfile.TemporaryDirectory(prefix="kepu-har-bench-") as tmp:
        har = Path(tmp) / "session.har"
        start = time.perf_counter()
        held = write_har(har, args.size_mb)
        made = time.perf_counter() - start
        db = Path(tmp) / "bench.db"
        init_database(f"sqlite:///{db}", load_config(CONFIG), [])
        results = {}
        for mode in ("dry", "real"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(har), str(db)],
                capture_output=True,
                text=True,
                check=True,
                cwd=REPO,
            )
            results["dry_run" if mode == "dry" else "import"] = json.loads(
                done.stdout.strip().splitlines()[-1]
            )
        peak = max(r["peak_rss_mb"] for r in results.values())
        print(
            json.dumps(
                {
                    "bench": "import_har",
                    "har_mb": round(har.stat().st_size / 1024 / 1024, 1),
                    **held,
                    "expected_posts": held["douyin_entries"] * 16,
                    "generate_seconds": round(made, 1),
                    **results,
                    "target_rss_mb": TARGET_RSS_MB,
                    "within_target": peak < TARGET_RSS_MB,
                    "python": platform.python_version(),
                }
            )
        )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
