"""A benchmark's SQLite file copied into a scratch PostgreSQL schema, and dropped after.

The copy is ``tracker db migrate-to``'s own (``tracker.store.transfer.copy_database``), so the
PostgreSQL figures are for exactly the rows the SQLite figures were measured on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text


def schema_engine(url: str, schema: str) -> Any:
    """An engine whose connections use ``schema``."""
    return create_engine(url, connect_args={"options": f"-csearch_path={schema}"})


@contextmanager
def scratch_copy(sqlite_path: Path, url: str, schema: str) -> Iterator[float]:
    """Copy ``sqlite_path`` into a fresh ``schema`` (then ANALYZE, as a DBA would); yields
    the seconds the copy took and drops the schema on the way out."""
    from tracker.store.transfer import copy_database

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    source, target = create_engine(f"sqlite:///{sqlite_path}"), schema_engine(url, schema)
    try:
        t = time.perf_counter()
        copy_database(source, target)
        with target.begin() as conn:
            conn.execute(text("ANALYZE"))
        yield time.perf_counter() - t
    finally:
        source.dispose()
        target.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
