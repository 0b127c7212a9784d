"""The SQLite side of the columnar reader: a child process that answers queries in Arrow.

The ADBC SQLite driver carries its own copy of SQLite. Two copies of SQLite in one process
must never open the same database file: POSIX locks belong to the process, so when one copy
closes its file the other copy's locks go too, and SQLite's documentation lists exactly this
as a way to corrupt a database (seen here as "database disk image is malformed" after a
report read columnar beside the store's own connection). So the driver runs here, in a
process of its own, and the caller's process keeps one SQLite.

Protocol, over the child's stdin and stdout: the parent writes one JSON line per request
(``{"sql": ...}``); the child answers with one status byte (``A``: an Arrow IPC stream
follows, ``E``: an error text follows), an 8-byte little-endian length and that many bytes.
The database path comes in the first request line (``{"path": ...}``); the connection is
opened read-only (``mode=ro``) with the path percent-encoded, so no character in a folder
name can change what file is opened. The child exits when stdin closes.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

__all__ = ["main", "read_answer", "serve", "write_answer"]

BATCH_ROWS = str(1 << 30)
"""Rows per batch: the whole result, so the driver infers each column's type from every value
(SQLite has no column types; a column that starts with NULLs would otherwise read as integers)."""


def sqlite_uri(path: str) -> str:
    """A read-only SQLite URI for ``path`` (absolute, every special character encoded)."""
    return "file:" + quote(str(Path(path).resolve())) + "?mode=ro"


def write_answer(out: BinaryIO, status: bytes, payload: bytes) -> None:
    out.write(status + struct.pack("<Q", len(payload)))
    out.write(payload)
    out.flush()


def read_answer(inp: BinaryIO) -> tuple[bytes, bytes]:
    """One answer; EOFError where the child ended, or where the bytes are not an answer's start
    (then a length read from them could ask for more bytes than will ever come)."""
    head = inp.read(9)
    if len(head) != 9:
        raise EOFError("the columnar reader process ended")
    if head[:1] not in (b"A", b"E"):
        raise EOFError("the columnar reader's answer is out of step")
    (size,) = struct.unpack("<Q", head[1:])
    payload = inp.read(size)
    if len(payload) != size:
        raise EOFError("the columnar reader process ended mid-answer")
    return head[:1], payload


def _table_bytes(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def main() -> None:
    # The driver's own module, not its DB-API wrapper: the wrapper imports pyarrow.dataset,
    # which imports pandas, and that doubled this process's start (0.35 s against 0.14 s) for
    # a child that only moves Arrow batches. The steps are the wrapper's own: a connection
    # with autocommit off (its reads share one transaction, as a DB-API cursor's do), and per
    # query a statement with the batch size set, executed into an Arrow stream.
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow as pa

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    first = inp.readline()
    if not first:
        return
    database = adbc_driver_sqlite.connect(sqlite_uri(json.loads(first)["path"]))
    conn = adbc_driver_manager.AdbcConnection(database)
    try:
        conn.set_autocommit(False)
        for line in inp:
            sql = json.loads(line)["sql"]
            stmt = adbc_driver_manager.AdbcStatement(conn)
            try:
                stmt.set_options(**{"adbc.sqlite.query.batch_rows": BATCH_ROWS})
                stmt.set_sql_query(sql)
                stream, _ = stmt.execute_query()
                payload = _table_bytes(pa.RecordBatchReader.from_stream(stream).read_all())
            except Exception as exc:  # noqa: BLE001 - every failure goes back as an answer
                write_answer(out, b"E", f"{type(exc).__name__}: {exc}".encode())
                continue
            finally:
                stmt.close()
            write_answer(out, b"A", payload)
    finally:
        conn.close()
        database.close()


def serve() -> None:
    """:func:`main`, then exit at once: the interpreter's teardown (unloading Arrow and the
    driver) takes 0.2-0.4 s, which the parent waits out when it closes the reader. Everything
    is answered and flushed, and the connection closed, before the exit."""
    main()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    serve()
