"""Who has not reported: registered units with no campaign work and no submission.

The officer's weekly round of phone calls starts from this list: every unit of the registry
(``config/units.csv``, stored in ``unit`` / ``account_unit``) none of whose accounts has a
campaign work (excluded and deleted works do not count) and which sent no submission (no
``post_campaign`` link with ``matched_by = "submission"`` names it), grouped by city, with the
provincial units (省直单位: registry kind ``department``, shown as 厅局单位) as their own group
however their city is filled in, and the contact the registry holds (``person``) and the
registered accounts.

:func:`unreported_units` is pure (DataFrames in, DataFrame out); :func:`load_unreported` feeds
it the read home's rows (``tracker.store.queries.participation``). The HTML report, the dashboard page and the summary export all call it.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import UNIT_KIND_NAMES_ZH
from tracker.membership.counted import CountedWorks
from tracker.store.queries import Connection
from tracker.store.queries.participation import unreported_rows

__all__ = [
    "NO_CITY",
    "PROVINCIAL_GROUP",
    "PROVINCIAL_KINDS",
    "UNREPORTED_COLUMNS",
    "load_unreported",
    "unreported_units",
]

PROVINCIAL_KINDS = ("department",)
"""Registry kinds listed apart from the cities: the provincial departments (省直单位)."""
PROVINCIAL_GROUP = "省直单位"
NO_CITY = "（未填写城市）"
MISSING = "—"
UNREPORTED_COLUMNS = (
    "group",
    "city",
    "unit_id",
    "unit_name",
    "unit_kind",
    "unit_kind_zh",
    "person",
    "accounts",
)


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    s = " ".join(str(v).split())
    return s or None


def _joined(values: pd.Series) -> str:
    seen: list[str] = []
    for v in values:
        t = _text(v)
        if t and t not in seen:
            seen.append(t)
    return "、".join(seen) if seen else MISSING


def unreported_units(
    units: pd.DataFrame,
    account_units: pd.DataFrame | None,
    works: pd.DataFrame | None,
    submissions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Registry units with no work and no submission, one row each, in group order.

    ``units``: unit_id, unit_name, unit_kind, city (every registry unit). ``account_units``:
    platform, platform_uid, unit_id and optionally person. ``works``: the campaign's counted
    works (platform, account_uid). ``submissions``: matched_value (the unit a submission row
    named) of the campaign's submission links.

    Columns: group (``省直单位``, the city, or ``（未填写城市）``), city, unit_id, unit_name,
    unit_kind, unit_kind_zh, person and accounts (``—`` when the registry has none). Groups come
    省直单位 first, then cities by name, units without a city last; units by name within one.
    """
    if units is None or not len(units):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in UNREPORTED_COLUMNS})
    base = units[["unit_id", "unit_name", "unit_kind", "city"]].drop_duplicates("unit_id").copy()
    au = account_units if account_units is not None else pd.DataFrame()
    for c in ("platform", "platform_uid", "unit_id", "person"):
        if c not in au.columns:
            au = au.assign(**{c: pd.Series(dtype="object")})
    active: set[object] = set()
    if works is not None and len(works) and len(au):
        keys = set(
            zip(works["platform"].astype("str"), works["account_uid"].astype("str"), strict=True)
        )
        hit = [
            (p, u) in keys
            for p, u in zip(
                au["platform"].astype("str"), au["platform_uid"].astype("str"), strict=True
            )
        ]
        active = set(au.loc[hit, "unit_id"].tolist())
    named: set[str] = set()
    if submissions is not None and len(submissions):
        named = {t for t in (_text(v) for v in submissions["matched_value"]) if t}
    names = base["unit_name"].map(_text)
    keep = ~base["unit_id"].isin(active) & ~names.isin(named)
    out = base[keep.to_numpy()].copy()
    out["city"] = out["city"].map(_text)
    out["group"] = unit_group(out["city"], out["unit_kind"])
    out["unit_kind_zh"] = out["unit_kind"].map(lambda k: UNIT_KIND_NAMES_ZH.get(k, k or MISSING))
    contacts = au[au["unit_id"].isin(out["unit_id"])].copy()
    contacts["account"] = [
        f"{PLATFORM_NAMES_ZH.get(p, p)} {u}" if _text(u) else None
        for p, u in zip(contacts["platform"], contacts["platform_uid"], strict=True)
    ]
    by_unit = contacts.groupby("unit_id", sort=False)
    person = by_unit["person"].agg(_joined) if len(contacts) else pd.Series(dtype="object")
    accounts = by_unit["account"].agg(_joined) if len(contacts) else pd.Series(dtype="object")
    for col, values in (("person", person), ("accounts", accounts)):
        mapped = out["unit_id"].map(values).astype("object")
        out[col] = mapped.where(mapped.notna(), MISSING)
    city = out["city"].astype("object")
    out["city"] = city.where(city.notna(), MISSING)
    order = out["group"].map(group_order)
    out = out.assign(_order=order).sort_values(["_order", "unit_name"], kind="stable")
    return out[list(UNREPORTED_COLUMNS)].reset_index(drop=True).astype({"unit_id": "int64"})


def unit_group(city: pd.Series, kind: pd.Series) -> pd.Series:
    """Each unit's group: 省直单位 for provincial kinds, else its city (or 未填城市).

    Always ``object`` dtype, even for an empty registry, so it merges with other group keys.
    """
    grouped = city.astype("object").where(city.notna(), NO_CITY)
    return grouped.where(~kind.isin(PROVINCIAL_KINDS), PROVINCIAL_GROUP).astype("object")


def group_order(group: str) -> tuple[int, str]:
    """省直单位 first, then cities by name, then units without a city."""
    return (0 if group == PROVINCIAL_GROUP else 2 if group == NO_CITY else 1, group)


def load_unreported(
    conn: Connection,
    campaign: str | int,
    *,
    as_of: datetime | None = None,
    counted: CountedWorks | None = None,
) -> pd.DataFrame:
    """:func:`unreported_units` for one campaign (name or id) from the store (``as_of``: as
    it stood at the deadline cut). ``counted``: the counted works taken from the ranking's
    frames (``tracker.membership.counted``), which are uncut, so only without ``as_of``."""
    if counted is not None and as_of is not None:
        raise ValueError("counted works are uncut: not with an as-of cut")
    rows = unreported_rows(
        conn, campaign, as_of=as_of, works=counted.accounts if counted is not None else None
    )
    return unreported_units(rows.units, rows.account_units, rows.works, rows.submissions)
