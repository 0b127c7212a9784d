"""A test-only synthetic campaign: heavy-tailed engagement driven by a hidden quality, with
planted bought likes and lockstep bursts, so the ranking can be tuned and measured without the
simulator.

Model (all vectorised numpy, deterministic from the seed):

- accounts: followers log-uniform over 10..10⁷, a per-account skill ~ N(0, 0.5);
- works: hidden quality q = skill + N(0, 0.8); expected engagement
  λ = c_p · followers^0.8 · exp(q) · LogNormal(0, 0.5) — audience size dominates raw counts;
- metrics: likes/comments/shares/favorites/views = λ × platform rate × LogNormal noise, only the
  metrics the platform exposes (others NULL); growth over age ``1 − exp(−age/τ)``, τ = 1 day;
- history: every account also has earlier non-campaign posts (the CrowdTangle baseline pool);
- snapshots: a daily refresh at 04:00 UTC while the post is younger than ``snapshot_days``;
- anomalies: ``bought_likes`` (likes × 20 from the first day, comments/shares untouched) and
  ``lockstep`` (several works of different accounts gain 3× their likes in the same refresh
  interval, 2-8 days after publication), planted on works with at least ``min_organic_likes``
  expected organic likes (purchases come in packages; on a work with one organic like a
  purchase is indistinguishable from noise whatever the method, so planting there would only
  measure luck).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.ranking.frames import RankingFrames

PLATFORMS = {
    # name: (share of accounts, scale c_p, exposed metrics -> rate)
    "weibo": (0.25, 0.02, {"likes": 1.0, "comments": 0.12, "shares": 0.08}),
    "douyin": (0.25, 0.05, {"likes": 1.0, "comments": 0.05, "shares": 0.03, "favorites": 0.04}),
    "bilibili": (
        0.15,
        0.03,
        {"views": 25.0, "likes": 1.0, "comments": 0.1, "shares": 0.05, "favorites": 0.3},
    ),
    "kuaishou": (0.15, 0.04, {"views": 40.0, "likes": 1.0, "comments": 0.06}),
    "xiaohongshu": (0.15, 0.03, {"likes": 1.0, "comments": 0.15, "shares": 0.04, "favorites": 0.5}),
    "zhihu": (0.0495, 0.01, {"likes": 1.0, "comments": 0.2, "favorites": 0.4}),
    "kepuchina": (0.0005, 0.01, {"views": 50.0, "likes": 1.0}),
}
NOISE = {"likes": 0.25, "comments": 0.45, "shares": 0.5, "favorites": 0.4, "views": 0.3}
T0 = pd.Timestamp("2024-09-01", tz="UTC")
DAY = pd.Timedelta(days=1)


@dataclass
class SynthWorld:
    frames: RankingFrames
    truth: pd.DataFrame


def make_world(
    *,
    seed: int = 7,
    accounts: int = 3000,
    mean_works: float = 3.0,
    history_per_account: float = 5.0,
    snapshot_days: int = 10,
    bought_share: float = 0.03,
    lockstep_share: float = 0.015,
    window_days: int = 30,
    min_organic_likes: float = 5.0,
    work_noise: float = 0.5,
    text: bool = True,
) -> SynthWorld:
    rng = np.random.default_rng(seed)
    names = list(PLATFORMS)
    shares = np.array([PLATFORMS[p][0] for p in names])
    acc_plat = rng.choice(len(names), size=accounts, p=shares / shares.sum())
    # at least a few accounts on the tiny platform so it exists
    acc_plat[:3] = names.index("kepuchina")
    followers = np.round(10 ** rng.uniform(1, 7, size=accounts)).astype(np.int64)
    skill = rng.normal(0, 0.5, size=accounts)
    acc_uid = np.array([f"u{i}" for i in range(accounts)], dtype=object)

    n_works = 1 + rng.geometric(1 / mean_works, size=accounts) - 1
    n_hist = rng.poisson(history_per_account, size=accounts)
    now = T0 + window_days * DAY + 3 * DAY

    def posts(
        counts: np.ndarray, start: pd.Timestamp, span_days: float, prefix: str
    ) -> pd.DataFrame:
        owner = np.repeat(np.arange(accounts), counts)
        m = len(owner)
        pub = start + pd.to_timedelta(rng.uniform(0, span_days, size=m), unit="D")
        q = skill[owner] + rng.normal(0, 0.8, size=m)
        return pd.DataFrame(
            {
                "owner": owner,
                "platform": np.array(names, dtype=object)[acc_plat[owner]],
                "platform_post_id": np.array([f"{prefix}{i}" for i in range(m)], dtype=object),
                "account_uid": acc_uid[owner],
                "content_type": "video",
                "published_at": pub,
                "quality": q,
            }
        )

    works = posts(n_works, T0, window_days, "w")
    hist = posts(n_hist, T0 - 60 * DAY, 58, "h")
    allp = pd.concat([works, hist], ignore_index=True)
    m = len(allp)
    n_w = len(works)
    owner = allp["owner"].to_numpy()
    plat_idx = acc_plat[owner]
    scale = np.array([PLATFORMS[p][1] for p in names])[plat_idx]
    lam = (
        scale
        * followers[owner] ** 0.8
        * np.exp(allp["quality"].to_numpy())
        * rng.lognormal(0, work_noise, m)
    )

    anomaly = np.full(m, None, dtype=object)
    idx_w = np.arange(n_w)
    # Bought likes come in packages of at least ~100 (×20 on an organic ~5); planted on a
    # work with one organic like they would be indistinguishable from noise, for any method.
    like_rate = np.array([PLATFORMS[p][2]["likes"] for p in names])[plat_idx]
    organic_likes = lam * like_rate
    eligible = idx_w[organic_likes[:n_w] >= min_organic_likes]
    bought = rng.choice(eligible, size=min(len(eligible), int(bought_share * n_w)), replace=False)
    rest = np.setdiff1d(idx_w[organic_likes[:n_w] >= min_organic_likes], bought)
    # Lockstep: coordinated bursts at two calendar refresh times; a work takes part when it is
    # 2-8 days old then (so earlier growth exists and the burst is inside its snapshot window).
    bursts = [T0 + 12 * DAY + pd.Timedelta(hours=4), T0 + 22 * DAY + pd.Timedelta(hours=4)]
    pub_w = allp["published_at"].dt.tz_convert(None).to_numpy().astype("datetime64[ns]")
    burst_of = np.full(m, np.datetime64("NaT"), dtype="datetime64[ns]")
    per_burst = int(lockstep_share * n_w) // len(bursts)
    lock_list = []
    for b in bursts:
        age = (b.to_datetime64() - pub_w[rest]) / np.timedelta64(1, "D")
        cand = rest[(age >= 2) & (age <= 8)]
        cand = np.setdiff1d(cand, np.concatenate(lock_list) if lock_list else [])
        chosen = rng.choice(cand, size=min(len(cand), per_burst), replace=False)
        burst_of[chosen] = b.to_datetime64()
        lock_list.append(chosen)
    lock = np.concatenate(lock_list)
    anomaly[bought] = "bought_likes"
    anomaly[lock] = "lockstep"

    final: dict[str, np.ndarray] = {}
    for metric in NOISE:
        rate = np.array([PLATFORMS[p][2].get(metric, np.nan) for p in names])[plat_idx]
        vals = lam * rate * rng.lognormal(0, NOISE[metric], m)
        final[metric] = vals  # NaN where the platform does not expose the metric
    final["likes"][bought] *= 20

    # Daily refresh snapshots while younger than snapshot_days (and before now).
    pub = allp["published_at"]
    first_refresh = (pub.dt.floor("D") + pd.Timedelta(hours=4)).where(
        pub.dt.floor("D") + pd.Timedelta(hours=4) > pub,
        pub.dt.floor("D") + DAY + pd.Timedelta(hours=4),
    )
    k = np.arange(snapshot_days)
    first_naive = first_refresh.dt.tz_convert(None).to_numpy().astype("datetime64[ns]")
    cap = np.repeat(first_naive, len(k)) + np.tile(k * np.timedelta64(1, "D"), m)
    rows = np.repeat(np.arange(m), len(k))
    keep = cap <= now.to_datetime64()
    cap, rows = cap[keep], rows[keep]
    age_days = (cap - pub_w[rows]) / np.timedelta64(1, "D")
    growth = 1 - np.exp(-age_days / 1.0)
    same = np.zeros(len(rows), dtype=bool)
    same[1:] = rows[1:] == rows[:-1]
    prev_growth = np.where(same, np.roll(growth, 1), 0.0)
    start = np.maximum.accumulate(np.where(~same, np.arange(len(rows)), 0))
    burst_rows = burst_of[rows]
    hit = ~np.isnat(burst_rows) & (cap >= burst_rows)
    burst_first = hit & ~(same & np.roll(hit, 1))
    snap = {
        "platform": allp["platform"].to_numpy()[rows],
        "platform_post_id": allp["platform_post_id"].to_numpy()[rows],
        "captured_at": pd.Series(cap).dt.tz_localize("UTC").to_numpy(),
    }
    for metric, vals in final.items():
        # Counts arrive as a Poisson process along the growth curve: noisy, never decreasing.
        lam_inc = np.nan_to_num(vals[rows] * (growth - prev_growth), nan=0.0)
        if metric == "likes":
            lam_inc = lam_inc + np.where(burst_first, 3 * vals[rows], 0.0)
        inc = rng.poisson(lam_inc).astype("float64")
        cs = np.cumsum(inc)
        before = np.where(start > 0, cs[np.maximum(start - 1, 0)], 0.0)
        v = cs - before
        v[np.isnan(vals[rows])] = np.nan
        snap[metric] = v
    snapshots = pd.DataFrame(snap)
    for metric in final:
        snapshots[metric] = pd.array(
            np.where(np.isnan(snapshots[metric]), None, snapshots[metric]), dtype="Int64"
        )
    f_acc = followers[owner[rows]]
    snapshots["followers_at_capture"] = pd.array(f_acc, dtype="Int64")

    latest = snapshots.sort_values("captured_at").drop_duplicates(
        ["platform", "platform_post_id"], keep="last"
    )
    latest = latest.set_index(["platform", "platform_post_id"])
    key = pd.MultiIndex.from_frame(allp[["platform", "platform_post_id"]])
    for metric in final:
        allp[metric] = latest[metric].reindex(key).to_numpy()
        allp[metric] = pd.array(allp[metric], dtype="Int64")
    allp["last_collected_at"] = latest["captured_at"].reindex(key).to_numpy()

    works_df = allp.iloc[:n_w].drop(columns=["owner", "quality"]).reset_index(drop=True)
    works_df["followers"] = pd.array(followers[owner[:n_w]], dtype="Int64")
    works_df["account_name"] = works_df["account_uid"]
    if text:
        works_df["text"] = np.array(
            [f"科普作品第{i}号：关于自然与科学的讲解" for i in range(n_w)], dtype=object
        )
    hist_df = allp.iloc[n_w:].drop(columns=["owner", "quality"]).reset_index(drop=True)
    truth = pd.DataFrame(
        {
            "platform": allp["platform"].iloc[:n_w].to_numpy(),
            "post_id": allp["platform_post_id"].iloc[:n_w].to_numpy(),
            "quality": allp["quality"].iloc[:n_w].to_numpy(),
            "anomaly": anomaly[:n_w],
        }
    )
    frames = RankingFrames(works=works_df, history=hist_df, snapshots=snapshots)
    return SynthWorld(frames=frames, truth=truth)
