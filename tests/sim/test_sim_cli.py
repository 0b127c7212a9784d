"""``tracker sim`` commands: truth, units and serve (in-process and as a real process)."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tracker.regions import GUANGDONG_PREFECTURES
from tracker.sim.cli import sim_app
from tracker.sim.platform_list import sim_platforms
from tracker.sim.truth import iter_truth
from tracker.sim.units import UNIT_KINDS, UNITS_CSV_COLUMNS
from tracker.sim.world import World

SIM_PLATFORMS = sim_platforms()

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def test_truth_command_writes_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "truth.jsonl"
    result = runner.invoke(
        sim_app,
        [
            "truth",
            "--seed",
            "3",
            "--scale",
            "60",
            "-o",
            str(out),
            "--at",
            "2024-09-25T12:00:00+08:00",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert result.output.strip() == f"{len(records)} posts -> {out}"
    expected = list(iter_truth(3, 60, "2024-09-25T12:00:00+08:00"))
    assert records == expected
    assert {r["platform"] for r in records} == set(SIM_PLATFORMS)
    first = records[0]
    assert set(first) >= {
        "platform", "post_id", "account", "unit", "tags", "matches_campaign", "deleted",
        "metrics", "anomaly", "quality", "published_at",
    }  # fmt: skip
    assert set(first["metrics"]) == {"views", "likes", "comments", "shares", "favorites"}
    assert all(r["published_at"] <= "2024-09-25T04:00:00+00:00" for r in records)
    assert "千万" in out.read_text(encoding="utf-8")  # Chinese written as is, not \u escapes
    assert any(r["anomaly"] == "bought_likes" for r in records)


def test_truth_command_rejects_a_bad_time(tmp_path: Path) -> None:
    result = runner.invoke(sim_app, ["truth", "-o", str(tmp_path / "t.jsonl"), "--at", "yesterday"])
    assert result.exit_code != 0
    assert "--at" in result.output


def test_units_command_writes_the_registry(tmp_path: Path) -> None:
    out = tmp_path / "units.csv"
    result = runner.invoke(sim_app, ["units", "--seed", "3", "--scale", "200", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == UNITS_CSV_COLUMNS
        rows = list(reader)
    assert result.output.strip() == f"{len(rows)} rows -> {out}"
    assert {r["kind"] for r in rows} == set(UNIT_KINDS)
    cities = {r["unit"] for r in rows if r["kind"] == "city_association"}
    assert cities == {f"{name}科学技术协会" for _code, name in GUANGDONG_PREFECTURES}
    assert len(cities) == 21
    assert {r["city"] for r in rows} <= {name for _code, name in GUANGDONG_PREFECTURES}
    world = World(seed=3, scale=200)
    linked = [r for r in rows if r["platform"]]
    assert len(linked) > 100
    for row in linked:
        account = world.account(row["platform"], row["account_id"])
        assert account is not None and account.unit == row["unit"], row
        if row["platform"] == "weibo":
            assert row["url"] == f"https://weibo.com/u/{row['account_id']}"
    assert {r["platform"] for r in linked} == set(SIM_PLATFORMS)
    gz = [r for r in rows if r["unit"] == "广州市科学技术协会"]
    assert gz and all(r["city"] == "广州市" for r in gz)


def test_serve_prints_one_line_per_platform_and_writes_units(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    result = runner.invoke(
        sim_app,
        [
            "serve",
            "--seed",
            "2",
            "--scale",
            "50",
            "--faults",
            "flaky",
            "--run-for",
            "0.2",
            "--units-out",
            str(units),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    mounts = dict(line.split(" ", 1) for line in lines)
    assert {"kepuchina", "qqnews", "xuexi"} <= set(mounts)
    assert list(mounts) == [p for p in SIM_PLATFORMS if p in mounts]  # display order
    port = None
    for platform, url in mounts.items():
        m = re.fullmatch(rf"http://127\.0\.0\.1:(\d+)/{platform}", url)
        assert m, url
        port = port or m.group(1)
        assert m.group(1) == port
    assert units.read_text(encoding="utf-8").startswith("unit,kind,city,platform,account_id,url")


def test_serve_rejects_unknown_fault_profile() -> None:
    result = runner.invoke(sim_app, ["serve", "--faults", "chaos", "--run-for", "0"])
    assert result.exit_code != 0


def test_serve_as_a_process_until_sigterm() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker.sim.cli",
            "serve",
            "--scale",
            "50",
            "--clock",
            "2024-09-20T00:00:00",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        platform, url = first.split(" ")
        assert platform in SIM_PLATFORMS
        root = url.rsplit("/", 1)[0]
        health = httpx.get(f"{root}/_sim/health", timeout=5).json()
        assert health["ok"] and health["scale"] == 50
        assert (
            httpx.get(f"{root}/_sim/clock", timeout=5).json()["now"] == "2024-09-19T16:00:00+00:00"
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_the_sparse_world_through_the_commands(tmp_path: Path) -> None:
    """``--world sparse`` gives the sparse world's truth and serves it: most accounts with
    one to three campaign works, where the full world has a few prolific ones."""
    from collections import Counter

    out = {w: tmp_path / f"{w}.jsonl" for w in ("full", "sparse")}
    for world, path in out.items():
        args = ["truth", "--seed", "7", "--scale", "80", "-o", str(path), "--world", world]
        result = runner.invoke(sim_app, args)
        assert result.exit_code == 0, result.output
    records = {
        w: [json.loads(line) for line in p.read_text("utf-8").splitlines()] for w, p in out.items()
    }
    assert records["sparse"] == list(iter_truth(7, 80, profile="sparse"))
    assert records["sparse"] != records["full"]

    def few_work_share(rows: list[dict]) -> float:
        per_account = Counter((r["platform"], r["account"]) for r in rows if r["matches_campaign"])
        return sum(n <= 3 for n in per_account.values()) / len(per_account)

    assert few_work_share(records["sparse"]) > few_work_share(records["full"])
    assert few_work_share(records["sparse"]) > 0.9

    served = runner.invoke(
        sim_app, ["serve", "--world", "sparse", "--seed", "7", "--scale", "80", "--run-for", "0"]
    )
    assert served.exit_code == 0, served.output
    assert len(served.output.strip().splitlines()) == len(SIM_PLATFORMS)
    bad = runner.invoke(sim_app, ["units", "-o", str(tmp_path / "u.csv"), "--world", "thin"])
    assert bad.exit_code != 0 and "--world" in bad.output
    assert not (tmp_path / "u.csv").exists()
