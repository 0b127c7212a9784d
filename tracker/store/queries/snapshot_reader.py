"""Read a campaign's metric snapshots in a second process while the works load.

The ranking's load is two big reads: the works (about 5 s at a million) and their snapshots
(about 2 s). On two cores they could overlap, but not as two threads of one process: measured
at a million works, a second reading thread slowed both reads (works 5.3 s -> 8.2 s, snapshots
2.0 s -> 5.1 s), so the whole load got slower. A separate process has no such cost: its read
runs entirely beside the works and its typed chunks come back pickled in about 0.1 s.

The reader is a plain ``python -c`` child calling ``main`` below, not a ``multiprocessing``
worker, so it never re-imports the caller's script (a script without a ``__main__`` guard
would otherwise run itself again in the worker). It gets the database URL and platforms as
JSON on stdin and answers with a pickle on stdout; the pickle comes from our own child over a
pipe, never from a file or the network.

Only for a SQLite database file large enough to be worth a process: the child first spends
about 0.7 s importing pandas, which is hidden only when the works take longer than that to
load (about 5 µs a work: 150,000 posts), and the gain is the snapshot read itself (about 1 µs
a snapshot: 200,000 are worth it). Anything that goes wrong in the child (it cannot start,
it dies, the file moved) makes the caller read the snapshots itself, with the same result.
The child only runs SELECTs, in its own transaction, so a snapshot written between the two
reads can at most add a newer point to a work's history.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from tracker.store.models import MetricSnapshot, Post, PostCampaign

__all__ = [
    "MIN_POSTS",
    "MIN_SNAPSHOTS",
    "SnapshotChunks",
    "collect",
    "snapshots_in_background",
]

log = logging.getLogger(__name__)

MIN_SNAPSHOTS = 200_000
"""Below this many stored snapshots the read is cheaper than starting a process."""

MIN_POSTS = 150_000
"""Below this many stored posts the works load too quickly to hide the child's start."""

SnapshotChunks = dict[str, list[dict[str, Any]]]
"""Per platform, the typed snapshot chunks ``ranking_inputs.platform_snapshots`` yields."""

S = MetricSnapshot.__table__
P = Post.__table__
PC = PostCampaign.__table__


@contextmanager
def snapshots_in_background(
    conn: Connection, campaign_id: int
) -> Iterator[Future[tuple[int, bytes, bytes]] | None]:
    """Start reading the snapshots of the campaign's platforms in a child process; yields the
    pending answer for ``collect``, or ``None`` when the caller should read them itself (not a
    SQLite file, fewer than ``MIN_POSTS`` posts or ``MIN_SNAPSHOTS`` snapshots, no works)."""
    url = _file_url(conn.engine)
    if (
        url is None
        or _approx_rows(conn, P.name) < MIN_POSTS
        or _approx_rows(conn, S.name) < MIN_SNAPSHOTS
    ):
        yield None
        return
    platforms = _campaign_platforms(conn, campaign_id)  # only once a child is worth it
    if not platforms:
        yield None
        return
    request = json.dumps({"url": url, "platforms": list(platforms)}).encode()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import main; main()"],
            env=_child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        log.debug("snapshot reader not started (%s); reading in this process", exc)
        yield None
        return

    def answer() -> tuple[int, bytes, bytes]:
        out, err = child.communicate(request)  # drains the pipe as the child writes
        return child.returncode, out, err

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-reader") as pool:
        pending = pool.submit(answer)
        try:
            yield pending
        finally:
            if child.poll() is None and not pending.done():
                child.kill()  # the caller failed first: the answer is no longer wanted


def collect(pending: Future[tuple[int, bytes, bytes]] | None) -> SnapshotChunks | None:
    """The child's chunks, or ``None`` (read them here) if it failed."""
    if pending is None:
        return None
    try:
        code, out, err = pending.result()
        if code == 0:
            chunks: SnapshotChunks = pickle.loads(out)  # noqa: S301 - our own child's answer
            return chunks
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {code}"]
    except Exception as exc:  # noqa: BLE001 - a dead reader costs time, never the ranking
        reason = [type(exc).__name__]
    log.warning("后台读取快照失败，改为在本进程读取 (snapshot reader failed: %s)", reason[0])
    return None


def _child_env() -> dict[str, str]:
    """This environment, with this copy of the package first on the child's path (the same
    code reads the snapshots as loads the works, wherever it was imported from)."""
    root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _file_url(engine: Engine) -> str | None:
    """The URL a second process can open, for a SQLite database file; else ``None``."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    return url.render_as_string(hide_password=False)


def _campaign_platforms(conn: Connection, campaign_id: int) -> list[str]:
    stmt = select(PC.c.platform).where(PC.c.campaign_id == campaign_id).distinct()
    return sorted(str(p) for p in conn.execute(stmt).scalars())


def _approx_rows(conn: Connection, table: str) -> int:
    """The largest rowid: about the row count, without counting (one B-tree descent)."""
    return int(conn.exec_driver_sql(f"SELECT max(rowid) FROM {table}").scalar() or 0)


def _read(url: str, platforms: list[str]) -> SnapshotChunks:
    """In the child: every snapshot of ``platforms``, typed chunk by chunk."""
    from tracker.store.engine import make_engine
    from tracker.store.queries.ranking_inputs import platform_snapshots

    engine = make_engine(url, create_dirs=False)
    try:
        with engine.connect() as conn:
            return {p: list(platform_snapshots(conn, p)) for p in platforms}
    finally:
        engine.dispose()


def main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    chunks = _read(request["url"], request["platforms"])
    pickle.dump(chunks, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
