"""``rank_campaign``: input frames -> works, creators, units and accounts, every component a column.

The order of the steps is the method's (DESIGN §4): read at a fixed age, weight interactions,
place within the platform, compare with the account's own baseline and with accounts of the same
size, blend, weigh the risk evidence, then aggregate to creators and units. Every step is a pure
function of its inputs, vectorised; this module only wires them together and names the columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking import keys
from tracker.ranking.assemble import review_status_of
from tracker.ranking.comment_risk import comment_signals
from tracker.ranking.creators import creator_keys, creator_scores
from tracker.ranking.explain import explain_creator, explain_work
from tracker.ranking.fixed_age import READ_METRICS, fixed_age_reading
from tracker.ranking.floors import any_floor, frame_floor_bits
from tracker.ranking.frames import RankingFrames, RankingResult
from tracker.ranking.interactions import interactions
from tracker.ranking.keys import positions
from tracker.ranking.maths import as_float
from tracker.ranking.memory import release_memory
from tracker.ranking.overperformance import RULE_ZH, crowdtangle_score, expected_interactions
from tracker.ranking.platform_score import platform_percentile
from tracker.ranking.quality import blend_quality, size_residual
from tracker.ranking.reach import SOURCE_ZH, leave_one_out_level, predicted_residual
from tracker.ranking.reference_index import reference_index
from tracker.ranking.risk import (
    duplicate_accounts,
    fingerprint_key,
    follower_jumps,
    ratio_signals,
    risk_score,
    snapshot_jumps,
    text_fingerprint,
)
from tracker.ranking.settings import RankingSettings
from tracker.ranking.units import UNIT_COLUMNS, attach_primary_unit, unit_scores
from tracker.ranking.window import commendable, window_flags

__all__ = [
    "explain_creator",
    "explain_work",
    "prepare_works",
    "rank_campaign",
    "review_status",
    "with_reviews",
]

_POST_COLS = (
    "platform",
    "platform_post_id",
    "account_uid",
    "content_type",
    "published_at",
    *READ_METRICS,
    "floor_bits",
    "last_collected_at",
)


def rank_campaign(
    frames: RankingFrames, settings: RankingSettings | None = None, *, approved_only: bool = False
) -> RankingResult:
    """Rank a campaign's works, creators and units.

    Work scores always use every campaign work (percentiles need the whole field). With
    ``approved_only`` the creator and unit aggregates use only works whose review status is
    ``approved`` (what recommendations are built from). Works keep the input order (sorting a
    million rows of a hundred columns costs more than the caller's ``nsmallest("rank")``);
    creators and units come sorted by their rank.

    The campaign window (``frames.campaign``; see ``window``): every work gets ``in_window``
    (published inside it; unknown publish time counts as inside, since nothing proves it
    outside), ``admitted`` (staff added it by hand, ``matched_by == "manual"``) and
    ``recommendable`` (approved, not deleted, not flagged for risk, and in the window or
    admitted). Works outside the window and not admitted are kept, scored and shown, marked
    窗口外, but count for nothing in creator and unit scores: those are commendation lists.
    """
    s = settings or RankingSettings()
    # The scoring's temporaries (readings, signals, fits: several hundred MB at a million works)
    # are freed when it returns, before the aggregates allocate theirs.
    w, acc, key_of, platforms = _scored_works(frames, s)
    return _aggregated(w, acc, key_of, platforms, frames, s, approved_only)


def with_reviews(result: RankingResult, frames: RankingFrames) -> RankingResult:
    """``result`` as :func:`rank_campaign` makes it from ``frames``, which differ from the frames
    it was ranked from in their review decisions alone (``frames.reviews``, and the works'
    ``review_status`` when the loader attached it).

    A decision changes no work's score: only whether the work is recommendable and which works
    the creator and unit aggregates count. So the scored works are kept and only the aggregates
    are made again, a fraction of the ranking at a million works, where a staff member's
    decision otherwise made the next page rank everything (``ranking_cache``).
    """
    w = result.works.copy(deep=False)  # copy-on-write: the kept result's columns are not touched
    w["review_status"] = review_status(frames)
    acc = keys.account_codes(w)
    key_of = np.full(int(acc.max()) + 1 if len(acc) else 0, None, dtype=object)
    key_of[acc] = w["creator_key"].to_numpy(dtype=object)
    return _aggregated(
        w, acc, key_of, result.scoring_platforms, frames, result.settings, result.approved_only
    )


def _aggregated(
    w: pd.DataFrame,
    acc: np.ndarray,
    key_of: np.ndarray,
    scoring: dict[str, pd.DataFrame],
    frames: RankingFrames,
    s: RankingSettings,
    approved_only: bool,
) -> RankingResult:
    """The scored works' review-dependent columns, and the creator, unit and account tables."""
    platforms = dict(scoring)
    n = len(w)
    deleted = w["deleted"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    flags = window_flags(w, frames.campaign)
    w["in_window"], w["admitted"] = flags["in_window"], flags["admitted"]
    in_time = commendable(w)
    flagged = w["risk_flag"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    approved = (w["review_status"] == "approved").to_numpy()
    w["recommendable"] = approved & ~deleted & ~flagged & in_time

    # Aggregates (over approved works only when asked; never over works outside the window
    # that staff did not admit). A work without an account is ranked above and counts in the
    # units' share of voice, but is nobody's account or creator.
    attributed = w["creator_code"].to_numpy() >= 0
    scope = (approved if approved_only else np.ones(n, bool)) & in_time
    basis, acc_b = _subset(w, acc, scope)  # no copy of a million rows when every row is kept
    people, acc_p = _subset(w, acc, scope & attributed)
    accounts = _accounts(*_subset(w, acc, attributed), key_of)
    bci_acc = reference_index(people, acc_p, s.reference_index)
    accounts = accounts.join(bci_acc, on="account_code").drop(columns="account_code")
    creators, platforms["creator"] = creator_scores(people, s.creators, account_codes=acc_p)
    c_codes, c_keys = keys.creator_codes(people)
    bci_cre = reference_index(people, c_codes, s.reference_index)
    bci_cre.index = pd.Index(
        np.asarray(c_keys, dtype=object)[bci_cre.index.to_numpy()], name="creator_key"
    )
    creators = creators.join(bci_cre[["reference_index"]], on="creator_key")
    units = unit_scores(
        basis, frames.account_units, frames.units, s.units.rank_by, account_codes=acc_b
    )

    release_memory(n + len(frames.snapshots))
    return RankingResult(
        works=w,
        creators=creators,
        units=units,
        accounts=accounts,
        platforms=_platform_table(platforms),
        settings=s,
        approved_only=approved_only,
        scoring_platforms=scoring,
    )


def _scored_works(
    frames: RankingFrames, s: RankingSettings
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[str, pd.DataFrame]]:
    """Every work scored (platform, size, overperformance, reach, risk, quality, ranks), with
    each work's account code, the creator key of each account code and the platform fits."""
    # Integer keys computed once: every later grouping and lookup uses them, never strings.
    acc_works = keys.account_codes(frames.works)
    works = prepare_works(frames, account_codes=acc_works)
    n = len(works)
    posts = _all_posts(works, frames.history)
    acc_posts = acc_works if len(posts) == n else keys.account_codes(posts)
    snap_pos = _snapshot_rows(posts, frames.snapshots)

    reading = fixed_age_reading(posts, frames.snapshots, s.fixed_age_days, snapshot_pos=snap_pos)
    inter = interactions(reading, s.interactions)
    baseline = expected_interactions(
        posts,
        inter["interactions"],
        pd.Series(np.arange(len(posts)) < n),
        history_size=s.overperformance.history_size,
        trim_fraction=s.overperformance.trim_fraction,
        account_codes=acc_posts,
    )

    latest = {c: f"latest_{c}" for c in (*READ_METRICS, "floor_bits")} | {
        "last_collected_at": "latest_collected_at"
    }
    w = works.rename(columns=latest).reset_index(drop=True)
    inter = inter[["interactions", "interaction_weight_known"]]
    for part in (reading, inter, baseline):
        head = part.iloc[:n].reset_index(drop=True)
        for col in head.columns:
            w[col] = head[col]
    acc = acc_posts[:n]
    plat = w["platform"]
    platforms: dict[str, pd.DataFrame] = {}
    # Counts shown only as a floor ("100万+") are censored: I is then a floor too, and every
    # score increasing in I ranks it above an exact equal (see ``floors``).
    bits = w["floor_bits"].to_numpy(dtype=np.uint8)
    weighted = [m for m, wt in s.interactions.as_dict().items() if wt]
    i_floor = any_floor(bits, weighted) & w["interactions"].notna().to_numpy()
    w["interactions_floor"] = i_floor

    # Platform-fair score.
    log_i = pd.Series(np.log1p(w["interactions"].to_numpy(dtype="float64")))
    fair, platforms["fair"] = platform_percentile(log_i, plat, s.min_platform_works, i_floor)
    w["fair_score"], w["fair_method"] = _f32(fair["pct"]), fair["method"]

    # Size-adjusted score.
    fol = as_float(w["followers_at_capture"])
    acct_fol = as_float(w["followers"]) if "followers" in w.columns else np.full(n, np.nan)
    w["followers_used"] = np.where(np.isnan(fol), acct_fol, fol)
    log_i_size = pd.Series(
        np.log(w["interactions"].to_numpy(dtype="float64") + s.size_pseudo_count)
    )
    resid, platforms["size"], type_offset = size_residual(
        log_i_size,
        pd.Series(np.log1p(w["followers_used"].to_numpy())),
        plat,
        s.min_platform_works,
        content_type=w["content_type"] if "content_type" in w.columns else None,
        min_type_works=s.min_content_type_works,
    )
    del log_i
    w["size_residual"] = resid
    w["size_type_offset"] = _f32(type_offset)
    # ln(c+I) of every post, campaign works first, then the accounts' other posts
    y_all = np.log(inter["interactions"].to_numpy(dtype="float64") + s.size_pseudo_count)
    plat_all = pd.factorize(posts["platform"].astype("object"), sort=True)[0]
    if s.estimate_reach:
        reach = _reach_adjusted(w, posts, y_all, plat_all, acc_posts, platforms["size"], s)
        for col in reach.columns:
            w[col] = reach[col].to_numpy()
        resid = pd.Series(w["reach_residual"].to_numpy(dtype="float64"))
    size, platforms["size_pct"] = platform_percentile(resid, plat, s.min_platform_works, i_floor)
    w["size_score"] = _f32(size["pct"])

    # Overperformance (CrowdTangle).
    op = s.overperformance
    if op.baseline == "others":
        loo = _others_baseline(posts, y_all, plat_all, acc_posts, s)
        w["earlier_works"] = pd.array(loo["others"].to_numpy()[:n], dtype="Int64")
        w["expected"] = loo["expected"].to_numpy()[:n]
        w["baseline_shrink"] = _f32(loo["shrink"].to_numpy()[:n])
        enough = np.ones(n, dtype=bool)
    else:
        enough = w["earlier_works"].fillna(0).to_numpy() >= op.min_earlier_works
    expected = np.where(enough, w["expected"].to_numpy(dtype="float64"), np.nan)
    w["expected"] = expected
    score, rule = crowdtangle_score(
        w["interactions"].to_numpy(dtype="float64"), expected, op.min_expected
    )
    w["overperformance"] = score
    w["overperformance_rule"] = pd.Categorical(rule, categories=list(RULE_ZH))
    signed_log = np.sign(score) * np.log1p(np.abs(score))
    over, platforms["over"] = platform_percentile(
        pd.Series(signed_log), plat, s.min_platform_works, i_floor
    )
    w["over_score"] = _f32(over["pct"])
    del y_all, plat_all, log_i_size, resid, size, fair, over, signed_log, score, rule, expected

    # Reach.
    reach, platforms["reach"] = platform_percentile(
        pd.Series(np.log1p(as_float(w["views"]))),
        plat,
        s.min_platform_works,
        any_floor(bits, ["views"]),
    )
    w["reach_score"] = _f32(reach["pct"])

    # Creators: accounts linked across platforms (the duplicate-text signal needs them too).
    first = pd.Series(np.arange(n)).groupby(acc).first()
    uniq = pd.DataFrame(
        {
            "platform": w["platform"].to_numpy()[first.to_numpy()],
            "account_uid": w["account_uid"].to_numpy()[first.to_numpy()],
        }
    )
    key_of = np.full(int(acc.max()) + 1 if n else 0, None, dtype=object)
    key_of[first.index.to_numpy()] = creator_keys(
        uniq, frames.account_units, frames.links
    ).to_numpy()
    creator_of, _ = pd.factorize(key_of)
    w["creator_key"] = pd.Series(key_of[acc], dtype=object)
    w["creator_code"] = creator_of[acc]

    # Risk evidence.
    ratios = ratio_signals(w, s.risk)
    work_snap_pos = np.where(snap_pos < n, snap_pos, -1)
    jumps = snapshot_jumps(
        w, frames.snapshots, s.interactions, s.risk, snapshot_pos=work_snap_pos, account_codes=acc
    )
    fj = follower_jumps(
        posts, frames.snapshots, s.risk, snapshot_pos=snap_pos, account_codes=acc_posts
    )
    jump_of = np.full(int(acc_posts.max()) + 1 if len(posts) else 0, np.nan)
    jump_of[fj["account_code"].to_numpy(dtype=np.int64)] = fj["follower_jump"].to_numpy()
    fingerprint = _fingerprints(w, s.risk.min_fingerprint_chars)
    w["fingerprint_key"] = fingerprint
    signals = pd.concat([ratios, jumps], axis=1)
    signals["follower_jump"] = jump_of[acc]
    signals["duplicate_others"] = duplicate_accounts(w, fingerprint)
    latest_comments = pd.DataFrame(
        {
            "platform": w["platform"],
            "platform_post_id": w["platform_post_id"],
            "comments": w["latest_comments"],
            "last_collected_at": w["latest_collected_at"],
        }
    )
    evidence = comment_signals(
        latest_comments,
        frames.comments,
        s.risk,
        snapshots=frames.snapshots,
        snapshot_pos=work_snap_pos,
    )
    for col in evidence.columns:
        signals[col] = evidence[col].to_numpy()
    for col in signals.columns:
        w[col] = _f32(signals[col]) if signals[col].dtype == "float64" else signals[col].array
    risk = risk_score(signals, s.risk)
    del ratios, jumps, fj, jump_of, signals, latest_comments, evidence
    for col in risk.columns:
        w[col] = _f32(risk[col]) if risk[col].dtype == "float64" else risk[col].array
    del risk

    # Quality.
    q = blend_quality(w, s.quality)
    w["quality_before_risk"] = _f32(q["quality_raw"])
    w["quality_weight_known"] = q["quality_weight_known"]
    multiplier = 1.0 - s.risk.discount * w["risk_score"].to_numpy(dtype="float64")
    w["quality_score"] = _f32(q["quality_raw"].to_numpy() * multiplier)
    w["rank"] = w["quality_score"].rank(method="min", ascending=False).astype("Int64")
    w["platform_rank"] = (
        w["quality_score"]
        .groupby(plat, observed=True)
        .rank(method="min", ascending=False)
        .astype("Int64")
    )
    return w, acc, key_of, platforms


def prepare_works(
    frames: RankingFrames, *, account_codes: np.ndarray | None = None
) -> pd.DataFrame:
    """The works frame with every optional column present (NULL when unknown)."""
    w = frames.works.copy(deep=False)  # copy-on-write: new columns never touch the input
    n = len(w)
    acc_codes = keys.account_codes(w) if account_codes is None else account_codes
    for col in ("platform", "platform_post_id", "account_uid"):
        if col not in w.columns:
            raise ValueError(f"works frame lacks the required column {col!r}")
    defaults: dict[str, object] = {
        "content_type": None,
        "title": None,
        "url": None,
        "text": None,
        "fingerprint": None,
        "account_name": None,
        "source": None,
    }
    for col, val in defaults.items():
        if col not in w.columns:
            w[col] = pd.Series([val] * n, index=w.index, dtype="object")
    for col in (*READ_METRICS, "followers"):
        if col not in w.columns:
            w[col] = pd.Series(pd.NA, index=w.index, dtype="Int64")
    for col in ("published_at", "last_collected_at"):
        if col not in w.columns:
            w[col] = pd.Series(pd.NaT, index=w.index, dtype="datetime64[ns, UTC]")
        else:
            w[col] = pd.to_datetime(w[col], utc=True)
    if "deleted" not in w.columns:
        w["deleted"] = False
    w["floor_bits"] = frame_floor_bits(w)  # from ``lower_bounds`` texts in hand-built frames
    if frames.accounts is not None and len(frames.accounts) and "account_name" in w.columns:
        missing = w["account_name"].isna() | w["followers"].isna()
        if missing.any():
            acc = frames.accounts
            rep = keys.first_rows(acc_codes)
            probe = pd.DataFrame(
                {
                    "platform": w["platform"].to_numpy()[rep],
                    "platform_uid": w["account_uid"].to_numpy()[rep],
                }
            )
            pos = positions(acc, probe, ("platform", "platform_uid"))[acc_codes]
            hit = (pos >= 0) & missing.to_numpy()
            if "name" in acc.columns:
                names = w["account_name"].to_numpy(dtype=object).copy()
                names[hit] = acc["name"].to_numpy(dtype=object)[pos[hit]]
                w["account_name"] = names
            if "followers" in acc.columns:
                fol = w["followers"].astype("Int64").copy()
                fol.iloc[np.flatnonzero(hit)] = (
                    acc["followers"].astype("Int64").array.take(pos[hit])
                )
                w["followers"] = fol
    if not set(UNIT_COLUMNS).issubset(w.columns):
        units = attach_primary_unit(w, frames.account_units, account_codes=acc_codes)
        for col in units.columns:
            if col not in w.columns:
                w[col] = units[col]
    if "unit_count" not in w.columns:
        w["unit_count"] = 0
    w["review_status"] = review_status(frames)
    return w


def review_status(frames: RankingFrames) -> pd.Categorical:
    """Each work's review status: the loader's ``review_status`` where it attached one, else
    the work's row in ``frames.reviews``; ``pending`` when neither says."""
    works = frames.works
    if "review_status" in works.columns:
        status = works["review_status"].astype("object").fillna("pending").to_numpy(dtype=object)
        return pd.Categorical(status)
    reviews = frames.reviews if frames.reviews is not None else pd.DataFrame()
    return review_status_of(works, reviews)


def _all_posts(works: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """Campaign works first, then the accounts' other posts (the baseline's pool)."""
    parts = [works[[c for c in _POST_COLS if c in works.columns]]]
    if history is not None and len(history):
        h = history.copy()
        for col in _POST_COLS:
            if col not in h.columns:
                h[col] = pd.NA
        h["floor_bits"] = frame_floor_bits(history)
        h["published_at"] = pd.to_datetime(h["published_at"], utc=True)
        h["last_collected_at"] = pd.to_datetime(h["last_collected_at"], utc=True)
        parts.append(h[list(_POST_COLS)])
    posts = (
        pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    )
    for m in READ_METRICS:
        posts[m] = posts[m].astype("Int64")
    return posts


def _type_mean_deviation(
    y: np.ndarray, plat: np.ndarray, ctype: pd.Series, mask: np.ndarray, min_type_works: int
) -> np.ndarray:
    """``y`` minus the mean of ``y`` over the ``mask`` rows of the same platform and content
    type (the platform's mean when that type has fewer than ``min_type_works`` such rows):
    the platform's expectation for a work of that type when nothing about its account is
    known. NaN where ``y`` is."""
    t = pd.factorize(ctype.astype("object"), use_na_sentinel=False)[0].astype(np.int64)
    ok = mask & ~np.isnan(y)
    frame = pd.DataFrame({"p": plat, "t": t, "y": np.where(ok, y, np.nan)})
    by_type = frame.groupby(["p", "t"])["y"]
    mean_t, n_t = by_type.transform("mean"), by_type.transform("count")
    mean_p = frame.groupby("p")["y"].transform("mean")
    centre = np.where(n_t.to_numpy() >= min_type_works, mean_t.to_numpy(), mean_p.to_numpy())
    return y - centre


def _reach_adjusted(
    w: pd.DataFrame,
    posts: pd.DataFrame,
    y_all: np.ndarray,
    plat_all: np.ndarray,
    acc_all: np.ndarray,
    fit: pd.DataFrame,
    s: RankingSettings,
) -> pd.DataFrame:
    """The size-adjusted residual of every work, followers or not (``reach``): deviation from
    the follower line where the account's followers are known, from the platform's level of
    the work's type where not, less the account's leave-one-out level, times its reliability.
    """
    n = len(w)
    # followers of every post's account (history rows take their account's campaign figure)
    fol_w = w["followers_used"].to_numpy(dtype="float64")
    fol_acc = pd.Series(fol_w).groupby(acc_all[:n]).max()
    fol_of = np.full(int(acc_all.max()) + 1 if len(acc_all) else 0, np.nan)
    fol_of[fol_acc.index.to_numpy()] = fol_acc.to_numpy()
    fol = np.full(len(posts), np.nan)
    if len(fol_of):
        fol = np.where(acc_all >= 0, fol_of[np.maximum(acc_all, 0)], np.nan)
    fol[:n] = fol_w
    has_fol = ~np.isnan(fol)
    # deviation from the follower line (works: the residual already computed, type levels out)
    d = np.full(len(posts), np.nan)
    d[:n] = w["size_residual"].to_numpy(dtype="float64")
    if len(posts) > n and len(fit):
        names = posts["platform"].astype("object").to_numpy()[n:]
        f = fit.reindex(names)
        x = np.log1p(fol[n:])
        line = f["y_mean"].to_numpy() + f["slope"].to_numpy() * (x - f["x_mean"].to_numpy())
        d[n:] = y_all[n:] - line
    no_line = np.isnan(d) & ~np.isnan(y_all)
    d_plat = _type_mean_deviation(
        y_all, plat_all, posts["content_type"], ~has_fol, s.min_content_type_works
    )
    kind = np.where(np.isnan(d) | ~has_fol, 1, 0)
    d = np.where(no_line | ~has_fol, d_plat, d)
    loo = leave_one_out_level(d, acc_all, plat_all, kind).iloc[:n]
    k = loo["others"].to_numpy()
    fol_known = kind[:n] == 0
    source = np.where(fol_known, "followers", np.where(k > 0, "others", "platform"))
    # Followers known: they give the reach, and the account's distance from the follower line
    # is its own merit (a skilled account earns more than its audience), not reach to remove.
    level = np.where(fol_known, 0.0, loo["level"].to_numpy())
    reliability = np.where(fol_known, 1.0, loo["reliability"].to_numpy())
    resid = (d[:n] - level) * reliability
    if s.reach_from_views and "views" in w.columns:
        from_views = _views_prediction(w, y_all[:n], np.where(fol_known, d[:n], np.nan), s)
        use = ~fol_known & ~np.isnan(from_views)
        resid = np.where(use, from_views, resid)
        source = np.where(use, "views", source)
        reliability = np.where(use, 1.0, reliability)
    return pd.DataFrame(
        {
            "reach_source": pd.Categorical(source, categories=list(SOURCE_ZH)),
            "reach_others": k,
            "reach_shrink": _f32(np.where(fol_known, 0.0, loo["shrink"].to_numpy())),
            "reach_reliability": _f32(reliability),
            "reach_residual": resid,
        }
    )


def _views_prediction(
    w: pd.DataFrame, y: np.ndarray, follower_resid: np.ndarray, s: RankingSettings
) -> np.ndarray:
    """A work's follower-line residual predicted from its own views (``predicted_residual``):
    ln(c+I) less the platform's line on ln(1+views) (content-type levels out, as for
    followers), scaled by how that residual tracks the follower residual on works with both.
    Views are the work's own reach, so no account level is needed. Views shown only as a floor
    are not read."""
    views = as_float(w["views"])
    views = np.where(any_floor(w["floor_bits"].to_numpy(dtype=np.uint8), ["views"]), np.nan, views)
    r_views, _, _ = size_residual(
        pd.Series(y),
        pd.Series(np.log1p(views)),
        w["platform"],
        s.min_platform_works,
        content_type=w["content_type"] if "content_type" in w.columns else None,
        min_type_works=s.min_content_type_works,
    )
    plat = pd.factorize(w["platform"].astype("object"), sort=True)[0]
    return predicted_residual(
        follower_resid, r_views.to_numpy(dtype="float64"), plat, s.min_platform_works
    )


def _others_baseline(
    posts: pd.DataFrame,
    y_all: np.ndarray,
    plat_all: np.ndarray,
    acc_all: np.ndarray,
    s: RankingSettings,
) -> pd.DataFrame:
    """CrowdTangle's expected interactions from every other known work of the account
    (leave-one-out), shrunk towards the platform's level of the work's type: ``others`` (k),
    ``shrink`` (B) and ``expected`` = exp(platform level + B·m) − c, on the posts' rows."""
    d = _type_mean_deviation(
        y_all, plat_all, posts["content_type"], np.ones(len(posts), bool), s.min_content_type_works
    )
    loo = leave_one_out_level(d, acc_all, plat_all, np.zeros(len(posts), dtype=np.int64))
    centre = y_all - d
    log_e = centre + loo["level"].to_numpy()
    expected = np.clip(np.exp(log_e) - s.size_pseudo_count, 0.0, None)
    # a post whose own I is unknown has no centre: the platform's level of its type instead
    missing = np.isnan(expected)
    if missing.any():
        typed = pd.Series(centre).groupby(plat_all).transform("mean").to_numpy()
        expected[missing] = np.clip(
            np.exp(typed[missing] + loo["level"].to_numpy()[missing]) - s.size_pseudo_count, 0, None
        )
    return pd.DataFrame({"others": loo["others"], "shrink": loo["shrink"], "expected": expected})


def _subset(w: pd.DataFrame, acc: np.ndarray, mask: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The works and account codes of ``mask``; the frame itself when it keeps every row."""
    if mask.all():
        return w, acc
    return w[mask], acc[mask]


def _f32(values: pd.Series | np.ndarray) -> np.ndarray:
    """Scores and strengths are shown to one decimal: float32 halves a million-row column."""
    return np.asarray(values, dtype=np.float32)


def _snapshot_rows(posts: pd.DataFrame, snapshots: pd.DataFrame) -> np.ndarray:
    """Each snapshot's row in ``posts`` (-1 if none): the read home's ``post_row`` when it still
    matches (works then history, in order), else matched by key."""
    if "post_row" in snapshots.columns and len(snapshots):
        rows = snapshots["post_row"].to_numpy(dtype=np.int64)
        if rows.min() >= 0 and rows.max() < len(posts):
            ids = posts["platform_post_id"].to_numpy(dtype=object)[rows]
            plats = posts["platform"].to_numpy(dtype=object)[rows]
            same = (ids == snapshots["platform_post_id"].to_numpy(dtype=object)) & (
                plats == snapshots["platform"].to_numpy(dtype=object)
            )
            if same.all():
                return rows
    return positions(posts, snapshots)


def _fingerprints(w: pd.DataFrame, min_chars: int) -> pd.Series:
    """64-bit fingerprint key of each work: ``fingerprint_key`` when the loader computed it,
    else a key of the stored fingerprint, else of the text (or title)."""
    if "fingerprint_key" in w.columns:
        return w["fingerprint_key"].astype("Int64")
    key = fingerprint_key(w["fingerprint"])
    values = key.array.to_numpy(dtype="int64", na_value=0).copy()
    missing = key.isna().to_numpy().copy()
    if missing.any():
        text = w["text"].astype("object").where(w["text"].notna(), w["title"].astype("object"))
        from_text = text_fingerprint(text[missing], min_chars)
        values[missing] = from_text.array.to_numpy(dtype="int64", na_value=0)
        missing[missing] = from_text.isna().to_numpy()
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=w.index)


def _accounts(w: pd.DataFrame, acc: np.ndarray, key_of: np.ndarray) -> pd.DataFrame:
    """One row per account of the works, with display columns and work totals."""
    g = w.groupby(acc, sort=True)
    first = pd.Series(np.arange(len(w))).groupby(acc).first().to_numpy()
    out = pd.DataFrame(
        {
            "account_code": g.size().index.to_numpy(),
            "platform": w["platform"].to_numpy()[first],
            "platform_uid": w["account_uid"].to_numpy()[first],
            "account_name": w["account_name"].to_numpy()[first],
            "creator_key": key_of[g.size().index.to_numpy()],
            "works": g.size().to_numpy(),
            "interactions_total": g["interactions"].sum(min_count=1).to_numpy(),
            "quality_mean": g["quality_score"].mean().to_numpy(),
            "followers": g["followers_used"].max().to_numpy(),
        }
    )
    for col in UNIT_COLUMNS:
        if col in w.columns:
            out[col] = w[col].to_numpy()[first]
    return out


def _platform_table(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per-platform numbers behind the scores (for explanations and the 说明 sheet)."""
    frames = []
    for prefix, frame in parts.items():
        f = frame.copy()
        f.index = f.index.astype("str")
        f.index.name = "platform"
        frames.append(f.add_prefix(prefix + "_"))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1)
