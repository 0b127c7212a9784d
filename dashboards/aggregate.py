"""The overview figures from pre-aggregated facts: one query per data version, any filter after.

``dashboard.campaign_facts`` (the read home) groups the campaign by (platform, account, Beijing day, content
type) in SQL (the dashboard), or ``facts_from_frames`` groups the ranking's already loaded
works in pandas (the report, which ranks anyway and so needs no second pass). Every filter of
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

from dashboards.filters import UNREGISTERED, Selection
from tracker.store.queries import Connection
from tracker.store.queries import dashboard as reads
from tracker.store.queries.dashboard import METRICS

__all__ = [
    "Facts",
    "by_city",
    "by_content_type",
    "by_unit_kind",
    "collection_summary",
    "daily_works",
    "facts_from_frames",
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
    """Facts from the database: one grouped query (the dashboard's path)."""
    raw = reads.campaign_facts(conn, campaign_id, timezone)
    raw["day"] = _days(raw["day"])
    links = reads.unit_links(conn)
    reviews = reads.reviewed_works(conn, campaign_id, timezone)
    reviews["day"] = _days(reviews["day"])
    return _build(raw, links, reviews)


def facts_from_frames(
    works: pd.DataFrame, account_units: pd.DataFrame | None, timezone: str
) -> Facts:
    """Facts from the ranking's input frames (the report's path: no second pass over the works).

    ``works`` is ``RankingFrames.works`` (latest metrics, review_status); ``account_units``
    the registry links (platform, platform_uid, unit_id, city, unit_kind).
    """
    local = pd.to_datetime(works["published_at"], utc=True).dt.tz_convert(timezone)
    day = np.full(len(works), NO_DAY, dtype=np.int32)
    known = local.notna().to_numpy()
    day[known] = (
        local[known].dt.tz_localize(None).to_numpy().astype("datetime64[D]") - EPOCH
    ).astype(np.int32)
    metrics = {m: works[m].astype("float64") if m in works.columns else np.nan for m in METRICS}
    frame = pd.DataFrame(
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
            "last_collected_at": pd.to_datetime(works["last_collected_at"], utc=True),
        }
    )
    keys = ["platform", "account_uid", "day", "content_type"]
    grouped = frame.groupby(keys, sort=False, observed=True)
    raw = pd.concat(
        [
            grouped[["works", "interactions"]].sum(),
            grouped[list(METRICS)].sum(min_count=1),  # all unknown stays unknown, not 0
            grouped[["last_collected_at"]].max(),
        ],
        axis=1,
    )
    raw = raw.reset_index()
    raw["interactions"] = raw["interactions"].round().astype("int64")
    for col in ("platform", "content_type"):
        raw[col] = raw[col].astype("category")
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


def _maybe_int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _per_account(rows: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    acc = rows["acc"].to_numpy()
    works = np.bincount(acc, weights=rows["works"].to_numpy(), minlength=n)
    inter = np.bincount(acc, weights=rows["interactions"].to_numpy(), minlength=n)
    return works, inter


def headline(facts: Facts, f: Selection) -> dict[str, Any]:
    rows = _rows(facts, f)
    works_acc, _ = _per_account(rows, len(facts.accounts))
    active = works_acc > 0
    out: dict[str, Any] = {
        "works": int(rows["works"].sum()),
        "accounts": int(active.sum()),
        "platforms": int(rows.loc[rows["works"].to_numpy() > 0, "platform"].nunique()),
        "interactions": int(rows["interactions"].sum()),
    }
    for m in METRICS:
        out[m] = _maybe_int(rows[m].sum(min_count=1))
    last = rows["last_collected_at"].max() if len(rows) else pd.NaT
    out["last_collected_at"] = None if pd.isna(last) else last.to_pydatetime()
    links = _matching_links(facts.links, f)
    links = links[active[links["acc"].to_numpy()]]
    out["units"] = int(links["unit_id"].nunique())
    out["cities"] = int(links["city"].dropna().nunique())
    reviews = facts.reviews
    if len(reviews):
        reviews = reviews[_mask(facts, reviews, f)]
    counts = reviews["status"].value_counts() if len(reviews) else pd.Series(dtype="int64")
    out["approved"] = int(counts.get("approved", 0))
    out["rejected"] = int(counts.get("rejected", 0))
    return out


def daily_works(facts: Facts, f: Selection) -> pd.DataFrame:
    """Per Beijing day and platform: new works and their interactions (latest counts)."""
    rows = _rows(facts, f)
    rows = rows[rows["day"].to_numpy() != NO_DAY]
    g = (
        rows[["day", "platform", "works", "interactions"]]
        .groupby(["day", "platform"], sort=True, observed=True)[["works", "interactions"]]
        .sum()
        .reset_index()
    )
    g["platform"] = g["platform"].astype("str")
    g["day"] = pd.to_datetime(EPOCH + g["day"].to_numpy().astype("timedelta64[D]"))
    return g[["day", "platform", "works", "interactions"]]


def by_content_type(facts: Facts, f: Selection) -> pd.DataFrame:
    rows = _rows(facts, f)
    g = (
        rows[["platform", "content_type", "works"]]
        .groupby(["platform", "content_type"], sort=True, observed=True)["works"]
        .sum()
        .reset_index()
    )
    g = g.astype({"platform": "str", "content_type": "str"})
    return g[g["works"] > 0].reset_index(drop=True)


def _grouped_by_unit(facts: Facts, f: Selection, col: str) -> pd.DataFrame:
    works_acc, inter_acc = _per_account(_rows(facts, f), len(facts.accounts))
    pairs = _matching_links(facts.links, f)[["acc", col]].dropna().drop_duplicates()
    acc = pairs["acc"].to_numpy()
    live = works_acc[acc] > 0
    parts = pd.DataFrame(
        {
            col: pairs[col].to_numpy()[live],
            "works": works_acc[acc][live],
            "accounts": 1,
            "interactions": inter_acc[acc][live],
        }
    )
    if not f.cities and not [k for k in f.unit_kinds if k != UNREGISTERED]:
        loose = ~facts.registered & (works_acc > 0)
        if loose.any():
            extra = pd.DataFrame(
                {
                    col: [UNREGISTERED],
                    "works": [works_acc[loose].sum()],
                    "accounts": [int(loose.sum())],
                    "interactions": [inter_acc[loose].sum()],
                }
            )
            parts = pd.concat([parts, extra], ignore_index=True)
    g = parts.groupby(col, sort=False)[["works", "accounts", "interactions"]].sum().reset_index()
    for c in ("works", "accounts", "interactions"):
        g[c] = g[c].round().astype("int64")
    g = g.sort_values(["works", col], ascending=[False, True], kind="stable")
    return g.reset_index(drop=True)[[col, "works", "accounts", "interactions"]]


def by_city(facts: Facts, f: Selection) -> pd.DataFrame:
    """Works, active accounts and interactions per city of the accounts' registry units."""
    return _grouped_by_unit(facts, f, "city")


def by_unit_kind(facts: Facts, f: Selection) -> pd.DataFrame:
    """Works, accounts and interactions per unit kind (``未登记`` for unregistered accounts)."""
    return _grouped_by_unit(facts, f, "unit_kind")


def collection_summary(facts: Facts, f: Selection) -> pd.DataFrame:
    """Per platform: works and the latest collection of any of them."""
    rows = _rows(facts, f)
    g = (
        rows[["platform", "works", "last_collected_at"]]
        .groupby("platform", sort=True, observed=True)
        .agg(works=("works", "sum"), last_collected_at=("last_collected_at", "max"))
        .reset_index()
    )
    g = g.astype({"platform": "str"})
    return g[g["works"] > 0].reset_index(drop=True)


def latest(facts: Facts) -> datetime | None:
    last = facts.rows["last_collected_at"].max() if len(facts.rows) else pd.NaT
    return None if pd.isna(last) else last.to_pydatetime()
