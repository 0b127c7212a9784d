"""One city's view (``tracker report --city``, the dashboard's 地市报告 page): pure frames.

The city's own registry units (provincial departments, 省直单位, stay provincial) with the
notice's three forms of participation beside their ranking figures, and the participation rate
against the registry. The report and the dashboard both call :func:`city_units`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker.membership.unreported import PROVINCIAL_KINDS

__all__ = ["CityUnits", "city_units", "city_works"]

FORMS = (
    "participating_accounts",
    "works_published",
    "qa_posts",
    "interactions",
    "reposts",
    "comments",
)
"""The participation columns merged in: the three forms, and 作品互动's two parts."""


@dataclass(slots=True)
class CityUnits:
    table: pd.DataFrame
    registered: int
    participating: int

    @property
    def rate_text(self) -> str:
        return f"{100 * self.participating / self.registered:.1f}%" if self.registered else "—"


def city_units(units: pd.DataFrame, participation: pd.DataFrame | None, city: str) -> CityUnits:
    """The city's registry units (``units``: the ranking's unit frame with unit_id, unit_name,
    unit_kind, city, works, reach...) with participation (``participation``: the per-unit
    participation frame) merged in; those that took part first."""
    mine = units[
        (units["city"].astype("object") == city).to_numpy()
        & (~units["unit_kind"].isin(PROVINCIAL_KINDS)).to_numpy()
    ].copy()
    # The ranking's unit frame has its own ``interactions`` (the weighted engagement of the
    # units' works); here the name means 作品互动, so the participation figure replaces it.
    mine = mine.drop(columns=[c for c in FORMS if c in mine.columns])
    if participation is not None and len(participation) and len(mine):
        cols = ["unit_id", *[c for c in FORMS if c in participation.columns]]
        mine = mine.merge(participation[cols], on="unit_id", how="left")
    for c in FORMS:
        mine[c] = mine[c].fillna(0).astype("int64") if c in mine.columns else 0
    works = mine["works"].fillna(0) if "works" in mine.columns else 0
    took = (mine[["works_published", "qa_posts", "interactions"]].sum(axis=1) > 0) | (works > 0)
    mine = mine.assign(took_part=took.to_numpy(dtype=bool))
    mine = mine.sort_values(
        ["took_part", "works_published", "qa_posts", "interactions", "unit_name"],
        ascending=[False, False, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    return CityUnits(mine, len(mine), int(mine["took_part"].sum()))


def city_works(works: pd.DataFrame, city: str) -> pd.DataFrame:
    """The ranked works of accounts of the city's units."""
    if not len(works):
        return works
    return works[(works["city"].astype("object") == city).to_numpy()]
