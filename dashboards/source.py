"""What the dashboard reads, with caches that know when the data changed.

Two kinds of read:
- **aggregates** (overview, map, run log): GROUP BY queries from the read home (``tracker.store.queries.dashboard``), cached per filter
  set and *data version*. The version is ``(max run id, max review_event id)``: every collection,
  refresh and import writes a run row and every review decision an event, so a new version means
  new data; two primary-key lookups decide it.
- **the ranking**: ranked once per campaign and data version by the rank service (the same one
  the CLI exports use) and kept; review decisions do not re-rank (scores do not depend on them),
  they are read fresh for the rows shown and patched in before an export.
- **the deadline cut** (the 数据截至 picker, ``Selection.as_of``): the campaign ranked as it
  stood at that instant (``rank_service(as_of=...)``, as ``--as-of`` does), kept for the last
  few cuts per data version; the overview, city and map figures then come from that ranking's
  works (``ranked_facts``), the very path the exports take, instead of the SQL facts.

One lock per campaign stops two browser tabs from ranking the same campaign at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from copy import copy
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from dashboards.filters import Selection
from dashboards.leaderboards import labelled
from tracker.config import CampaignConfig, TrackerConfig
from tracker.ranking.selection import parse_as_of
from tracker.ranking.slices import RankedCampaign
from tracker.readmodel import facts as aggregate
from tracker.readmodel.facts import Facts
from tracker.services.rank import rank_service
from tracker.services.review import Decision, RecordSummary, record_decisions
from tracker.store.queries import Engine
from tracker.store.queries import dashboard as reads
from tracker.store.queries.ranking_inputs import load_reviews

__all__ = ["DashboardData"]

CUT_RANKINGS = 3
"""Rankings kept for deadline cuts (a ranking holds the whole campaign; staff compare a few
deadlines at most, and the uncut ranking is kept besides)."""


@dataclass(frozen=True, slots=True)
class CampaignInfo:
    id: int
    name: str
    title: str
    config: CampaignConfig


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        value = compute()
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


class DashboardData:
    """Read access (and review writes) for one database and config."""

    def __init__(self, engine: Engine, config: TrackerConfig, *, cache_size: int = 256) -> None:
        self.engine = engine
        self.config = config
        self._aggregates = _LRU(cache_size)
        self._facts = _LRU(4)
        self._cut_facts = _LRU(CUT_RANKINGS)
        self._cut_ranked = _LRU(CUT_RANKINGS)
        self._ranked: dict[int, tuple[tuple[int, int], RankedCampaign]] = {}
        self._rank_locks: dict[int, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._campaigns: list[CampaignInfo] | None = None

    # --- identity and versions --------------------------------------------------------------

    def campaigns(self) -> list[CampaignInfo]:
        if self._campaigns is None:
            with self.engine.connect() as conn:
                rows = reads.campaigns(conn)
            configured = {c.name: c for c in self.config.campaigns}
            self._campaigns = [
                CampaignInfo(int(r.id), r.name, r.title or r.name, configured[r.name])
                for r in rows.itertuples()
                if r.name in configured
            ]
        return self._campaigns

    def campaign(self, campaign_id: int | None) -> CampaignInfo:
        infos = self.campaigns()
        if not infos:
            raise LookupError("数据库中没有已配置的活动；请先运行 `tracker init`")
        for info in infos:
            if info.id == campaign_id:
                return info
        return infos[0]

    def version(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            return reads.data_version(conn)

    def filters(
        self,
        campaign_id: int | None,
        platforms: Sequence[str] | None = None,
        city: str | None = None,
        unit_kind: str | None = None,
        date_from: Any = None,
        date_to: Any = None,
        as_of: Any = None,
    ) -> Selection:
        """The Selection of the filter bar's values; ``as_of`` is the 数据截至 picker's day
        (the end of that day in the campaign's zone, as ``--as-of 2024-09-27`` reads)."""
        info = self.campaign(campaign_id)
        zone = info.config.timezone
        return Selection(
            campaign_id=info.id,
            platforms=tuple(platforms or ()),
            cities=(city,) if city else (),
            unit_kinds=(unit_kind,) if unit_kind else (),
            date_from=_as_date(date_from),
            date_to=_as_date(date_to),
            as_of=_cut(as_of, zone),
            timezone=zone,
        )

    # --- cached aggregates --------------------------------------------------------------------

    def _cached(self, name: str, f: Selection | None, compute: Callable[[Any], Any]) -> Any:
        key = (name, f, self.version())

        def run() -> Any:
            with self.engine.connect() as conn:
                return compute(conn)

        return self._aggregates.get_or_compute(key, run)

    def options(self) -> dict[str, list[str]]:
        return self._cached("options", None, reads.filter_options)

    def facts(self, f: Selection) -> Facts:
        """The campaign's pre-aggregated works (one query per collection run) with today's
        review decisions (re-read when a decision was made); with a deadline cut, the works of
        the campaign ranked as of the cut (``cut_facts``)."""
        if f.as_of is not None:
            return self.cut_facts(f)
        runs_version, review_version = self.version()
        cid = self.campaign(f.campaign_id).id
        key = ("facts", cid, f.timezone, runs_version)

        def load() -> Facts:
            with self.engine.connect() as conn:
                return aggregate.load_facts(conn, cid, f.timezone)

        facts = self._facts.get_or_compute(key, load)
        rkey = ("reviews", cid, f.timezone, runs_version, review_version)

        def reviews() -> pd.DataFrame:
            with self.engine.connect() as conn:
                return aggregate.load_reviews(conn, cid, f.timezone, facts.accounts)

        return replace(facts, reviews=self._aggregates.get_or_compute(rkey, reviews))

    def cut_facts(self, f: Selection) -> Facts:
        """Facts of the campaign as it stood at ``f.as_of``: the cut ranking's works with
        today's review decisions, every work kept (the page shows review counts, not a list),
        built by ``ranked_facts`` exactly as the summary export builds its 概况."""
        cut = f.as_of_utc()
        key = ("cut-facts", f.campaign_id, f.timezone, cut, self.version())

        def load() -> Facts:
            ranked = self.ranked_with_reviews(f.campaign_id, cut)
            return aggregate.ranked_facts(
                ranked.result.works,
                ranked.frames.account_units,
                f.with_(include_unreviewed=True),
            )

        return self._cut_facts.get_or_compute(key, load)

    def overview(self, f: Selection) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            facts = self.facts(f)
            return {
                "headline": aggregate.headline(facts, f),
                "daily": aggregate.daily_works(facts, f),
                "types": aggregate.by_content_type(facts, f),
                "kinds": aggregate.by_unit_kind(facts, f),
            }

        return self._aggregates.get_or_compute(("overview", f, self.version()), compute)

    def cities(self, f: Selection) -> pd.DataFrame:
        return self._aggregates.get_or_compute(
            ("cities", f, self.version()), lambda: aggregate.by_city(self.facts(f), f)
        )

    def unreported(self, campaign_id: int | None, as_of: datetime | None = None) -> pd.DataFrame:
        """Registered units with no work and no submission (``tracker.membership.unreported``),
        as of the deadline cut when one is set."""
        from tracker.membership.unreported import load_unreported

        cid = self.campaign(campaign_id).id
        cut = as_of.astimezone(UTC).isoformat() if as_of is not None else "now"
        return self._cached(
            f"unreported-{cid}-{cut}", None, lambda c: load_unreported(c, cid, as_of=as_of)
        )

    def weekly(self, campaign_id: int | None, as_of: datetime | None = None) -> Any:
        """Week over week as of the latest collection, or of the deadline cut
        (``tracker.membership.weekly``)."""
        from tracker.membership.weekly import load_week_inputs, week_over_week
        from tracker.store.queries.ranking_inputs import load_units

        cid = self.campaign(campaign_id).id

        def compute(conn: Any) -> Any:
            inputs = load_week_inputs(conn, cid, as_of)
            if inputs.as_of is None:
                return None
            au, units = load_units(conn)
            return week_over_week(inputs.works, inputs.snapshots, au, units, inputs.as_of)

        cut = as_of.astimezone(UTC).isoformat() if as_of is not None else "now"
        return self._cached(f"weekly-{cid}-{cut}", None, compute)

    def registered_units(self) -> pd.DataFrame:
        """Every registry unit: unit_id, unit_name, unit_kind, city."""
        from tracker.store.queries.ranking_inputs import load_units

        return self._cached("registry", None, lambda c: load_units(c)[1])

    def runs(self) -> tuple[pd.DataFrame, int]:
        def compute(conn: Any) -> tuple[pd.DataFrame, int]:
            return reads.run_log(conn, limit=500), reads.reject_count(conn)

        return self._cached("runs", None, compute)

    # --- the ranking ----------------------------------------------------------------------------

    def ranked(self, campaign_id: int | None, as_of: datetime | None = None) -> RankedCampaign:
        """The campaign ranked now, or as it stood at ``as_of`` (aware; the last
        ``CUT_RANKINGS`` cuts are kept per data version)."""
        info = self.campaign(campaign_id)
        with self._locks_lock:
            lock = self._rank_locks.setdefault(info.id, threading.Lock())
        with lock:
            runs_version = self.version()[0]
            if as_of is not None:
                cut = as_of.astimezone(UTC)
                return self._cut_ranked.get_or_compute(
                    (info.id, cut, runs_version),
                    lambda: rank_service(
                        self.engine, self.config, info.name, include_unreviewed=True, as_of=cut
                    ),
                )
            hit = self._ranked.get(info.id)
            if hit is not None and hit[0][0] == runs_version:
                return hit[1]
            ranked = rank_service(self.engine, self.config, info.name, include_unreviewed=True)
            self._ranked[info.id] = ((runs_version, 0), ranked)
            return ranked

    def ranked_with_reviews(
        self, campaign_id: int | None, as_of: datetime | None = None
    ) -> RankedCampaign:
        """The cached ranking (now, or at the cut ``as_of``) with today's review decisions
        patched in (for exports and the cut's figures)."""
        ranked = self.ranked(campaign_id, as_of)
        with self.engine.connect() as conn:
            reviews = load_reviews(conn, ranked.campaign_id)
        works = ranked.result.works.copy()
        works["review_status"] = _statuses(works, reviews)
        result = copy(ranked.result)
        result.works = works
        frames = copy(ranked.frames)
        frames.reviews = reviews
        out = copy(ranked)
        out.result = result
        out.frames = frames
        return out

    def fresh_statuses(self, works: pd.DataFrame) -> pd.DataFrame:
        """``works`` (a page of rows) with review_status/reviewer/note read from the store now."""
        out = works.copy()
        if not len(out):
            out["reviewer"] = pd.Series(dtype="object")
            out["review_note"] = pd.Series(dtype="object")
            return out
        keys = list(
            zip(out["platform"].astype("str"), out["platform_post_id"].astype("str"), strict=True)
        )
        with self.engine.connect() as conn:
            found = reads.review_rows(conn, keys)
        status, reviewer, note = [], [], []
        for k in keys:
            r = found.get(k)
            status.append(r[0] if r else "pending")
            reviewer.append(r[1] if r else None)
            note.append(r[2] if r else None)
        out["review_status"] = status
        out["reviewer"] = reviewer
        out["review_note"] = note
        return out

    def labelled(self, works: pd.DataFrame) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return labelled(conn, works)

    # --- writes -----------------------------------------------------------------------------------

    def review(
        self, keys: Sequence[tuple[str, str]], status: str, reviewer: str, note: str | None
    ) -> RecordSummary:
        decisions = [
            Decision(str(p), str(i), status, reviewer, (note or "").strip()[:500] or None)
            for p, i in dict.fromkeys(keys)
        ]
        # Not carried: this process patches decisions in without ranking again (see the module
        # docstring), and a carry would hold each click for the store's settle time.
        return record_decisions(self.engine, decisions, carry_kept=False)


def _statuses(works: pd.DataFrame, reviews: pd.DataFrame) -> np.ndarray:
    status = np.full(len(works), "pending", dtype=object)
    if reviews is None or not len(reviews):
        return status
    r = reviews.drop_duplicates(["platform", "platform_post_id"], keep="last")
    lookup = {
        (str(p), str(i)): s
        for p, i, s in zip(r["platform"], r["platform_post_id"], r["status"], strict=True)
    }
    keys = zip(
        works["platform"].astype("str"), works["platform_post_id"].astype("str"), strict=True
    )
    for n, k in enumerate(keys):
        s = lookup.get(k)
        if s is not None:
            status[n] = s
    return status


def _as_date(value: Any) -> Any:
    if value in (None, ""):
        return None
    return pd.Timestamp(str(value)[:10]).date()


def _cut(value: Any, timezone: str) -> datetime | None:
    """The 数据截至 picker's value as the cut: a day (``2024-09-27``, or the ISO date-time
    the picker may send) is the end of that day in the campaign's zone; an aware instant is
    kept as it is."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return parse_as_of(str(value)[:10], timezone)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start
