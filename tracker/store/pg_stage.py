"""PostgreSQL's ingest: COPY a page into a temporary table, then one upsert from it.

A multi-row ``INSERT ... VALUES`` makes the server parse and plan a statement per thousand
rows and the driver render every value as a parameter; COPY streams the page and leaves one
``INSERT ... SELECT ... ON CONFLICT`` per table and page, the same conflict rules as SQLite's
statement (both are built from one Core definition in ``tracker.store.upsert``).

The staging tables are ``pg_temp`` tables made from the target's own columns (``CREATE TABLE
AS ... WITH NO DATA``, so every type matches), once per session, emptied at each commit
(``ON COMMIT DELETE ROWS``) and truncated before each page, since a caller may ingest several
pages in one transaction. COPY runs on the driver's cursor of the same connection (SQLAlchemy
has no COPY); its errors go through SQLAlchemy's handling like any statement's, so they reach
callers as ``DBAPIError`` with the database's label. Everything else is SQL text run through
the connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, select
from sqlalchemy.dialects import postgresql

__all__ = ["StagedUpsert"]


class StagedUpsert:
    """One table's staged upsert: the staging table's DDL, the COPY, the upsert from it."""

    def __init__(
        self,
        table: Table,
        cols: Sequence[str],
        key: Sequence[str],
        upsert: Callable[[Any], Any],
    ) -> None:
        """``upsert`` turns a PostgreSQL ``insert(table)`` into the table's conflict rule."""
        dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's own
        name = f"_ingest_{table.name}"
        # Its own metadata: platforms collected side by side build these at the same moment,
        # and a table redefined on a shared one (``extend_existing``) could get a column twice.
        stage = Table(
            name, MetaData(), *(Column(c, table.c[c].type) for c in cols), schema="pg_temp"
        )
        preparer = dialect.identifier_preparer
        col_list = ", ".join(preparer.quote(c) for c in cols)
        target = preparer.format_table(table)
        staged = preparer.format_table(stage)
        self.create_sql = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {preparer.quote(name)} "
            f"ON COMMIT DELETE ROWS AS SELECT {col_list} FROM {target} WITH NO DATA"
        )
        self.truncate_sql = f"TRUNCATE {staged}"
        self.copy_sql = f"COPY {staged} ({col_list}) FROM STDIN"
        insert = postgresql.insert(table).from_select(list(cols), select(*stage.c))
        compiled = upsert(insert).compile(dialect=dialect)
        if compiled.params:  # pragma: no cover - the statements bind no values of their own
            raise RuntimeError(f"unexpected bound parameters {sorted(compiled.params)}")
        self.upsert_sql = str(compiled)
        on = " AND ".join(f"t.{preparer.quote(k)} = s.{preparer.quote(k)}" for k in key)
        self.count_stored_sql = f"SELECT count(*) FROM {staged} s JOIN {target} t ON {on}"

    def stage(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Put ``rows`` (in column order) into the empty staging table."""
        conn.exec_driver_sql(self.create_sql)
        conn.exec_driver_sql(self.truncate_sql)
        driver = conn.connection.driver_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(self.copy_sql) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        except Exception as exc:  # noqa: BLE001 - re-raised as SQLAlchemy raises any statement's
            # SQLAlchemy's own path for a failed statement: wraps the driver's error in
            # DBAPIError, runs the engine's error hooks (the database label), handles a lost
            # connection. Private, but the only way a non-SQLAlchemy call gets that treatment.
            conn._handle_dbapi_exception(exc, self.copy_sql, (), cursor, None)
            raise  # pragma: no cover - the call above always raises
        finally:
            cursor.close()

    def count_stored(self, conn: Connection) -> int:
        """How many staged keys are stored already (the staged keys are distinct)."""
        return int(conn.exec_driver_sql(self.count_stored_sql).scalar_one())

    def upsert(self, conn: Connection) -> int:
        """Apply the staged rows; the rows inserted or updated (the conflict rule's count)."""
        return max(conn.exec_driver_sql(self.upsert_sql).rowcount, 0)
