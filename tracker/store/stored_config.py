"""The config texts a database keeps (``stored_config``): written by ``tracker init`` and
``tracker config apply``, read when a command runs without a config file at hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, inspect, select

from tracker.store.models import StoredConfig

CONFIG_NAME = "campaign.toml"
UNITS_NAME = "units.csv"


@dataclass(frozen=True, slots=True)
class StoredTexts:
    config_text: str
    units_text: str | None
    config_source: str | None = None
    units_source: str | None = None


def write_stored(conn: Connection, texts: StoredTexts, *, now: datetime | None = None) -> None:
    """Replace the stored texts with ``texts`` (no units text: no registry is stored)."""
    now = now or datetime.now(UTC)
    table = StoredConfig.__table__
    conn.execute(delete(table))
    rows = [{"name": CONFIG_NAME, "text": texts.config_text, "source": texts.config_source}]
    if texts.units_text is not None:
        rows.append({"name": UNITS_NAME, "text": texts.units_text, "source": texts.units_source})
    conn.execute(table.insert(), [{**row, "updated_at": now} for row in rows])


def read_stored(engine: Engine) -> StoredTexts | None:
    """The stored texts, or None (no config stored, or a database from before revision 0006)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(StoredConfig.__tablename__):
            return None
        table = StoredConfig.__table__
        rows = {r.name: r for r in conn.execute(select(table.c.name, table.c.text, table.c.source))}
    config = rows.get(CONFIG_NAME)
    if config is None:
        return None
    units = rows.get(UNITS_NAME)
    return StoredTexts(
        config_text=config.text,
        units_text=units.text if units is not None else None,
        config_source=config.source,
        units_source=units.source if units is not None else None,
    )
