"""The overview figures from pre-aggregated facts: one query per data version, any filter after.

The campaign is grouped by (platform, account, Beijing day, content type): for the dashboard,
its works read columnar (``dashboard.campaign_fact_works``) and grouped in pandas on a big
database, in SQL (``dashboard.campaign_facts``) on a small one; for the report,
``facts_from_frames`` groups the ranking's already loaded works the same way (it ranks anyway
and so needs no second pass). Every filter of
the dashboard acts on those keys (platform, day, and the account's registry units for city and
unit kind), so each overview, map or report figure is a few vectorised numpy steps on the
grouped rows instead of another scan of the works table: at a million works a scan costs
seconds in SQLite, a filtered overview from the facts a fraction of one. Review counts come
from the small ``review`` table (decisions change often).

Counting rules (the same as the report's and the exports'): a work counts once per group; an
account registered under several units counts for each of their cities and kinds; works of
accounts outside the registry are grouped as ``未登记``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from tracker.ranking.selection import UNREGISTERED, Selection
from tracker.store.queries import Connection
from tracker.store.queries import dashboard as reads
from tracker.store.queries.dashboard import METRICS

__all__ = [
    "Facts",
    "by_city",
    "by_content_type",
    "by_unit",
    "by_unit_kind",
    "by_platform",
    "collection_summary",
    "daily_works",
    "facts_from_frames",
    "ranked_facts",
    "review_scope",
    "headline",
    "load_facts",
    "load_reviews",
]

EPOCH = np.datetime64("1970-01-01", "D")
NO_DAY = np.iinfo(np.int32).min


@dataclass
class Facts:
    """A campaign's grouped works as arrays, its registry links and its reviewed works.

    ``rows`` keeps the grouped rows as a DataFrame with integer codes: ``acc`` (index into
    ``accounts``), ``platform``/``content_type`` categoricals and ``day`` as days
    since 1970 (``NO_DAY`` when the publication time is unknown). ``links`` are registry links
    of accounts that have works (acc code, unit id, city, kind).
    """

    rows: pd.DataFrame
    accounts: pd.Index
    links: pd.DataFrame
    registered: np.ndarray  # bool per account code: listed by at least one unit
    reviews: pd.DataFrame  # platform, acc (code, -1 = account without works), day, status


def _acc_keys(platform: pd.Series, uid: pd.Series) -> pd.Series:
    return platform.astype("str") + ":" + uid.astype("object").fillna("").astype("str")


def _days(values: pd.Series) -> np.ndarray:
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    out = np.full(len(values), NO_DAY, dtype=np.int32)
    ok = parsed.notna().to_numpy()
    out[ok] = (parsed[ok].to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int32)
    return out


def load_facts(conn: Connection, campaign_id: int, timezone: str) -> Facts:
    """Facts from the database (the dashboard's path): the campaign's works read columnar
    and grouped here as the report groups the ranking's works, where a columnar reader
    serves (a big database); else one grouped query."""
    works = reads.campaign_fact_works(conn, campaign_id)
    if works is not None:
        raw = _grouped(_fact_rows(works, timezone), ["works", "interactions"])
    else:
        raw = reads.campaign_facts(conn, campaign_id, timezone)
        raw["day"] = _days(raw["day"])
    links = reads.unit_links(conn)
    reviews = reads.reviewed_works(conn, campaign_id, timezone)
    reviews["day"] = _days(reviews["day"])
    return _build(raw, links, reviews)


RANKED_SUMS = ("weighted", "flagged", "q_sum", "q_n", "out_window")
"""Additive columns the facts carry when built from ranked works (``facts_from_frames`` on
``RankingResult.works``): weighted interactions I, works flagged for risk, the sum and count of
quality scores (a group's mean is their ratio) and works published outside the window. The
dashboard's grouped SQL path has no ranking, so it has none of them."""


def _latest(works: pd.DataFrame, metric: str) -> pd.Series:
    """A metric as last collected: ranked works keep it as ``latest_<m>`` (their ``<m>`` is
    the fixed-age reading the score used); the frames as read have it as ``<m>``."""
    for col in (f"latest_{metric}", metric):
        if col in works.columns:
            return works[col].astype("float64")
    return pd.Series(np.nan, index=works.index, dtype="float64")


def facts_from_frames(
    works: pd.DataFrame, account_units: pd.DataFrame | None, timezone: str
) -> Facts:
    """Facts from the ranking's frames (the report's and the exports' path: no second pass).

    ``works`` is ``RankingFrames.works`` or, with the scores, ``RankingResult.works``
    (then the facts also carry ``RANKED_SUMS``); ``account_units`` the registry links
    (platform, platform_uid, unit_id, city, unit_kind).
    """
    frame = _fact_rows(works, timezone)
    day = frame["day"].to_numpy()
    ranked = "quality_score" in works.columns
    if ranked:
        quality = works["quality_score"].astype("float64")
        frame["weighted"] = works["interactions"].astype("float64").fillna(0).to_numpy()
        frame["flagged"] = works["risk_flag"].fillna(False).astype(bool).to_numpy(dtype=int)
        frame["q_sum"] = quality.fillna(0).to_numpy()
        frame["q_n"] = quality.notna().to_numpy(dtype=int)
        outside = (
            ~works["in_window"].fillna(True).astype(bool)
            if "in_window" in works.columns
            else pd.Series(False, index=works.index)
        )
        frame["out_window"] = outside.to_numpy(dtype=int)
    raw = _grouped(frame, ["works", "interactions", *(RANKED_SUMS if ranked else ())])
    links = (
        account_units[["platform", "platform_uid", "unit_id", "city", "unit_kind"]]
        if account_units is not None and len(account_units)
        else pd.DataFrame(columns=["platform", "platform_uid", "unit_id", "city", "unit_kind"])
    )
    status = works["review_status"].astype("object") if "review_status" in works.columns else None
    if status is not None:
        reviewed = (status != "pending").to_numpy()
        reviews = pd.DataFrame(
            {
                "platform": frame["platform"][reviewed],
                "account_uid": frame["account_uid"][reviewed],
                "day": day[reviewed],
                "status": status[reviewed],
            }
        )
    else:
        reviews = pd.DataFrame(columns=["platform", "account_uid", "day", "status"])
    return _build(raw, links, reviews)


def _fact_rows(works: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """One row per work with the facts' keys (platform, account, local day, content type)
    and its counts: the ranked works' latest metrics, or the metrics as read."""
    local = pd.to_datetime(works["published_at"], utc=True).dt.tz_convert(timezone)
    day = np.full(len(works), NO_DAY, dtype=np.int32)
    known = local.notna().to_numpy()
    day[known] = (
        local[known].dt.tz_localize(None).to_numpy().astype("datetime64[D]") - EPOCH
    ).astype(np.int32)
    metrics = {m: _latest(works, m) for m in METRICS}
    collected = "latest_collected_at" if "latest_collected_at" in works.columns else None
    return pd.DataFrame(
        {
            "platform": _category(works["platform"], ""),
            "account_uid": _category(works["account_uid"], ""),
            "day": day,
            "content_type": _category(works["content_type"], "unknown"),
            "works": 1,
            "interactions": sum(
                metrics[m].fillna(0) for m in ("likes", "comments", "shares", "favorites")
            ),
            **metrics,
            "last_collected_at": pd.to_datetime(works[collected or "last_collected_at"], utc=True),
        }
    )


def _grouped(frame: pd.DataFrame, sums: list[str]) -> pd.DataFrame:
    """``frame``'s rows grouped by (platform, account, day, content type): ``sums`` added,
    each metric summed (unknown when no work of the group knows it), the latest collection."""
    keys = ["platform", "account_uid", "day", "content_type"]
    grouped = frame.groupby(keys, sort=False, observed=True)
    raw = pd.concat(
        [
            grouped[sums].sum(),
            grouped[list(METRICS)].sum(min_count=1),  # all unknown stays unknown, not 0
            grouped[["last_collected_at"]].max(),
        ],
        axis=1,
    )
    raw = raw.reset_index()
    raw["interactions"] = raw["interactions"].round().astype("int64")
    for col in ("platform", "content_type"):
        raw[col] = raw[col].astype("category")
    return raw


def ranked_facts(
    works: pd.DataFrame, account_units: pd.DataFrame | None, selection: Selection
) -> Facts:
    """The facts every file and page counts from: the ranked works under the selection's
    review rule (approved only unless ``include_unreviewed``), with the scores' sums. The
    other filters (platforms, dates, cities, unit kinds) are applied by each figure."""
    return facts_from_frames(review_scope(works, selection), account_units, selection.timezone)


def review_scope(works: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """``works`` under the selection's review rule: approved ones only unless
    ``include_unreviewed`` (works without a review column are kept as they are)."""
    if selection.include_unreviewed or "review_status" not in works.columns:
        return works.reset_index(drop=True)
    approved = (works["review_status"].astype("object") == "approved").to_numpy()
    return works[approved].reset_index(drop=True)


def _category(values: pd.Series, missing: str) -> pd.Categorical:
    """A categorical without missing values (grouping on codes is far cheaper than on text)."""
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    if cat.isna().any():
        if missing not in cat.cat.categories:
            cat = cat.cat.add_categories([missing])
        cat = cat.fillna(missing)
    return cat.cat.remove_unused_categories()


def _account_codes(platform: pd.Series, uid: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Dense codes of (platform, account) pairs and their ``platform:uid`` keys.

    Factorised as integers (platform code x account code), so the key text is built only once
    per distinct account rather than once per row.
    """
    p_codes, p_uniques = _factorised(platform, None)
    u_codes, u_uniques = _factorised(uid, "")
    width = max(len(u_uniques), 1)
    codes, keys = pd.factorize(p_codes.astype(np.int64) * width + u_codes)
    keys = np.asarray(keys, dtype=np.int64)
    names = (
        pd.Series(np.asarray(p_uniques, dtype=object)[keys // width]).astype("str")
        + ":"
        + pd.Series(np.asarray(u_uniques, dtype=object)[keys % width]).astype("str")
    )
    return codes, pd.Index(names)


def _factorised(values: pd.Series, missing: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of ``values``; a categorical's own codes when it has no missing value
    (hashing 650k strings again costs half a second at a million works)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and not values.isna().any():
        return values.cat.codes.to_numpy().astype(np.int64), np.asarray(
            values.cat.categories, dtype=object
        )
    plain = values.astype("object")
    if missing is not None:
        plain = plain.fillna(missing)
    codes, uniques = pd.factorize(plain, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def _build(raw: pd.DataFrame, links: pd.DataFrame, reviews: pd.DataFrame) -> Facts:
    codes, accounts = _account_codes(raw["platform"], raw["account_uid"])
    rows = raw.drop(columns=["account_uid"]).assign(acc=codes.astype(np.int32))
    rows["day"] = rows["day"].astype(np.int32)
    link_acc = accounts.get_indexer(_acc_keys(links["platform"], links["platform_uid"]))
    links = links.assign(acc=link_acc)[link_acc >= 0][["acc", "unit_id", "city", "unit_kind"]]
    registered = np.zeros(len(accounts), dtype=bool)
    registered[links["acc"].to_numpy()] = True
    facts = Facts(
        rows.reset_index(drop=True),
        accounts,
        links.reset_index(drop=True),
        registered,
        pd.DataFrame(),
    )
    facts.reviews = _reviews(reviews, accounts)
    return facts


def load_reviews(
    conn: Connection, campaign_id: int, timezone: str, accounts: pd.Index
) -> pd.DataFrame:
    reviews = reads.reviewed_works(conn, campaign_id, timezone)
    reviews["day"] = _days(reviews["day"])
    return _reviews(reviews, accounts)


def _reviews(reviews: pd.DataFrame, accounts: pd.Index) -> pd.DataFrame:
    acc = accounts.get_indexer(_acc_keys(reviews["platform"], reviews["account_uid"]))
    return pd.DataFrame(
        {
            "platform": reviews["platform"].astype("str").to_numpy(),
            "acc": acc.astype(np.int32),
            "day": reviews["day"].to_numpy().astype(np.int32),
            "status": reviews["status"].to_numpy(),
        }
    )


# --- filtering ------------------------------------------------------------------------------------


def _day_number(d: date) -> int:
    return int((np.datetime64(d.isoformat(), "D") - EPOCH).astype(np.int32))


def _matching_links(links: pd.DataFrame, f: Selection) -> pd.DataFrame:
    """Registry links that satisfy the city and kind filters themselves."""
    out = links
    if f.cities:
        out = out[out["city"].isin(f.cities).to_numpy()]
    kinds = [k for k in f.unit_kinds if k != UNREGISTERED]
    if kinds:
        out = out[out["unit_kind"].isin(kinds).to_numpy()]
    elif f.unit_kinds:
        out = out.iloc[0:0]
    return out


def _account_mask(facts: Facts, f: Selection) -> np.ndarray | None:
    """Per account code: kept by the city / unit-kind filters (None when there are none)."""
    if not f.cities and not f.unit_kinds:
        return None
    keep = np.zeros(len(facts.accounts), dtype=bool)
    keep[_matching_links(facts.links, f)["acc"].to_numpy()] = True
    if UNREGISTERED in f.unit_kinds and not f.cities:
        keep |= ~facts.registered
    return keep


def _mask(facts: Facts, frame: pd.DataFrame, f: Selection) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    if f.platforms:
        mask &= frame["platform"].isin(f.platforms).to_numpy()
    day = frame["day"].to_numpy()
    if f.date_from is not None:
        mask &= (day >= _day_number(f.date_from)) & (day != NO_DAY)
    if f.date_to is not None:
        mask &= (day <= _day_number(f.date_to)) & (day != NO_DAY)
    accounts = _account_mask(facts, f)
    if accounts is not None:
        acc = frame["acc"].to_numpy()
        mask &= (acc >= 0) & accounts[np.maximum(acc, 0)]
    return mask


def _rows(facts: Facts, f: Selection) -> pd.DataFrame:
    return facts.rows[_mask(facts, facts.rows, f)]


# --- figures --------------------------------------------------------------------------------------


def _platforms_with_works(rows: pd.DataFrame) -> int:
    """How many platforms have a work among ``rows`` (counted on the category codes)."""
    codes = rows["platform"].cat.codes.to_numpy()[rows["works"].to_numpy() > 0]
    return int(np.count_nonzero(np.bincount(codes[codes >= 0], minlength=1)))


def _maybe_int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _per_account(rows: pd.DataFrame, n: int, columns: list[str]) -> dict[str, np.ndarray]:
    """Per account code: the sum of each column; ``views`` (unknown where a platform hides
    them) also gets ``views_known``, so a group of unknowns stays unknown, not 0."""
    acc = rows["acc"].to_numpy()
    out = {}
    for c in columns:
        values = rows[c].to_numpy(dtype="float64")
        known = ~np.isnan(values)
        out[c] = np.bincount(acc, weights=np.where(known, values, 0.0), minlength=n)
        if c == "views":
            out["views_known"] = np.bincount(acc, weights=known.astype(float), minlength=n)
    return out


def _sums(rows: pd.DataFrame) -> list[str]:
    """The additive columns these facts have: always works and raw interactions, and the
    ranked ones when the facts came from ranked works."""
    return ["works", "interactions", *(c for c in RANKED_SUMS if c in rows.columns)]


def _ranked_figures(totals: dict[str, float]) -> dict[str, Any]:
    """Weighted interactions, flagged, mean quality and out-of-window works of some totals
    (None each when the facts carry no ranking)."""
    if "weighted" not in totals:
        return {"weighted": None, "flagged": None, "quality_mean": None, "out_window": None}
    n = totals["q_n"]
    return {
        "weighted": float(totals["weighted"]),
        "flagged": int(round(totals["flagged"])),
        "quality_mean": float(totals["q_sum"] / n) if n else None,
        "out_window": int(round(totals["out_window"])),
    }


def headline(facts: Facts, f: Selection) -> dict[str, Any]:
    """The headline facts: works, accounts, platforms, units, cities, raw and weighted
    interactions, public metrics, review counts (each work once, whatever its units)."""
    rows = _rows(facts, f)
    cols = _sums(rows)
    per_acc = _per_account(rows, len(facts.accounts), ["works"])
    active = per_acc["works"] > 0
    totals = {c: float(rows[c].sum()) for c in cols}
    out: dict[str, Any] = {
        "works": int(totals["works"]),
        "accounts": int(active.sum()),
        "platforms": _platforms_with_works(rows),
        "interactions": int(totals["interactions"]),
    }
    out.update(_ranked_figures(totals))
    for m in METRICS:
        out[m] = _maybe_int(rows[m].sum(min_count=1))
    last = rows["last_collected_at"].max() if len(rows) else pd.NaT
    out["last_collected_at"] = None if pd.isna(last) else last.to_pydatetime()
    links = _matching_links(facts.links, f)
    links = links[active[links["acc"].to_numpy()]]
    out["units"] = int(links["unit_id"].nunique())
    out["cities"] = int(links["city"].dropna().nunique())
    out["unregistered_works"] = int(per_acc["works"][~facts.registered].sum())
    reviews = facts.reviews
    if len(reviews):
        reviews = reviews[_mask(facts, reviews, f)]
    counts = reviews["status"].value_counts() if len(reviews) else pd.Series(dtype="int64")
    out["approved"] = int(counts.get("approved", 0))
    out["rejected"] = int(counts.get("rejected", 0))
    out["pending"] = out["works"] - out["approved"] - out["rejected"]
    return out


def daily_works(facts: Facts, f: Selection) -> pd.DataFrame:
    """Per Beijing day and platform: new works and their interactions (latest counts)."""
    rows = _rows(facts, f)[["day", "platform", "works", "interactions"]]
    rows = rows[rows["day"].to_numpy() != NO_DAY]
    g = _sums_by(rows, ["day", "platform"], ["works", "interactions"])
    g["platform"] = g["platform"].astype("str")
    g["day"] = pd.to_datetime(EPOCH + g["day"].to_numpy().astype("timedelta64[D]"))
    return g[["day", "platform", "works", "interactions"]]


def by_content_type(facts: Facts, f: Selection) -> pd.DataFrame:
    rows = _rows(facts, f)
    g = _sums_by(rows, ["platform", "content_type"], ["works"])
    g = g.astype({"platform": "str", "content_type": "str"})
    return g[g["works"] > 0].reset_index(drop=True)


def _sums_by(
    rows: pd.DataFrame, by: list[str], columns: list[str], *, max_bins: int | None = None
) -> pd.DataFrame:
    """``rows.groupby(by, sort=True, observed=True)[columns].sum().reset_index()`` for integer
    columns, by counting into one bin per combination of the keys' codes.

    The overview's figures group every fact row (650,000 at a million works) a few ways per
    request; pandas' groupby re-derives the keys' codes each time, which was a third of the
    page's time. Keys are categoricals (their category order) or anything ``pd.factorize``
    sorts; rows with a missing key are dropped, as groupby drops them. Past ``max_bins``
    combinations (default: four per row) the bins are the sorted distinct combinations.
    """
    codes: list[np.ndarray] = []
    uniques: list[Any] = []
    for col in by:
        values = rows[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes.append(values.cat.codes.to_numpy())
            uniques.append(values.cat.categories)
        else:
            c, u = pd.factorize(values, sort=True)
            codes.append(c)
            uniques.append(u)
    keep = np.logical_and.reduce([c >= 0 for c in codes])
    sizes = tuple(len(u) for u in uniques)
    key = np.ravel_multi_index(tuple(c[keep] for c in codes), sizes)
    bins = int(np.prod(sizes, dtype=np.int64))
    if bins <= (4 * len(rows) + 1024 if max_bins is None else max_bins):
        present = np.flatnonzero(np.bincount(key, minlength=bins))
        slot = np.empty(bins, dtype=np.int64)
        slot[present] = np.arange(len(present))
        at, groups = slot[key], present
    else:
        groups, at = np.unique(key, return_inverse=True)
    out: dict[str, Any] = {}
    for col, u, c in zip(by, uniques, np.unravel_index(groups, sizes), strict=True):
        taken = u.take(c)
        if isinstance(rows[col].dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical(taken, categories=u)
        else:
            out[col] = np.asarray(taken)
    for col in columns:
        weights = rows[col].to_numpy()[keep]
        out[col] = np.bincount(at, weights=weights, minlength=len(groups)).astype(weights.dtype)
    return pd.DataFrame(out)


def _grouped_by_unit(
    facts: Facts, f: Selection, col: str, *, unregistered: bool = True
) -> pd.DataFrame:
    """Per value of a unit column (city or unit kind): an account counts once for each value
    its units have, never twice for one; ``units`` counts the units with works there."""
    rows = _rows(facts, f)
    cols = [*_sums(rows), "views"]
    per_acc = _per_account(rows, len(facts.accounts), cols)
    cols.append("views_known")
    links = _matching_links(facts.links, f)
    acc_all = links["acc"].to_numpy()
    live_links = links[per_acc["works"][acc_all] > 0]
    unit_counts = live_links.dropna(subset=[col]).groupby(col, sort=False)["unit_id"].nunique()
    pairs = links[["acc", col]].dropna().drop_duplicates()
    acc = pairs["acc"].to_numpy()
    live = per_acc["works"][acc] > 0
    parts = pd.DataFrame(
        {col: pairs[col].to_numpy()[live], "accounts": 1} | {c: per_acc[c][acc][live] for c in cols}
    )
    if unregistered and not f.cities and not [k for k in f.unit_kinds if k != UNREGISTERED]:
        loose = ~facts.registered & (per_acc["works"] > 0)
        if loose.any():
            extra = pd.DataFrame(
                {col: [UNREGISTERED], "accounts": [int(loose.sum())]}
                | {c: [per_acc[c][loose].sum()] for c in cols}
            )
            parts = pd.concat([parts, extra], ignore_index=True)
    g = parts.groupby(col, sort=False)[["accounts", *cols]].sum().reset_index()
    g["units"] = g[col].map(unit_counts).fillna(0).astype("int64")
    return _finish(g, col, cols)


def _finish(g: pd.DataFrame, key: str, cols: list[str]) -> pd.DataFrame:
    """Counts as integers, the ranked sums as figures (mean quality from its sum and count),
    most works first."""
    for c in ("works", "accounts", "interactions", "flagged", "out_window"):
        if c in g.columns:
            g[c] = g[c].round().astype("int64")
    if "views_known" in g.columns:
        g["views"] = g["views"].where(g.pop("views_known") > 0)
    if "q_sum" in g.columns:
        n = g["q_n"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            g["quality_mean"] = np.where(n > 0, g["q_sum"].to_numpy() / n, np.nan)
        g = g.drop(columns=["q_sum", "q_n"])
    g = g.sort_values(["works", key], ascending=[False, True], kind="stable")
    first = [key, "works", "accounts", "interactions"]
    return g.reset_index(drop=True)[first + [c for c in g.columns if c not in first]]


def by_city(facts: Facts, f: Selection) -> pd.DataFrame:
    """Works, active accounts and interactions per city of the accounts' registry units."""
    return _grouped_by_unit(facts, f, "city")


def by_unit(facts: Facts, f: Selection) -> pd.DataFrame:
    """Per registry unit with works: works (each once per unit), active accounts, raw and
    weighted interactions, views; the activity of every unit, inside the window or not."""
    return _grouped_by_unit(facts, f, "unit_id", unregistered=False)


def by_unit_kind(facts: Facts, f: Selection) -> pd.DataFrame:
    """Works, accounts and interactions per unit kind (``未登记`` for unregistered accounts)."""
    return _grouped_by_unit(facts, f, "unit_kind")


def collection_summary(facts: Facts, f: Selection) -> pd.DataFrame:
    """Per platform: works and the latest collection of any of them."""
    return by_platform(facts, f)[["platform", "works", "last_collected_at"]]


def by_platform(facts: Facts, f: Selection) -> pd.DataFrame:
    """Per platform: works, active accounts, raw and (when ranked) weighted interactions,
    public views, flagged works, mean quality and the latest collection."""
    rows = _rows(facts, f)
    cols = _sums(rows)
    rows = rows.assign(platform=rows["platform"].astype("str"))
    g = rows.groupby("platform", sort=True)
    out = g[cols].sum()
    out["accounts"] = g["acc"].nunique()
    out["views"] = g["views"].sum(min_count=1)
    out["last_collected_at"] = g["last_collected_at"].max()
    out = out.reset_index()
    out = out[out["works"] > 0]
    return _finish(out, "platform", cols)


def latest(facts: Facts) -> datetime | None:
    last = facts.rows["last_collected_at"].max() if len(facts.rows) else pd.NaT
    return None if pd.isna(last) else last.to_pydatetime()
