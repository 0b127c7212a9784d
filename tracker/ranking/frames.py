"""The ranking layer's inputs and outputs as plain DataFrames (the contract with the read home).

Inputs (``RankingFrames``), ids always strings, times UTC-aware, metrics nullable ``Int64``:

- ``works``: one row per campaign work not excluded — platform, platform_post_id, account_uid,
  content_type, published_at, the latest views/likes/comments/shares/favorites,
  last_collected_at, deleted, and either ``fingerprint_key`` (64-bit, as the read home builds it)
  or ``fingerprint``/``text``/``title`` to build it from; account columns account_name,
  followers, verified; unit columns of the account's first unit (unit_id, unit_name,
  unit_kind, city, person, unit_count); review_status; matched_by (how the work joined the
  campaign: ``manual`` marks one staff admitted); with ``details`` also title, url, source.
- ``history``: the same accounts' *other* posts (not campaign works), for the CrowdTangle
  baseline: platform, platform_post_id, account_uid, content_type, published_at, metrics,
  last_collected_at. Campaign works are history for later works too; they are not repeated here.
- ``snapshots``: metric_snapshot rows of works and history posts; ``post_row`` (optional) is
  each snapshot's row in works followed by history, used when it still matches.
- ``accounts``: the works' accounts (platform, platform_uid, name, followers, verified).
- ``account_units``: account_unit joined with unit (platform, platform_uid, unit_id, unit_name,
  unit_kind, city, person, source). ``units``: every registry unit.
- ``reviews``: platform, platform_post_id, status, reviewer, note, decided_at.
- ``links``: optional manual creator links (platform, platform_uid, creator).
- ``comments``: optional per-work comment evidence (platform, platform_post_id,
  readable_comments, comments_read_at, comment_copies; ``tracker.ranking.comment_risk``): only
  works whose comments were read have a row; None or empty gives no comment evidence.
- ``campaign``: the stored campaign row as a dict; ``window_start``/``window_end`` (UTC
  instants, start of the first and end of the last local day) and ``timezone`` give the
  campaign window (``window``). None: no window, every work counts as inside.

Only platform, platform_post_id and account_uid are required in ``works``; every other column
is optional (missing metrics are NULL), so tests can build small tables by hand.

``works``, ``history`` and ``snapshots`` may carry ``floor_bits`` (the read home builds it: one bit
per metric shown only as a floor, "100万+"; see ``floors``) or the stored ``lower_bounds``
text instead; without either, every figure is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tracker.ranking.settings import RankingSettings

__all__ = ["RankingFrames", "RankingResult", "empty_frame"]


def empty_frame(columns: list[str] | tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass
class RankingFrames:
    works: pd.DataFrame
    history: pd.DataFrame = field(
        default_factory=lambda: empty_frame(("platform", "platform_post_id", "account_uid"))
    )
    snapshots: pd.DataFrame = field(
        default_factory=lambda: empty_frame(("platform", "platform_post_id", "captured_at"))
    )
    accounts: pd.DataFrame | None = None
    account_units: pd.DataFrame | None = None
    units: pd.DataFrame | None = None
    reviews: pd.DataFrame | None = None
    links: pd.DataFrame | None = None
    campaign: dict | None = None
    comments: pd.DataFrame | None = None


@dataclass
class RankingResult:
    """Everything ranked, each score's components as columns (see ``columns.COLUMNS_ZH``)."""

    works: pd.DataFrame
    creators: pd.DataFrame
    units: pd.DataFrame
    accounts: pd.DataFrame
    platforms: pd.DataFrame
    settings: RankingSettings
    approved_only: bool = False
    scoring_platforms: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The per-platform fits of the works' scores, by part (``platforms`` holds them with the
    creators' beside them): what ``with_reviews`` needs to make ``platforms`` again."""

    def top_works(
        self, n: int | None = None, *, platform: str | None = None, recommendable_only: bool = False
    ) -> pd.DataFrame:
        """Works by rank (best first), optionally one platform's or only recommendable ones.

        ``works`` itself keeps the input order: sorting a million rows of ~80 columns costs
        more than taking the few rows a table or export needs.
        """
        w = self.works
        mask = w["rank"].notna().to_numpy().copy()
        if platform is not None:
            mask &= (w["platform"].astype("object") == platform).to_numpy()
        if recommendable_only:
            mask &= w["recommendable"].to_numpy(dtype=bool)
        sub = w[mask]
        key = "platform_rank" if platform is not None else "rank"
        if n is not None:
            return sub.nsmallest(n, key, keep="first").reset_index(drop=True)
        return sub.sort_values(key, kind="stable").reset_index(drop=True)
