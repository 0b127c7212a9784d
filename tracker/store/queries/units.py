"""The unit registry as the reports ask about it: its cities and how many units it holds."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from tracker.store.models import Unit

__all__ = ["registry_cities", "registry_size"]

UNIT = Unit.__table__


def registry_cities(conn: Connection) -> list[str]:
    """The cities the registry's units name, trimmed, sorted, without blanks."""
    rows = conn.execute(select(UNIT.c.city).where(UNIT.c.city.is_not(None)).distinct())
    return sorted({str(r[0]).strip() for r in rows if str(r[0]).strip()})


def registry_size(conn: Connection) -> int:
    """How many units the registry holds."""
    return int(conn.execute(select(func.count()).select_from(UNIT)).scalar() or 0)
