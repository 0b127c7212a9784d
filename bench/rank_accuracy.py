"""Ranking accuracy against the simulator's hidden truth, on the full and the sparse world.

Usage::

    python bench/rank_accuracy.py [--seeds 7 8 9 10] [--scale 600] [--cache DIR]

For each seed and world profile (``full``: the simulator's default; ``sparse``: many accounts
with 1-3 works, see ``tracker.sim.sparse``) the world is collected once a day at 20:00 Beijing
time through 3 October and once at the end, through the real connectors over HTTP (cached in
``--cache``). The sparse world's frames are then masked as real sources leave them
(``tracker.sim.sparse``: no followers on Bilibili/Kuaishou/Xiaohongshu listings unless the
profile was read, likes-only captures with one reading, Xiaohongshu times derived from ids,
profile-read accounts' non-campaign works as history). Each world is ranked with several method
variants in the same run; the table is Spearman(quality score, hidden quality) per platform,
the oracle ceiling (true followers and the simulator's own elasticity, likes only, organic
works) and the risk flags' precision and recall. Prints JSON lines, then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.config import load_config, load_units  # noqa: E402
from tracker.ranking import RankingSettings, rank_campaign  # noqa: E402
from tracker.ranking.evaluate import flag_precision_recall, spearman, spearman_by_platform  # noqa: E402
from tracker.ranking.frames import RankingFrames  # noqa: E402
from tracker.services.collect import CollectOptions, collect  # noqa: E402
from tracker.services.database import init_database  # noqa: E402
from tracker.services.rank import load_frames  # noqa: E402
from tracker.sim import sparse  # noqa: E402
from tracker.sim.api import SimServer  # noqa: E402
from tracker.sim.engagement import MODELS  # noqa: E402
from tracker.sim.truth import iter_world_truth  # noqa: E402
from tracker.sim.units import write_units_csv  # noqa: E402
from tracker.sim.world import DEFAULT_NOW, World  # noqa: E402
from tracker.store.engine import make_engine  # noqa: E402
from tracker.store.registry import campaign_ids  # noqa: E402

LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")
OTHERS = ("views", "comments", "shares", "favorites")
VARIANTS: dict[str, dict[str, Any]] = {
    "before": {"estimate_reach": False, "overperformance": {"baseline": "earlier"}},
    "after": {},  # the shipped defaults: reach estimated, earlier-only baseline
    "after_others": {"overperformance": {"baseline": "others"}},
    "no_views": {"reach_from_views": False},  # the defaults before reach from views
}


def clocks() -> list[datetime]:
    first = datetime(2024, 9, 1, 12, tzinfo=UTC)  # 20:00 Beijing time
    return [*(first + timedelta(days=d) for d in range(33)), DEFAULT_NOW.astimezone(UTC)]


def build_db(directory: Path, world: World) -> Path:
    """Collect ``world`` into ``directory`` (once; reused when the database is there)."""
    db = directory / "tracker.db"
    if (directory / "done").exists():
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    config_dir = directory / "config"
    shutil.copytree(ROOT / "config", config_dir)
    config = load_config(config_dir / "campaign.toml")
    with SimServer(world=world, faults="none") as sim:
        write_units_csv(sim.world, config_dir / "units.csv")
        url = f"sqlite:///{db}"
        init_database(url, config, load_units(config_dir / "units.csv"))
        engine = make_engine(url)
        try:
            for instant in clocks():
                sim.set_clock(instant)
                options = CollectOptions(
                    base_urls=sim.base_urls, signer="dev", clock=lambda: sim.now,
                    sleep=lambda _s: None,
                    http_overrides={"timeout_s": 5.0, "max_attempts": 8,
                                    "backoff_initial_s": 0, "rate_per_s": None},
                )  # fmt: skip
                results = collect(engine, config, options)
                assert all(r.status == "ok" for r in results), results
        finally:
            engine.dispose()
    (directory / "done").write_text("ok")
    return directory


def load(directory: Path) -> RankingFrames:
    engine = make_engine(f"sqlite:///{directory / 'tracker.db'}")
    try:
        with engine.connect() as conn:
            cid = next(iter(campaign_ids(conn).values()))
            return load_frames(conn, cid)
    finally:
        engine.dispose()


def mask_sparse(frames: RankingFrames, world: World) -> tuple[RankingFrames, dict[str, float]]:
    """The frames as real sources leave them (``tracker.sim.sparse``), and what was masked."""
    seed = world.seed
    w = frames.works.copy()
    snaps = frames.snapshots.copy()
    plat = w["platform"].astype("str").to_numpy()
    pid = w["platform_post_id"].astype("str").to_numpy()
    uid = w["account_uid"].astype("str").to_numpy()
    capture = np.array([sparse.is_capture(seed, p, i) for p, i in zip(plat, pid, strict=True)])
    # an account's followers are known when its profile was read, or when one of its works
    # came from a listing that carries them
    listed = pd.Series(~capture & ~np.isin(plat, list(sparse.listing_without_followers())))
    listed_acc = listed.groupby([plat, uid]).any()
    fol_known = np.array(
        [
            sparse.profile_read(seed, p, u) or bool(listed_acc[(p, u)])
            for p, u in zip(plat, uid, strict=True)
        ]
    )
    w["followers"] = w["followers"].astype("Int64").where(fol_known, pd.NA)
    source = np.array(
        [sparse.time_source(seed, p, i) for p, i in zip(plat, pid, strict=True)], dtype=object
    )
    w["published_at"] = w["published_at"].where(source != None, pd.NaT)  # noqa: E711
    w["published_at_source"] = source
    for m in OTHERS:
        w[m] = w[m].astype("Int64").where(~capture, pd.NA)
    # snapshots: followers where known; a capture keeps one reading (about day 2-10), likes only
    key = pd.MultiIndex.from_arrays([plat, pid])
    skey = pd.MultiIndex.from_arrays(
        [snaps["platform"].astype("str").to_numpy(), snaps["platform_post_id"].astype("str")]
    )
    pos = key.get_indexer(skey)
    s_fol = np.where(pos >= 0, fol_known[np.maximum(pos, 0)], True)
    snaps["followers_at_capture"] = snaps["followers_at_capture"].astype("Int64").where(s_fol)
    s_cap = (pos >= 0) & capture[np.maximum(pos, 0)]
    for m in OTHERS:
        snaps[m] = snaps[m].astype("Int64").where(~s_cap, pd.NA)
    pub = pd.to_datetime(frames.works["published_at"], utc=True).to_numpy()[np.maximum(pos, 0)]
    age = (pd.to_datetime(snaps["captured_at"], utc=True).to_numpy() - pub) / np.timedelta64(1, "D")
    want = np.array([2 + 8 * sparse._u(seed, "cap-age", i) for i in pid])[np.maximum(pos, 0)]
    snaps["_gap"] = np.where(s_cap, np.abs(age - want), 0.0)
    snaps["_row"] = np.arange(len(snaps))
    best = snaps[s_cap].sort_values("_gap").groupby(pos[s_cap]).head(1)["_row"]
    keep = ~s_cap | np.isin(np.arange(len(snaps)), best.to_numpy())
    snaps = snaps[keep].drop(columns=["_gap", "_row"]).reset_index(drop=True)
    if "post_row" in snaps.columns:
        snaps = snaps.drop(columns="post_row")
    accounts = frames.accounts.copy() if frames.accounts is not None else None
    if accounts is not None:
        known_acc = {(p, u) for p, u, k in zip(plat, uid, fol_known, strict=True) if k}
        ok = [
            (p, u) in known_acc
            for p, u in zip(accounts["platform"].astype("str"), accounts["platform_uid"].astype("str"), strict=True)
        ]  # fmt: skip
        accounts["followers"] = accounts["followers"].astype("Int64").where(ok, pd.NA)
    # history: profile-read accounts' other (non-campaign) works, read once at the end
    rows = []
    t_end = int(DEFAULT_NOW.timestamp())
    campaign = set(zip(plat, pid, strict=True))
    for t in iter_world_truth(world, DEFAULT_NOW, platforms=LIVE):
        p, acc = t["platform"], t["account"]
        if t["matches_campaign"] or (p, t["post_id"]) in campaign:
            continue
        if t["deleted"] or not sparse.profile_read(seed, p, acc):
            continue
        if t.get("roundtable"):
            continue
        m = t["metrics"]
        rows.append({"platform": p, "platform_post_id": t["post_id"], "account_uid": acc,
                     "content_type": t.get("content_type"), "published_at": t["published_at"],
                     **{k: m[k] for k in ("views", "likes", "comments", "shares", "favorites")},
                     "last_collected_at": pd.Timestamp(t_end, unit="s", tz="UTC")})  # fmt: skip
    history = pd.DataFrame(rows)
    for m in ("views", "likes", "comments", "shares", "favorites"):
        if m in history.columns:
            history[m] = history[m].astype("Int64")
    masked = RankingFrames(
        works=w, history=history, snapshots=snaps, accounts=accounts,
        account_units=frames.account_units, units=frames.units, reviews=frames.reviews,
        links=frames.links, campaign=frames.campaign,
    )  # fmt: skip
    share = {
        "campaign_works": len(w),
        "followers_known": float(fol_known.mean()),
        "captures": float(capture.mean()),
        "time_from_id": float((source == "id").mean()),
        "time_unknown": float(pd.isna(source).mean()),
        "history_posts": len(history),
    }
    return masked, share


def oracle(truth: pd.DataFrame) -> dict[str, float]:
    organic = truth[truth["anomaly"].isna()].copy()
    organic["o"] = [
        math.log1p(m["likes"] or 0) - MODELS[p].alpha * math.log(f + 50)
        for p, m, f in zip(organic["platform"], organic["metrics"], organic["followers"], strict=True)
    ]  # fmt: skip
    return {p: spearman(g["o"], g["quality"]) for p, g in organic.groupby("platform")}


def works_per_account(truth: pd.DataFrame) -> dict[str, float]:
    n = truth.groupby(["platform", "account"]).size()
    return {"accounts": len(n), "share_1_3": float((n <= 3).mean()), "median": float(n.median())}


def measure(seed: int, scale: int, profile: str, cache: Path) -> list[dict[str, Any]]:
    world = World(seed=seed, scale=scale, profile=profile)
    directory = build_db(cache / f"{profile}-{seed}-{scale}", world)
    frames = load(directory)
    extra: dict[str, Any] = {}
    if profile == "sparse":
        frames, extra = mask_sparse(frames, World(seed=seed, scale=scale, profile=profile))
    truth_all = pd.DataFrame(
        [
            {k: t[k] for k in ("platform", "post_id", "account", "quality", "anomaly",
                               "followers", "metrics", "matches_campaign")}
            for t in iter_world_truth(world, DEFAULT_NOW, platforms=LIVE)
        ]
    )  # fmt: skip
    truth = truth_all[truth_all["matches_campaign"]].reset_index(drop=True)
    out = []
    for name, overrides in VARIANTS.items():
        settings = RankingSettings.from_mapping(overrides)
        works = rank_campaign(frames, settings).works
        table = spearman_by_platform(works, truth)
        flags = flag_precision_recall(works, truth, settings.risk.flag_threshold)
        out.append(
            {
                "seed": seed, "scale": scale, "world": profile, "variant": name,
                "spearman": dict(zip(table["platform"], table["spearman"].round(3), strict=True)),
                "works": dict(zip(table["platform"], table["works"], strict=True)),
                "precision": round(flags["precision"], 3), "recall": round(flags["recall"], 3),
                "flagged": flags["flagged"], "positives": flags["positives"],
                **extra, **works_per_account(truth),
            }
        )  # fmt: skip
    out.append(
        {"seed": seed, "scale": scale, "world": profile, "variant": "oracle",
         "spearman": {k: round(v, 3) for k, v in oracle(truth).items()}}
    )  # fmt: skip
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    plats = sorted(LIVE)
    head = "| world | seed | variant | " + " | ".join(plats) + " | mean | all | P / R |"
    lines = [head, "|" + "---|" * (len(plats) + 6)]
    for r in rows:
        sp = r["spearman"]
        mean = float(np.mean([sp[p] for p in plats]))
        pr = f"{r['precision']:.2f} / {r['recall']:.2f}" if "precision" in r else ""
        cells = " | ".join(f"{sp[p]:.2f}" for p in plats)
        allv = f"{sp['全部']:.2f}" if "全部" in sp else ""
        lines.append(
            f"| {r['world']} | {r['seed']} | {r['variant']} | {cells} | {mean:.3f} | {allv} | {pr} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10])
    ap.add_argument("--scale", type=int, default=600)
    ap.add_argument("--profiles", nargs="+", default=["full", "sparse"])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/kepu-rank-accuracy"))
    args = ap.parse_args()
    rows = []
    for profile in args.profiles:
        for seed in args.seeds:
            for r in measure(seed, args.scale, profile, args.cache):
                print(json.dumps(r, ensure_ascii=False), flush=True)
                rows.append(r)
    print(markdown(rows))


if __name__ == "__main__":
    main()
