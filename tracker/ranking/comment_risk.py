"""Comments as fake-engagement evidence: hidden or bought comments, and copied comments.

Both read the per-work comment evidence the read home builds from stored comments
(``RankingFrames.comments``: readable_comments, comments_read_at, comment_copies; see
``tracker.store.queries.comments.comment_evidence``). A work whose comments were never read has
no row there and gets no evidence (NaN), never a penalty.

- **Hidden or bought comments** (``comment_hidden``): the comment count the platform claims over
  the comments that can actually be read, judged only where the tracker read the work's
  comments to the end (``comments_complete``; an import or a capped read proves nothing). Platforms hide and delete some comments, so a little
  is always missing; a count inflated by comments nobody can read leaves most of it missing.
  The claimed count is the reading (a snapshot, or the work's latest figures) nearest in time
  to when the comments were read, within ``comment_read_gap_hours``; a work with fewer than
  ``comment_min_claimed`` claimed comments is not judged. A collector that reads only so many
  comments per work (a page limit, an export's per-work cap) leaves many works of a platform
  with exactly the same readable count far below their claims: such a count (shared by
  ``comment_ceiling_works`` works that all look hidden) is taken as a reading limit, and works
  at or above it are not judged, nor works at or above ``comment_read_limit`` when it is set.
- **Copied comments** (``comment_copies``): the most distinct accounts that wrote one comment
  (normalised like post texts, at least ``comment_min_chars`` characters, so "好", "赞" and
  emoji never count) within ``comment_copy_window_hours`` of a comment on this work, on this or
  another campaign work of the platform: a coordinated push posts one text from many accounts
  at once (the lockstep idea, applied to comments).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.keys import positions, to_ns
from tracker.ranking.maths import as_float
from tracker.ranking.settings import RiskSettings

__all__ = ["COMMENT_SIGNALS", "comment_signals", "reading_limits"]

COMMENT_SIGNALS = ("comments_claimed", "comments_readable", "comment_hidden", "comment_copies")
_NS_PER_HOUR = 3_600 * 10**9


def comment_signals(
    works: pd.DataFrame,
    evidence: pd.DataFrame | None,
    settings: RiskSettings,
    *,
    snapshots: pd.DataFrame | None = None,
    snapshot_pos: np.ndarray | None = None,
) -> pd.DataFrame:
    """``COMMENT_SIGNALS`` per work (NaN = no evidence).

    ``works``: platform, platform_post_id and the latest ``comments`` with its time
    ``last_collected_at``. ``snapshots`` (optional): platform, platform_post_id, captured_at,
    comments; ``snapshot_pos`` each snapshot's row in ``works`` when already known.
    ``comment_hidden`` is claimed/readable where judged (the signal's value: how many times more
    comments are claimed than can be read); ``comments_claimed`` is the count it was judged
    against.
    """
    n = len(works)
    out = pd.DataFrame({c: np.full(n, np.nan) for c in COMMENT_SIGNALS}, index=works.index)
    if evidence is None or not len(evidence) or not n:
        return out
    pos = positions(works, evidence)
    hit = pos >= 0
    if not hit.any():
        return out
    rows = pos[hit]
    readable = np.full(n, np.nan)
    readable[rows] = as_float(evidence["readable_comments"])[hit]
    copies = np.full(n, np.nan)
    if "comment_copies" in evidence.columns:
        copies[rows] = np.nan_to_num(as_float(evidence["comment_copies"])[hit], nan=0.0)
    else:
        copies[rows] = 0.0
    read_ns, read_known = _ns(evidence["comments_read_at"])
    read_at = np.zeros(n, dtype=np.int64)
    known = np.zeros(n, dtype=bool)
    read_at[rows] = read_ns[hit]
    known[rows] = read_known[hit]

    claimed = _claimed_near(works, read_at, known, settings, snapshots, snapshot_pos)
    judged = ~np.isnan(claimed) & (claimed >= settings.comment_min_claimed) & (readable > 0)
    if "comments_complete" in evidence.columns:
        complete = np.zeros(n, dtype=bool)
        complete[rows] = evidence["comments_complete"].fillna(False).to_numpy(dtype=bool)[hit]
        judged &= complete
    limit = reading_limits(works["platform"], readable, claimed, judged, settings)
    if settings.comment_read_limit:
        limit = np.minimum(limit, settings.comment_read_limit)
    judged &= ~(readable >= limit)
    with np.errstate(divide="ignore", invalid="ignore"):
        hidden = np.where(judged, claimed / readable, np.nan)
    out["comments_readable"] = readable
    out["comments_claimed"] = np.where(judged, claimed, np.nan)
    out["comment_hidden"] = hidden
    out["comment_copies"] = copies
    return out


def reading_limits(
    platform: pd.Series,
    readable: np.ndarray,
    claimed: np.ndarray,
    judged: np.ndarray,
    settings: RiskSettings,
) -> np.ndarray:
    """Each work's platform reading limit (inf when none is seen).

    A limit is the smallest readable count that ``comment_ceiling_works`` judged works of the
    platform share exactly while each looks hidden (readable/claimed below
    ``comment_readable_share``): bought comments leave varied readable counts, a per-work read
    limit leaves the same one again and again.
    """
    n = len(readable)
    out = np.full(n, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        looks = judged & (readable / claimed < settings.comment_readable_share)
    if not looks.any():
        return out
    plat = pd.factorize(platform.astype("object"))[0]
    frame = pd.DataFrame({"p": plat[looks], "r": readable[looks]})
    sizes = frame.groupby(["p", "r"]).size()
    ceilings = sizes[sizes >= settings.comment_ceiling_works].reset_index()
    if not len(ceilings):
        return out
    lowest = ceilings.groupby("p")["r"].min()
    limit_of = np.full(int(plat.max()) + 1, np.inf)
    limit_of[lowest.index.to_numpy()] = lowest.to_numpy(dtype="float64")
    return limit_of[np.maximum(plat, 0)]


def _ns(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanoseconds and known-mask of a datetime column (unreadable values unknown)."""
    return to_ns(pd.Series(pd.to_datetime(values, utc=True, errors="coerce")))


def _claimed_near(
    works: pd.DataFrame,
    read_at: np.ndarray,
    known: np.ndarray,
    settings: RiskSettings,
    snapshots: pd.DataFrame | None,
    snapshot_pos: np.ndarray | None,
) -> np.ndarray:
    """The claimed comment count of the reading nearest to ``read_at`` (within the gap)."""
    n = len(works)
    claimed = np.full(n, np.nan)
    if not known.any():
        return claimed
    gap = settings.comment_read_gap_hours * _NS_PER_HOUR
    cand_row = [np.arange(n)]
    if "last_collected_at" in works.columns:
        latest_t, latest_known = _ns(works["last_collected_at"])
    else:
        latest_t, latest_known = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    cand_ts = [latest_t]
    cand_ok = [latest_known]
    cand_v = [as_float(works["comments"]) if "comments" in works.columns else np.full(n, np.nan)]
    if snapshots is not None and len(snapshots) and "comments" in snapshots.columns:
        pos = positions(works, snapshots) if snapshot_pos is None else snapshot_pos
        take = (pos >= 0) & (pos < n)
        take[take] &= known[pos[take]]
        if take.any():
            st, sk = _ns(snapshots["captured_at"][take])
            cand_row.append(pos[take])
            cand_ts.append(st)
            cand_ok.append(sk)
            cand_v.append(as_float(snapshots["comments"])[take])
    row = np.concatenate(cand_row)
    t = np.concatenate(cand_ts)
    ok = np.concatenate(cand_ok) & known[row]
    v = np.concatenate(cand_v)
    ok &= ~np.isnan(v)
    if not ok.any():
        return claimed
    row, t, v = row[ok], t[ok], v[ok]
    dist = np.abs(t - read_at[row]).astype("float64")
    order = np.lexsort((dist, row))
    row, dist, v = row[order], dist[order], v[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    near = first & (dist <= gap)
    claimed[row[near]] = v[near]
    return claimed
