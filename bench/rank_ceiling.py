"""How much of the hidden quality the simulator's worlds let any score recover.

Usage::

    python bench/rank_ceiling.py [--seeds 7 8 9 10] [--scale 600] [--profiles full sparse]

``bench/rank_accuracy.py`` reports an oracle beside the ranking: likes less the simulator's own
elasticity times log(true followers + 50). That oracle reads one metric; a score could in
principle do better by combining every metric a platform shows, or by pooling an account's
works. This benchmark bounds that from above, per world, seed and platform, over the organic
campaign works (as the oracle):

- ``oracle``: the likes-only oracle of ``bench/rank_accuracy.py``;
- ``linear``: the least-squares fit of the hidden quality on ln(1 + each metric the platform
  shows) and ln(true followers + 50), fitted on the hidden quality itself;
- ``quadratic``: the same with every square and pairwise product of those inputs;
- ``quadratic_account``: also the mean quality-fit residual of the account's *other* works
  (where it has any) and a flag for having none.

Every input is the world's own final, unmasked count (more than the sparse world's masked
sources give the ranking), and every fit is made on the very quality it is scored against
(in-sample, so over-fitted in the bound's favour). No score the tracker can compute knows the
true followers or the quality, so none can be expected above these figures. Prints JSON lines,
then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from itertools import combinations_with_replacement
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.ranking.evaluate import spearman  # noqa: E402
from tracker.sim.engagement import MODELS  # noqa: E402
from tracker.sim.truth import iter_world_truth  # noqa: E402
from tracker.sim.world import DEFAULT_NOW, World  # noqa: E402

LIVE = ("bilibili", "douyin", "kuaishou", "weibo", "xiaohongshu", "zhihu")
METRICS = ("views", "likes", "comments", "shares", "favorites")
BOUNDS = ("oracle", "linear", "quadratic", "quadratic_account")


def organic_works(seed: int, scale: int, profile: str) -> pd.DataFrame:
    """The world's organic campaign works at the default instant, one row each."""
    world = World(seed=seed, scale=scale, profile=profile)
    rows = [
        {
            "platform": t["platform"],
            "account": t["account"],
            "quality": t["quality"],
            "followers": t["followers"],
            **{m: t["metrics"][m] for m in METRICS},
        }
        for t in iter_world_truth(world, DEFAULT_NOW, platforms=LIVE)
        if t["matches_campaign"] and t["anomaly"] is None
    ]
    return pd.DataFrame(rows)


def _fitted(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """In-sample least-squares fit of ``y`` on ``x`` with an intercept."""
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return np.asarray(design @ coef)


def _quadratic(x: np.ndarray) -> np.ndarray:
    pairs = combinations_with_replacement(range(x.shape[1]), 2)
    return np.column_stack([x, *[x[:, i] * x[:, j] for i, j in pairs]])


def _others_mean(values: np.ndarray, accounts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each work's mean of its account's other works' ``values``, and whether it has any."""
    frame = pd.DataFrame({"a": accounts.to_numpy(), "v": values})
    total = frame.groupby("a")["v"].transform("sum").to_numpy()
    count = frame.groupby("a")["v"].transform("size").to_numpy()
    has = count > 1
    return np.where(has, (total - values) / np.maximum(count - 1, 1), 0.0), has


def bounds(works: pd.DataFrame, platform: str) -> dict[str, float]:
    """Spearman(bound, quality) for each of :data:`BOUNDS` on one platform's works."""
    g = works[works["platform"] == platform].reset_index(drop=True)
    model = MODELS[platform]
    shown = [m for m, on in zip(METRICS, model.exposed, strict=True) if on]
    audience = np.log(g["followers"].to_numpy(dtype=float) + 50.0)
    logs = np.column_stack([np.log1p(g[m].fillna(0).to_numpy(dtype=float)) for m in shown])
    quality = g["quality"].to_numpy(dtype=float)
    oracle = np.log1p(g["likes"].fillna(0).to_numpy(dtype=float)) - model.alpha * audience
    x = np.column_stack([logs, audience])
    quad = _quadratic(x)
    quad_fit = _fitted(quad, quality)
    others, has = _others_mean(quality - quad_fit, g["account"])
    account = np.column_stack([quad, others, has.astype(float)])
    return {
        "oracle": spearman(oracle, quality),
        "linear": spearman(_fitted(x, quality), quality),
        "quadratic": spearman(quad_fit, quality),
        "quadratic_account": spearman(_fitted(account, quality), quality),
        "works": float(len(g)),
    }


def markdown(rows: list[dict]) -> str:
    head = "| world | seed | bound | " + " | ".join(LIVE) + " | mean | lowest |"
    lines = [head, "|" + "---|" * (len(LIVE) + 5)]
    for r in rows:
        values = [r["spearman"][p] for p in LIVE]
        cells = " | ".join(f"{v:.2f}" for v in values)
        lines.append(
            f"| {r['world']} | {r['seed']} | {r['bound']} | {cells} "
            f"| {float(np.mean(values)):.3f} | {min(values):.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10])
    ap.add_argument("--scale", type=int, default=600)
    ap.add_argument("--profiles", nargs="+", default=["full", "sparse"])
    args = ap.parse_args()
    rows = []
    for profile in args.profiles:
        for seed in args.seeds:
            works = organic_works(seed, args.scale, profile)
            per = {p: bounds(works, p) for p in LIVE}
            for bound in BOUNDS:
                row = {
                    "world": profile,
                    "seed": seed,
                    "scale": args.scale,
                    "bound": bound,
                    "spearman": {p: round(per[p][bound], 3) for p in LIVE},
                    "works": {p: int(per[p]["works"]) for p in LIVE},
                }
                print(json.dumps(row), flush=True)
                rows.append(row)
    print(markdown(rows))
    if any(math.isnan(v) for r in rows for v in r["spearman"].values()):
        sys.exit("a platform had too few works to correlate")


if __name__ == "__main__":
    main()
