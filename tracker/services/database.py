"""Opening the database for a command: URL resolution, schema check, config sync."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from tracker.config import TrackerConfig, UnitRow
from tracker.errors import StoreError
from tracker.store import migrate
from tracker.store.engine import describe_url, make_engine, resolve_database_url
from tracker.store.registry import sync_campaigns, sync_units


@dataclass(slots=True)
class InitResult:
    url: str
    revision_before: str | None
    revision_after: str
    campaigns: int
    units: int
    unit_accounts: int


def init_database(
    url: str | None, config: TrackerConfig, units: list[UnitRow] | None = None
) -> InitResult:
    """Create or upgrade the schema, then copy campaigns and the unit registry in."""
    resolved = resolve_database_url(url)
    engine = make_engine(resolved)
    try:
        before, after = migrate.upgrade(engine)
        with engine.begin() as conn:
            ids = sync_campaigns(conn, config.campaigns)
            n_units, n_links = sync_units(conn, units or [])
    except OperationalError as exc:
        raise StoreError(f"无法写入数据库 {describe_url(resolved)}: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"数据库错误 {describe_url(resolved)}: {exc}") from exc
    finally:
        engine.dispose()
    return InitResult(describe_url(resolved), before, after, len(ids), n_units, n_links)


def open_database(url: str | None) -> Engine:
    """An engine on an initialised database at head; a clear error otherwise."""
    resolved = resolve_database_url(url)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # Connecting would create an empty file; a missing database is a user error instead.
        if not Path(parsed.database).expanduser().exists():
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
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(f"无法打开数据库 {describe_url(resolved)}: {exc.orig}") from exc
    except StoreError:
        engine.dispose()
        raise
    return engine
