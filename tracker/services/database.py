"""Opening the database for a command: schema check, config sync (which database a command
means, without this module's imports: ``tracker.services.database_location``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from tracker.config import CampaignConfig, TrackerConfig, UnitRow
from tracker.errors import StoreError
from tracker.store import migrate
from tracker.store.engine import describe_url, make_engine, resolve_database_url, sqlite_path
from tracker.store.failures import database_failure
from tracker.store.registry import CampaignRow, sync_campaigns, sync_units
from tracker.store.stored_config import StoredTexts, read_stored, write_stored


def read_stored_texts(url: str) -> StoredTexts | None:
    """The config texts kept in the database at ``url``, or ``None`` when there are none or
    the database cannot be read: the command that opens it later reports why, so a missing
    file is never created just by looking for stored texts."""
    try:
        database = sqlite_path(url)
    except Exception:  # noqa: BLE001 - a bad URL is reported by the command that opens it
        return None
    if database is not None and not Path(database).is_file():
        return None  # connecting would create it; the command reports the missing file
    try:
        engine = make_engine(url, create_dirs=False)
    except Exception:  # noqa: BLE001 - reported by the command that opens the database
        return None
    try:
        return read_stored(engine)
    except SQLAlchemyError:
        return None  # not a database, locked, ...: the command's own open says which
    finally:
        engine.dispose()


def campaign_rows(campaigns: Iterable[CampaignConfig]) -> list[CampaignRow]:
    """The configured campaigns as the store keeps them (the store does not read config)."""
    rows = []
    for c in campaigns:
        start, end = c.window_utc()
        rows.append(
            CampaignRow(
                name=c.name,
                title=c.title,
                tags=c.all_spellings,
                window_start=start,
                window_end=end,
                timezone=c.timezone,
                rules=c.membership.model_dump(),
            )
        )
    return rows


@dataclass(slots=True)
class InitResult:
    url: str
    revision_before: str | None
    revision_after: str
    campaigns: int
    units: int
    unit_accounts: int


def init_database(
    url: str | None,
    config: TrackerConfig,
    units: list[UnitRow] | None = None,
    texts: StoredTexts | None = None,
    *,
    now: datetime | None = None,
) -> InitResult:
    """Create or upgrade the schema, then copy campaigns and the unit registry in; ``texts``
    (the files' own text) are stored too, so later commands need no config file. ``now``
    stamps the stored texts (a simulated run passes its virtual clock; default: real time).

    A failed init removes the SQLite file (and folders) it created itself: an empty ``.db``
    left behind would later read as "not a kepu-tracker database" instead of the real cause.
    """
    resolved = resolve_database_url(url)
    created = _paths_to_create(sqlite_path(resolved))
    try:
        return _init(resolved, config, units, texts, now)
    except BaseException:
        _remove_created(created)
        raise


def _init(
    resolved: str,
    config: TrackerConfig,
    units: list[UnitRow] | None,
    texts: StoredTexts | None,
    now: datetime | None,
) -> InitResult:
    engine = make_engine(resolved)
    try:
        before, after = migrate.upgrade(engine)
        with engine.begin() as conn:
            ids = sync_campaigns(conn, campaign_rows(config.campaigns))
            n_units, n_links = sync_units(conn, units or [])
            if texts is not None:
                write_stored(conn, texts, now=now)
    except SQLAlchemyError as exc:
        raise database_failure(exc, describe_url(resolved)) from exc
    finally:
        engine.dispose()
    return InitResult(describe_url(resolved), before, after, len(ids), n_units, n_links)


def _paths_to_create(database: str | None) -> list[Path]:
    """The database file and the missing folders above it, deepest first; [] when it exists."""
    if database is None:
        return []
    path = Path(database)
    if path.exists() or path.is_symlink():
        return []
    missing = [path]
    for parent in path.parents:
        if parent.exists():
            break
        missing.append(parent)
    return missing


def _remove_created(created: list[Path]) -> None:
    """Remove what a failed init created (the file, its journals, then emptied folders)."""
    if not created:
        return
    db = created[0]
    for suffix in ("", "-wal", "-shm", "-journal"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    for folder in created[1:]:
        try:
            folder.rmdir()
        except OSError:  # not empty (someone else wrote there) or already gone: leave it
            break


def open_database(url: str | None) -> Engine:
    """An engine on an initialised database at head; a clear error otherwise."""
    resolved = resolve_database_url(url)
    database = sqlite_path(resolved)
    # Connecting would create an empty file; a missing database is a user error instead.
    if database is not None and not Path(database).exists():
        raise StoreError(f"数据库不存在: {describe_url(resolved)}；请先运行 `tracker init`")
    engine = make_engine(resolved, create_dirs=False)
    try:
        current = migrate.current_revision(engine)
        if current is None:
            tables = inspect(engine).get_table_names()
            hint = "数据库尚未初始化" if not tables else "数据库不是 kepu-tracker 的数据库"
            raise StoreError(f"{hint}: {describe_url(resolved)}；请先运行 `tracker init`")
        if current != migrate.head_revision():
            raise StoreError(
                f"数据库结构版本 {current} 过旧（最新 {migrate.head_revision()}）；请运行 `tracker init` 升级"
            )
    except SQLAlchemyError as exc:
        engine.dispose()
        raise database_failure(exc, describe_url(resolved)) from exc
    except StoreError:
        engine.dispose()
        raise
    return engine


def apply_config(
    url: str | None, config: TrackerConfig, units: list[UnitRow], texts: StoredTexts
) -> InitResult:
    """``tracker config apply``: copy campaigns, the registry and both texts into an existing
    database at head, in one transaction (the schema is not touched: that is ``tracker init``)."""
    engine = open_database(url)
    label = describe_url(resolve_database_url(url))
    try:
        with engine.begin() as conn:
            ids = sync_campaigns(conn, campaign_rows(config.campaigns))
            n_units, n_links = sync_units(conn, units)
            write_stored(conn, texts)
        revision = migrate.current_revision(engine) or ""
    except SQLAlchemyError as exc:
        raise database_failure(exc, label) from exc
    finally:
        engine.dispose()
    return InitResult(label, revision, revision, len(ids), n_units, n_links)
