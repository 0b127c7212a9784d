"""Fake-engagement evidence: a risk score in [0, 1] with reasons, for human review.

Signals (ranking-anchors §6.6), each turned into a strength with ``maths.hill`` so that the
signal's own threshold means 0.5, then combined as ``1 − Π(1 − s)``:

- **like ratios**: robust z (median and 1.4826·MAD within the platform) of ln((likes+1)/(x+1))
  for x = comments, shares, views, among works with a similar count of x; the z's of the
  available ratios are combined as ``Σz/√k`` (Stouffer), threshold ``ratio_z``;
- **likes above views**: likes/views, threshold ``likes_over_views`` (1.0 — more likes than plays
  is not organic, Sen et al. 2018);
- **lockstep**: jumps of several works of different accounts ending in the same hour
  (CopyCatch's idea), strength 0.5 at ``lockstep_min_works`` works;
- **unexplained snapshot jumps**: for each interval between consecutive readings (the first one
  starting at publication with zero interactions), growth per hour over the growth per hour of
  the interval before it (natural engagement only slows down after the first day); only intervals starting after ``jump_min_age_hours`` and adding at least
  ``jump_min_count`` interactions and ``jump_min_share`` of the total are judged (on the weighted
  interactions and on likes alone, the larger ratio counts);
- **follower jumps**: relative follower gain of the account between two snapshots less than
  ``follower_jump_window_hours`` apart (account-level, weighted by ``follower_jump_weight``);
- **near-duplicate text**: the number of *other* creators on the same platform that posted the
  same normalised text (reposts never count; weighted by ``duplicate_weight``, since units
  hand out template captions);
- **hidden or bought comments** and **copied comments** (``comment_risk``): the claimed comment
  count over the comments that can be read, threshold ``1/comment_readable_share``, and the
  most accounts writing one comment at about the same time, threshold ``comment_copy_accounts``;
  only for works whose comments were read.

A count shown only as a floor ("100万+", see ``floors``) never makes evidence: a ratio whose
denominator is a floor, and an interval that starts at a floor (its growth is at most what it
seems), are not judged; a floor that can only hide evidence (likes over an exact count, the
end of an interval) is judged as read, a lower bound of the true signal.

Flags are evidence, never verdicts: stealthy like farms evade all of these, and a genuinely viral
work can trip one. Reasons are Chinese strings joined by "；".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tracker.normalize.text_key import text_keys
from tracker.ranking.floors import any_floor, frame_floor_bits
from tracker.ranking.interactions import interactions
from tracker.ranking.keys import account_codes as account_codes_of
from tracker.ranking.keys import creator_codes, first_rows, from_ns, positions, to_ns
from tracker.ranking.maths import as_float, hill, noisy_or
from tracker.ranking.settings import InteractionWeights, RiskSettings

__all__ = [
    "duplicate_accounts",
    "follower_jumps",
    "ratio_signals",
    "risk_score",
    "snapshot_jumps",
    "fingerprint_key",
    "keyed_if_long",
    "text_fingerprint",
]

NS_PER_HOUR = 3_600 * 10**9
_RATIOS = {"comments": "评论", "shares": "转发", "views": "播放"}


def ratio_signals(works: pd.DataFrame, settings: RiskSettings) -> pd.DataFrame:
    """Robust z of each like ratio among works with a similar organic count, their Stouffer
    combination, and likes/views.

    ln((likes+1)/(x+1)) depends on the count level (the +1 flattens small counts), so the median
    and MAD are taken within bands of the *other* count x: ``ratio_bins`` quantile bands of
    ln(1+x) per platform, falling back to the whole platform for bands with fewer than
    ``ratio_min_bin_works`` works. A work with bought likes is then compared with works that
    have as many comments (or shares, or views) as it has, and has far more likes than they do.
    The scale is never below the Poisson counting noise of the ratio (delta method with the
    denominator the band expects): a ratio of small counts cannot be precise, whatever the band's
    MAD says (ties make it 0). The combined z is ``Σ z / √k`` over the k known ratios — bought
    likes raise all of them at once, natural variation rarely does. Platforms with fewer than
    ``min_platform_works_for_ratios`` known ratios get no z.
    """
    likes = as_float(works["likes"])
    out = pd.DataFrame(index=works.index)
    plat = pd.factorize(works["platform"])[0].astype(np.int64)
    bins = settings.ratio_bins
    bits = frame_floor_bits(works)
    zs = []
    for other in _RATIOS:
        den = as_float(works[other]) if other in works.columns else np.full(len(works), np.nan)
        den[any_floor(bits, [other])] = np.nan  # a floor below the ratio inflates it: no evidence
        r = np.log((likes + 1.0) / (den + 1.0))
        level = np.where(np.isnan(r), np.nan, np.log1p(den))
        band = _quantile_bands(level, plat, bins)
        med, mad, count = _robust(r, plat * (bins + 1) + band + 1)
        p_count = _group_counts(r, plat)
        thin = (count < settings.ratio_min_bin_works) & ~np.isnan(r)
        if thin.any():  # fall back to the whole platform where a band is too thin
            med_p, mad_p, _ = _robust(r, plat)
            med = np.where(thin, med_p, med)
            mad = np.where(thin, mad_p, mad)
        expected_den = np.maximum((likes + 1.0) * np.exp(-med) - 1.0, 0.0)
        count_sd = np.sqrt(1.0 / (likes + 1.0) + 1.0 / (expected_den + 1.0))
        scale = np.maximum(np.maximum(1.4826 * mad, count_sd), settings.min_robust_scale)
        z = np.where(p_count >= settings.min_platform_works_for_ratios, (r - med) / scale, np.nan)
        out[f"z_likes_{other}"] = z
        zs.append(z)
    stack = np.vstack(zs)
    n_known = (~np.isnan(stack)).sum(axis=0)
    with np.errstate(invalid="ignore"):
        out["ratio_z"] = np.where(
            n_known > 0, np.nansum(stack, axis=0) / np.sqrt(np.maximum(n_known, 1)), np.nan
        )
    views = as_float(works["views"]) if "views" in works.columns else np.full(len(works), np.nan)
    views[any_floor(bits, ["views"])] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = np.where(np.isnan(views) | np.isnan(likes), np.nan, likes / views)
    lv[(views == 0) & (likes == 0)] = 0.0
    out["likes_per_view"] = lv
    return out


def _quantile_bands(level: np.ndarray, plat: np.ndarray, bins: int) -> np.ndarray:
    """Quantile band (0..bins-1) of each value within its platform; -1 where NaN. Equal values
    always share a band. One pass per platform (a handful), never per row."""
    band = np.full(len(level), -1, dtype=np.int64)
    known = ~np.isnan(level)
    for p in np.unique(plat[known]):
        rows = np.flatnonzero(known & (plat == p))
        cuts = np.quantile(level[rows], np.arange(1, bins) / bins)
        band[rows] = np.searchsorted(cuts, level[rows], side="right")
    return band


def _group_counts(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Number of non-NaN values in each row's group, broadcast back to rows."""
    ok = ~np.isnan(values) & (codes >= 0)
    counts = np.bincount(codes[ok], minlength=int(codes.max()) + 1 if len(codes) else 0)
    return counts[np.maximum(codes, 0)]


def _group_median(values: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and count of the non-NaN values of each group code (arrays indexed by code)."""
    size = int(codes.max()) + 1 if len(codes) else 0
    med = np.full(size, np.nan)
    count = np.zeros(size, dtype=np.int64)
    ok = ~np.isnan(values) & (codes >= 0)
    v, c = values[ok], codes[ok]
    if not len(v):
        return med, count
    # sort by value, then a stable sort by group code (radix sort on small ints): no lexsort
    by_value = np.argsort(v)
    small = np.int16 if size < 2**15 else np.int64
    order = by_value[np.argsort(c[by_value].astype(small), kind="stable")]
    vs, cs = v[order], c[order]
    starts = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
    n = np.diff(np.r_[starts, len(cs)])
    lo = starts + (n - 1) // 2
    hi = starts + n // 2
    med[cs[starts]] = (vs[lo] + vs[hi]) / 2.0
    count[cs[starts]] = n
    return med, count


def _robust(values: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, MAD and count of the values' groups, broadcast back to rows (one sort each)."""
    codes = np.asarray(codes, dtype=np.int64)
    med_g, count_g = _group_median(values, codes)
    safe = np.maximum(codes, 0)
    med = med_g[safe]
    mad_g, _ = _group_median(np.abs(values - med), codes)
    return med, mad_g[safe], count_g[safe]


def snapshot_jumps(
    works: pd.DataFrame,
    snapshots: pd.DataFrame,
    weights: InteractionWeights,
    settings: RiskSettings,
    *,
    snapshot_pos: np.ndarray | None = None,
    account_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Largest judged jump per work: ``jump_ratio``, ``jump_added``, ``jump_at``, ``lockstep_others``.

    ``snapshot_pos`` (each snapshot's row in ``works``) and ``account_codes`` (one per work)
    may be passed when already computed.
    """
    n = len(works)
    out = pd.DataFrame(
        {
            "jump_ratio": np.full(n, np.nan),
            "jump_added": np.full(n, np.nan),
            "jump_at": pd.Series(pd.NaT, index=works.index, dtype="datetime64[ns, UTC]"),
            "lockstep_others": np.zeros(n, dtype=np.int64),
        },
        index=works.index,
    )
    if not len(snapshots) or not n:
        return out
    pos = positions(works, snapshots) if snapshot_pos is None else snapshot_pos
    t, t_known = to_ns(snapshots["captured_at"])
    rows = np.flatnonzero((pos >= 0) & t_known)
    if not len(rows):
        return out
    # Sort the snapshot rows by (work, time) with one argsort of a packed key. Each work's
    # publication is the implicit first point (zero interactions), so no rows are added.
    tt = t[rows]
    order = np.argsort(pos[rows] * (1 << 33) + (tt - tt.min()) // 10**9, kind="stable")
    rows = rows[order]
    p_s = pos[rows]
    t_s = t[rows]
    del tt, order
    first = np.ones(len(rows), dtype=bool)
    first[1:] = p_s[1:] != p_s[:-1]
    pub, pub_known = to_ns(works["published_at"])
    # Interval k runs from point k-1 to snapshot k; it is judged when it is not the work's first
    # interval (an earlier one exists to compare with) and starts after the minimum age.
    prev_start = np.where(first, 0, np.roll(t_s, 1))
    cand = np.flatnonzero(
        ~first
        & pub_known[p_s]
        & ((prev_start - pub[p_s]) >= settings.jump_min_age_hours * NS_PER_HOUR)
    )
    del prev_start
    if not len(cand):
        return out
    k1 = cand - 1
    k1_first = first[k1]
    tk, tk1 = t_s[cand], t_s[k1]
    tk2 = np.where(k1_first, pub[p_s[cand]], t_s[cand - 2])
    dt_h = (tk - tk1) / NS_PER_HOUR
    dt_prev_h = (tk1 - tk2) / NS_PER_HOUR

    # Judge the weighted interactions and the likes alone (bought bursts are mostly likes, and
    # in I they are diluted by the comments and shares that did not jump); keep the larger.
    i_snap = interactions(snapshots, weights)["interactions"].to_numpy()
    likes = (
        as_float(snapshots["likes"]) if "likes" in snapshots.columns else np.full(len(t), np.nan)
    )
    # An interval starting at a floor ("100万+" then an exact 3,456,789) has grown by at most
    # what it seems: the apparent jump is the floor's artefact, so it is not judged.
    bits = frame_floor_bits(snapshots)
    weighted = [m for m, wt in weights.as_dict().items() if wt]
    floors = (any_floor(bits, weighted), any_floor(bits, ["likes"]))
    ratio = np.full(len(cand), np.nan)
    added = np.full(len(cand), np.nan)
    for series, floor in zip((i_snap, likes), floors, strict=True):
        vk = series[rows[cand]]
        vk1 = np.where(floor[rows[k1]], np.nan, series[rows[k1]])
        vk2 = np.where(k1_first, 0.0, series[rows[cand - 2]])
        r, a = _interval_ratios(vk, vk1, vk2, dt_h, dt_prev_h, settings)
        better = ~np.isnan(r) & ~(r <= ratio)
        ratio = np.where(better, r, ratio)
        added = np.where(better, a, added)
    del i_snap, likes, floors
    keep = ~np.isnan(ratio)
    if not keep.any():
        return out
    cf = pd.DataFrame(
        {"p": p_s[cand][keep], "ratio": ratio[keep], "added": added[keep], "t": tk[keep]}
    )
    best = cf.sort_values(["p", "ratio"], ascending=[True, False]).drop_duplicates("p")
    rows = best["p"].to_numpy()
    jump_ratio = np.full(n, np.nan)
    jump_added = np.full(n, np.nan)
    jump_ns = np.zeros(n, dtype=np.int64)
    jump_known = np.zeros(n, dtype=bool)
    jump_ratio[rows] = best["ratio"].to_numpy()
    jump_added[rows] = best["added"].to_numpy()
    jump_ns[rows] = best["t"].to_numpy()
    jump_known[rows] = True
    out["jump_ratio"] = jump_ratio
    out["jump_added"] = jump_added
    out["jump_at"] = from_ns(jump_ns, jump_known, works.index)

    # Lockstep: works of different accounts whose (at least half-threshold) jumps end in the
    # same hour.
    strong = best[best["ratio"] >= settings.jump_ratio / 2].copy()
    if len(strong):
        strong["hour"] = strong["t"] // NS_PER_HOUR
        acc = account_codes_of(works) if account_codes is None else account_codes
        strong["acc"] = acc[strong["p"].to_numpy()]
        per_hour = strong.groupby("hour")["acc"].transform("nunique")
        lock = per_hour >= settings.lockstep_min_works
        lock_rows = strong.loc[lock, "p"].to_numpy()
        lockstep = np.zeros(n, dtype=np.int64)
        lockstep[lock_rows] = per_hour[lock].to_numpy() - 1
        out["lockstep_others"] = lockstep
    return out


def _interval_ratios(
    vk: np.ndarray,
    vk1: np.ndarray,
    vk2: np.ndarray,
    dt_h: np.ndarray,
    dt_prev_h: np.ndarray,
    settings: RiskSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """Growth-rate ratio of each interval (vk1 -> vk over dt_h) over the interval before it
    (vk2 -> vk1 over dt_prev_h), NaN where not judged, and the growth."""
    added = vk - vk1
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(dt_h > 0, added / dt_h, np.nan)
        prev_rate = np.where(dt_prev_h > 0, (vk1 - vk2) / dt_prev_h, np.nan)
        judged = (
            (added >= settings.jump_min_count)
            & (added >= settings.jump_min_share * vk)
            & ~np.isnan(prev_rate)
            & ~np.isnan(rate)
        )
        ratio = np.where(judged, rate / np.maximum(prev_rate, 1e-9), np.nan)
    return ratio, np.where(judged, added, np.nan)


def follower_jumps(
    posts: pd.DataFrame,
    snapshots: pd.DataFrame,
    settings: RiskSettings,
    *,
    snapshot_pos: np.ndarray | None = None,
    account_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Largest relative follower gain per account between snapshots close in time.

    ``posts`` maps snapshots to accounts (platform, platform_post_id, account_uid). Returns one
    row per account with a judged gain: ``account_code`` (``keys.account_codes(posts)``),
    platform, account_uid, ``follower_jump`` (relative gain, e.g. 0.85) and
    ``follower_jump_added``.
    """
    cols = ["account_code", "platform", "account_uid", "follower_jump", "follower_jump_added"]
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    if not len(snapshots) or "followers_at_capture" not in snapshots.columns:
        return empty
    acc_all = account_codes_of(posts) if account_codes is None else account_codes
    f = as_float(snapshots["followers_at_capture"])
    pos = positions(posts, snapshots) if snapshot_pos is None else snapshot_pos
    t, t_known = to_ns(snapshots["captured_at"])
    ok = (pos >= 0) & t_known & ~np.isnan(f)
    # Posts without an account share one code per platform; their follower counts are of
    # different, unknown accounts, so a "gain" between them would be no evidence at all.
    ok[ok] = posts["account_uid"].notna().to_numpy()[pos[ok]]
    if not ok.any():
        return empty
    a = acc_all[pos[ok]]
    tt, ff = t[ok], f[ok]
    order = np.argsort(a * (1 << 32) + (tt - tt.min()) // 10**9, kind="stable")
    a, tt, ff = a[order], tt[order], ff[order]
    same = np.zeros(len(a), dtype=bool)
    same[1:] = (a[1:] == a[:-1]) & (tt[1:] != tt[:-1])
    prev_f = np.roll(ff, 1)
    prev_t = np.roll(tt, 1)
    close = same & ((tt - prev_t) <= settings.follower_jump_window_hours * NS_PER_HOUR)
    added = ff - prev_f
    judged = close & (added >= settings.follower_jump_min)
    if not judged.any():
        return empty
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = added[judged] / np.maximum(prev_f[judged], 1)
    res = pd.DataFrame(
        {"account_code": a[judged], "follower_jump": rel, "follower_jump_added": added[judged]}
    )
    best = res.sort_values(["account_code", "follower_jump"], ascending=[True, False])
    best = best.drop_duplicates("account_code").reset_index(drop=True)
    rows = first_rows(acc_all)[best["account_code"].to_numpy(dtype=np.int64)]
    best.insert(1, "platform", posts["platform"].to_numpy()[rows])
    best.insert(2, "account_uid", posts["account_uid"].to_numpy()[rows])
    return best


def text_fingerprint(text: pd.Series, min_chars: int) -> pd.Series:
    """A 64-bit key of normalised text (nullable Int64), NA when under ``min_chars`` remain.

    Normalisation: NFKC, casefold, drop hashtags (``#话题#``, ``#话题``), ``[话题]`` markers, URLs
    and @mentions, then every non-word character (spaces, punctuation, emoji). Two works that
    differ only in those fold to the same key. The store may keep this as the post's
    fingerprint; only equality matters (a collision among a million works has odds ~1e-8).
    """
    keys, lengths = text_keys(text)
    return pd.Series(keyed_if_long(keys, lengths, min_chars), index=text.index)


def keyed_if_long(keys: np.ndarray, lengths: np.ndarray, min_chars: int) -> Any:
    """Keys as a nullable Int64 array, NA where fewer than ``min_chars`` characters were keyed
    (a NULL length, a text never keyed, counts as none)."""
    lengths = np.asarray(pd.array(lengths, dtype="Int64").to_numpy(dtype="int64", na_value=-1))
    values = np.asarray(pd.array(keys, dtype="Int64").to_numpy(dtype="int64", na_value=0))
    return pd.arrays.IntegerArray(values, lengths < min_chars)


def fingerprint_key(values: pd.Series | np.ndarray) -> pd.Series:
    """A 64-bit key (nullable Int64) of stored fingerprint strings; NULL and the empty string
    (the store's "too few words to compare") stay NA, so short posts never match each other."""
    s = pd.Series(values, dtype=object)
    missing = (s.isna() | (s == "")).to_numpy(dtype=bool)
    hashed = pd.util.hash_array(s.fillna("").to_numpy(dtype=object), categorize=False).view(
        np.int64
    )
    return pd.Series(pd.arrays.IntegerArray(hashed, missing), index=s.index)


def duplicate_accounts(works: pd.DataFrame, fingerprint: pd.Series) -> np.ndarray:
    """Number of other creators on the same platform whose works share each work's fingerprint.

    Copy-paste campaigns post one text from many accounts of one platform; a person putting
    their own work on Weibo and Douyin is normal, and one creator's accounts (``creator_key``,
    when present) count once. A repost (``content_type == "repost"``) is never a duplicate, nor
    counted as one: its text is a stock comment ("转发微博", "推荐大家看看") on someone else's
    work, often with that work's text quoted after ``//@``, so many reposts of one work read
    alike by design.
    """
    fp = pd.Series(fingerprint, copy=False).set_axis(works.index)
    known = fp.notna().to_numpy()
    if "content_type" in works.columns:
        known = known & (works["content_type"].astype("object") != "repost").to_numpy(dtype=bool)
    out = np.zeros(len(works), dtype=np.int64)
    if not known.any():
        return out
    if "creator_key" in works.columns:
        who = creator_codes(works)[0]
    else:
        who = account_codes_of(works)
    frame = pd.DataFrame(
        {
            "p": pd.factorize(works["platform"])[0][known],
            "fp": pd.factorize(fp[known])[0],
            "who": who[known],
        }
    )
    n_who = frame.groupby(["p", "fp"])["who"].transform("nunique").to_numpy()
    out[np.flatnonzero(known)] = n_who - 1
    return out


def risk_score(signals: pd.DataFrame, settings: RiskSettings) -> pd.DataFrame:
    """Strength of each signal, ``risk_score``, ``risk_flag`` and Chinese ``risk_reasons``.

    ``signals`` holds ratio_z, z_likes_*, likes_per_view, jump_ratio, jump_added,
    lockstep_others, follower_jump, duplicate_others and optionally the comment signals
    (``comment_risk.COMMENT_SIGNALS``; absent or NaN = no evidence).
    """
    k = settings.steepness
    idx = signals.index

    def col(name: str) -> np.ndarray:
        if name not in signals.columns:
            return np.full(len(signals), np.nan)
        return signals[name].to_numpy(dtype="float64", na_value=np.nan)

    s_ratio = hill(np.nan_to_num(col("ratio_z"), nan=0.0), settings.ratio_z, k)
    s_views = hill(np.nan_to_num(col("likes_per_view"), nan=0.0), settings.likes_over_views, k)
    s_jump = hill(np.nan_to_num(col("jump_ratio"), nan=0.0), settings.jump_ratio, k)
    s_follow = settings.follower_jump_weight * hill(
        np.nan_to_num(col("follower_jump"), nan=0.0), settings.follower_jump_ratio, k
    )
    s_dup = settings.duplicate_weight * hill(
        np.nan_to_num(col("duplicate_others"), nan=0.0), settings.duplicate_others, k
    )
    lock_n = np.nan_to_num(col("lockstep_others"), nan=0.0)
    s_lock = np.where(lock_n > 0, hill(lock_n + 1, settings.lockstep_min_works, k), 0.0)
    s_hidden = hill(
        np.nan_to_num(col("comment_hidden"), nan=0.0), 1.0 / settings.comment_readable_share, k
    )
    s_copies = hill(
        np.nan_to_num(col("comment_copies"), nan=0.0), settings.comment_copy_accounts, k
    )
    risk = noisy_or([s_ratio, s_views, s_jump, s_lock, s_follow, s_dup, s_hidden, s_copies])
    out = pd.DataFrame(
        {
            "risk_ratio": s_ratio,
            "risk_views": s_views,
            "risk_jump": s_jump,
            "risk_lockstep": s_lock,
            "risk_followers": s_follow,
            "risk_duplicate": s_dup,
            "risk_comment_hidden": s_hidden,
            "risk_comment_copies": s_copies,
            "risk_score": risk,
            "risk_flag": risk >= settings.flag_threshold,
        },
        index=idx,
    )
    out["risk_reasons"] = _reasons(signals, out, settings)
    return out


def _reasons(signals: pd.DataFrame, s: pd.DataFrame, settings: RiskSettings) -> pd.Series:
    """Reason strings, built only for the (few) rows with an active signal, then joined."""
    floor = settings.reason_min_strength
    strengths = [
        "risk_ratio",
        "risk_views",
        "risk_jump",
        "risk_lockstep",
        "risk_followers",
        "risk_duplicate",
        "risk_comment_hidden",
        "risk_comment_copies",
    ]
    strength = s[strengths].to_numpy()
    active = (strength >= floor).any(axis=1)
    out = np.full(len(signals), "", dtype=object)
    if not active.any():
        return pd.Series(out, index=signals.index, dtype=object)
    rows = np.flatnonzero(active)
    st = strength[rows]

    # Plain arrays over the active rows: each phrase is a few elementwise string operations
    # (a Series would align indexes at every one of them).
    def num(name: str) -> np.ndarray:
        """The signal's values on the active rows as floats (NaN: absent or not computed)."""
        if name not in signals.columns:
            return np.full(len(rows), np.nan)
        return signals[name].to_numpy(dtype="float64", na_value=np.nan)[rows]

    def fmt(values: np.ndarray, decimals: int) -> np.ndarray:
        v = np.round(values, decimals)
        known = ~np.isnan(v)
        shown = np.where(known, v, 0.0).astype(np.int64) if decimals == 0 else v
        return np.where(known, shown.astype(object).astype(str).astype(object), "")

    def count(values: np.ndarray) -> np.ndarray:
        return (
            np.nan_to_num(values, nan=0.0)
            .astype(np.int64)
            .astype(object)
            .astype(str)
            .astype(object)
        )

    def thousands(name: str) -> np.ndarray:
        v = pd.Series(num(name))
        return v.map(lambda x: "" if np.isnan(x) else f"{x:,.0f}").to_numpy(dtype=object)

    def ratio_phrase() -> np.ndarray:
        z = np.column_stack([num(f"z_likes_{o}") for o in _RATIOS])
        worst = np.nan_to_num(z, nan=-np.inf).argmax(axis=1)
        names = np.array(list(_RATIOS.values()), dtype=object)[worst]
        return "点赞/" + names + "比异常偏高（合并稳健z=" + fmt(num("ratio_z"), 1) + "）"

    # phrases as builders: only the signals some row carries are worded (a few, mostly)
    phrases: dict[str, Callable[[], np.ndarray]] = {
        "risk_ratio": ratio_phrase,
        "risk_views": lambda: (
            "点赞数达播放量的" + fmt(np.minimum(num("likes_per_view"), 1e6) * 100, 0) + "%"
        ),
        "risk_jump": lambda: (
            "快照间互动激增（增速为前一区间的"
            + fmt(np.minimum(num("jump_ratio"), 9999), 1)
            + "倍，新增"
            + fmt(num("jump_added"), 0)
            + "）"
        ),
        "risk_lockstep": lambda: (
            "与另外" + count(num("lockstep_others")) + "个账号的作品在同一小时内同步激增"
        ),
        "risk_followers": lambda: "账号粉丝短时激增+" + fmt(num("follower_jump") * 100, 0) + "%",
        "risk_duplicate": lambda: (
            "与另外" + count(num("duplicate_others")) + "个创作者在同一平台发布的文本几乎相同"
        ),
        "risk_comment_hidden": lambda: (
            "评论数 "
            + thousands("comments_claimed")
            + "，可读评论仅 "
            + thousands("comments_readable")
            + " 条"
        ),
        "risk_comment_copies": lambda: thousands("comment_copies") + " 个账号发布了相同评论",
    }
    joined = np.full(len(rows), "", dtype=object)
    for j, name in enumerate(strengths):  # the reasons' order is the strengths'
        phrase = phrases[name]
        on = st[:, j] >= floor
        if not on.any():  # an all-empty phrase leaves every reason as it is
            continue
        p = np.where(on, phrase(), "").astype(object)
        sep = np.where((joined != "") & (p != ""), "；", "")
        joined = joined + sep + p
    out[rows] = joined
    return pd.Series(out, index=signals.index, dtype=object)
