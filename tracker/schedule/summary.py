"""What happened in a day (or a week) of the campaign: counts per platform and the top works.

One function feeds three outputs — the report folder's ``summary.json``, the daily digest sent
to the group robots, and the weekly summary — so the numbers staff read in the chat are the
numbers in the folder. And those numbers are the read model's (``tracker.readmodel.facts``),
counted from the ranking's frames of the configured campaign as they stand when the summary is
written (``load_frames(as_of=now)``), so a digest never disagrees with the report written
beside it (``tracker report --date <day>``: works published by that day, metrics as last
collected). The cut is the writing time, not the end of the period: the morning collection
finds the works published late the day before, and a cut at midnight would report them as new
on no day at all.

- ``new_works``: works published in the period (campaign-zone dates);
- ``total_works``: every work published by the end of the period (or of unknown time);
- ``first_collected``: works first collected in the period (a collection fact, read from the
  cut frames' ``first_collected_at``).

Counting follows docs/figures.md: the configured campaign only, reviewers' exclusions left out,
every review status counted, deleted works counted as the ranking counts them. The top list is
the period's works ordered by 互动量（原始） (likes + comments + shares + favourites as last read
before the cut, unknown counted as nothing), leaving out deleted works: a chat message should
not recommend a link that no longer opens. Its figures are reported as read, unknown as
``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from connectors.catalogue import PLATFORMS
from tracker.config import CampaignConfig
from tracker.ranking.selection import Selection
from tracker.readmodel.facts import Facts, by_platform, daily_works, ranked_facts
from tracker.services.rank import load_frames, with_details
from tracker.store.models import Post
from tracker.store.registry import campaign_ids

POST = Post.__table__

TOP_N = 5
TEXT_CHARS = 120
COUNTS = ("new_works", "total_works", "first_collected")
INTERACTION_METRICS = ("likes", "comments", "shares", "favorites")
SHOWN_METRICS = ("views", *INTERACTION_METRICS)


def day_range(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of ``start`` 00:00 and the day after ``end`` 00:00, local time ``zone``."""
    lo = datetime.combine(start, time.min, zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return lo, hi


def _iso_local(value: Any, zone: ZoneInfo) -> str | None:
    return None if value is None or pd.isna(value) else value.astimezone(zone).isoformat()


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _cut_works(
    engine: Engine, campaign: CampaignConfig, cut: datetime
) -> tuple[int | None, pd.DataFrame, pd.DataFrame | None]:
    """The campaign's id and its works (and registry links) as they stood at ``cut``; no works
    when the campaign is not in the database yet (nothing can be linked to it)."""
    with engine.connect() as conn:
        cid = campaign_ids(conn).get(campaign.name)
        if cid is None:
            return None, pd.DataFrame(), None
        frames = load_frames(conn, cid, as_of=cut)
    return cid, frames.works, frames.account_units


def _platform_counts(
    facts: Facts | None, works: pd.DataFrame, sel: Selection, start: date, end: date
) -> dict[str, dict[str, int]]:
    """Per platform: new and total works from the read model, first collections from the
    frame (``sel`` is the end-of-period cut with every review status)."""
    out: dict[str, dict[str, int]] = {}
    if facts is None:
        return out
    lo, hi = day_range(start, end, ZoneInfo(sel.timezone))
    figures = {
        "total_works": by_platform(facts, sel),
        "new_works": by_platform(facts, sel.with_(date_from=start, date_to=end)),
    }
    for key, table in figures.items():
        for platform, n in zip(table["platform"], table["works"], strict=True):
            out.setdefault(str(platform), dict.fromkeys(COUNTS, 0))[key] = int(n)
    seen = pd.to_datetime(works["first_collected_at"], utc=True)
    fresh = ((seen >= pd.Timestamp(lo)) & (seen < pd.Timestamp(hi))).fillna(False).to_numpy()
    for platform, n in works.loc[fresh, "platform"].astype("str").value_counts().items():
        out.setdefault(str(platform), dict.fromkeys(COUNTS, 0))["first_collected"] = int(n)
    return out


def _per_day(facts: Facts | None, sel: Selection, start: date, end: date) -> list[dict[str, Any]]:
    """New works of each day of the period (the read model's ``daily_works``, all platforms),
    at the period's cut, so the days add up to the period's ``new_works``."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    counts: dict[str, int] = {}
    if facts is not None:
        table = daily_works(facts, sel.with_(date_from=start, date_to=end))
        for day, n in table.groupby(table["day"].dt.strftime("%Y-%m-%d"))["works"].sum().items():
            counts[str(day)] = int(n)
    return [{"day": d.isoformat(), "new_works": counts.get(d.isoformat(), 0)} for d in days]


def _top_rows(works: pd.DataFrame, lo: datetime, hi: datetime, top_n: int) -> pd.DataFrame:
    """The ``top_n`` works published in [lo, hi) by raw interactions (deleted works left out);
    ties in platform and id order, so a rerun lists the same works."""
    if top_n <= 0 or not len(works):
        return works.iloc[0:0]
    published = pd.to_datetime(works["published_at"], utc=True)
    keep = ((published >= pd.Timestamp(lo)) & (published < pd.Timestamp(hi))).fillna(False)
    keep &= ~works["deleted"].astype("boolean").fillna(False)
    rows = works[keep.to_numpy(dtype=bool)].copy()
    rows["interactions"] = sum(
        rows[m].astype("float64").fillna(0).to_numpy() for m in INTERACTION_METRICS
    )
    rows["platform"] = rows["platform"].astype("str")
    rows = rows.sort_values(
        ["interactions", "platform", "platform_post_id"],
        ascending=[False, True, True],
        kind="stable",
    )
    return rows.head(top_n)


def _texts(engine: Engine, rows: pd.DataFrame) -> dict[tuple[str, str], str | None]:
    """The opening of each shown work's text (a details read for a handful of rows)."""
    out: dict[tuple[str, str], str | None] = {}
    if not len(rows):
        return out
    with engine.connect() as conn:
        for platform, ids in rows.groupby("platform")["platform_post_id"]:
            stmt = select(POST.c.platform_post_id, func.substr(POST.c.text, 1, TEXT_CHARS)).where(
                POST.c.platform == platform, POST.c.platform_post_id.in_(list(ids))
            )
            for pid, text in conn.execute(stmt):
                out[(str(platform), str(pid))] = text or None
    return out


def _top_works(
    engine: Engine, works: pd.DataFrame, lo: datetime, hi: datetime, top_n: int, zone: ZoneInfo
) -> list[dict[str, Any]]:
    rows = _top_rows(works, lo, hi, top_n)
    if not len(rows):
        return []
    rows = with_details(engine, rows)
    texts = _texts(engine, rows)
    return [
        {
            "platform": r["platform"],
            "platform_post_id": r["platform_post_id"],
            "title": r["title"],
            "text": texts.get((r["platform"], str(r["platform_post_id"]))),
            "url": r["url"],
            "account_id": r["account_uid"],
            "account_name": r["account_name"],
            "published_at": _iso_local(r["published_at"], zone),
            **{m: _int_or_none(r[m]) for m in SHOWN_METRICS},
            "interactions": int(np.round(r["interactions"])),
        }
        for r in rows.to_dict("records")
    ]


def period_summary(
    engine: Engine,
    campaign: CampaignConfig,
    start: date,
    end: date,
    *,
    now: datetime,
    platforms: Sequence[str] = (),
    top_n: int = TOP_N,
    per_day: bool = False,
) -> dict[str, Any]:
    """Counts per platform and the top works published from ``start`` to ``end`` (inclusive
    dates in the campaign's zone), as the campaign stands at ``now`` (when it is written).

    ``platforms`` are listed even with no work (the enabled ones: a zero is news too); any
    other platform with works is listed as well. ``per_day`` adds ``days``: the new works of
    each day, from the same cut (the weekly summary; one read instead of one per day).
    """
    zone = ZoneInfo(campaign.timezone)
    lo, hi = day_range(start, end, zone)
    cut = now.astimezone(UTC)
    cid, works, units = _cut_works(engine, campaign, cut)
    sel = Selection(
        campaign_id=cid, include_unreviewed=True, as_of=cut, date_to=end, timezone=zone.key
    )
    facts = ranked_facts(works, units, sel) if len(works) else None
    per_platform = {p: dict.fromkeys(COUNTS, 0) for p in platforms}
    for platform, counts in _platform_counts(facts, works, sel, start, end).items():
        per_platform.setdefault(platform, dict.fromkeys(COUNTS, 0)).update(counts)
    order = {p: i for i, p in enumerate(PLATFORMS)}
    ordered = dict(sorted(per_platform.items(), key=lambda kv: order.get(kv[0], len(order))))
    out = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timezone": zone.key,
        "generated_at": now.astimezone(zone).isoformat(),
        **{key: sum(v[key] for v in ordered.values()) for key in COUNTS},
        "platforms": ordered,
        "top_works": _top_works(engine, works, lo, hi, top_n, zone),
    }
    if per_day:
        out["days"] = _per_day(facts, sel, start, end)
    return out
