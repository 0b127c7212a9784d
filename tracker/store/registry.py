"""Writing the configured campaigns and the unit registry into the database.

Config files are the source of truth for campaigns and units; the database keeps a copy so
queries, exports and the dashboard can join on them. Syncing is an idempotent upsert.

The store does not read the config: it receives plain values (``CampaignRow``, and registry
lines with the ``RegistryLine`` fields), which the database service makes from the config.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, select

from tracker.store.models import Campaign, Unit
from tracker.store.upsert import ACCOUNT_UNIT_T, _insert_for

CAMPAIGN_T = Campaign.__table__
UNIT_T = Unit.__table__


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A campaign as the ``campaign`` table keeps it."""

    name: str
    title: str | None
    tags: list[str]
    """Every spelling that matches (tags and aliases)."""
    window_start: datetime
    """UTC: the start of the first local day."""
    window_end: datetime
    """UTC: the end of the last local day."""
    timezone: str
    rules: dict[str, Any]
    """The membership rules, as stored JSON."""


class RegistryLine(Protocol):
    """One line of the unit registry: a unit and (optionally) one of its accounts."""

    @property
    def unit(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def city(self) -> str | None: ...
    @property
    def platform(self) -> str | None: ...
    @property
    def account_id(self) -> str | None: ...
    @property
    def person(self) -> str | None: ...


def sync_campaigns(conn: Connection, campaigns: Sequence[CampaignRow]) -> dict[str, int]:
    """Upsert campaigns by name; returns name -> id."""
    for c in campaigns:
        values = {
            "name": c.name,
            "title": c.title,
            "tags": c.tags,
            "window_start": c.window_start,
            "window_end": c.window_end,
            "timezone": c.timezone,
            "rules": c.rules,
        }
        stmt = _insert_for(conn, CAMPAIGN_T).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={k: v for k, v in values.items() if k != "name"}
        )
        conn.execute(stmt)
    return campaign_ids(conn)


def campaign_ids(conn: Connection) -> dict[str, int]:
    return {name: cid for cid, name in conn.execute(select(CAMPAIGN_T.c.id, CAMPAIGN_T.c.name))}


def campaign_id(conn: Connection, campaign: str | int) -> int:
    """The id of ``campaign`` given by name or already as an id; ``KeyError`` when unknown."""
    if not isinstance(campaign, str):
        return campaign
    cid = conn.execute(select(CAMPAIGN_T.c.id).where(CAMPAIGN_T.c.name == campaign)).scalar()
    if cid is None:
        raise KeyError(f"campaign {campaign!r} is not in the database")
    return int(cid)


def ensure_unit(conn: Connection, name: str, kind: str = "other", city: str | None = None) -> int:
    """The id of unit ``name``, creating it when new (kind/city filled in if they were unknown)."""
    stmt = _insert_for(conn, UNIT_T).values(name=name, kind=kind, city=city)
    stmt = stmt.on_conflict_do_nothing(index_elements=["name"])
    conn.execute(stmt)
    row = conn.execute(
        select(UNIT_T.c.id, UNIT_T.c.kind, UNIT_T.c.city).where(UNIT_T.c.name == name)
    ).one()
    if (row.kind == "other" and kind != "other") or (row.city is None and city):
        conn.execute(
            UNIT_T.update()
            .where(UNIT_T.c.id == row.id)
            .values(kind=kind if row.kind == "other" else row.kind, city=row.city or city)
        )
    return int(row.id)


def sync_units(conn: Connection, rows: Sequence[RegistryLine]) -> tuple[int, int]:
    """Upsert units and their accounts from the registry; returns (units, account links)."""
    unit_ids: dict[str, int] = {}
    links = 0
    for row in rows:
        if row.unit not in unit_ids:
            stmt = _insert_for(conn, UNIT_T).values(name=row.unit, kind=row.kind, city=row.city)
            stmt = stmt.on_conflict_do_update(
                index_elements=["name"], set_={"kind": row.kind, "city": row.city}
            )
            conn.execute(stmt)
            unit_ids[row.unit] = conn.execute(
                select(UNIT_T.c.id).where(UNIT_T.c.name == row.unit)
            ).scalar_one()
        if row.platform and row.account_id:
            stmt = _insert_for(conn, ACCOUNT_UNIT_T).values(
                platform=row.platform,
                platform_uid=row.account_id,
                unit_id=unit_ids[row.unit],
                source="registry",
                person=row.person,
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["platform", "platform_uid", "unit_id"],
                set_={"person": row.person, "source": "registry"},
            )
            conn.execute(stmt)
            links += 1
    return len(unit_ids), links
