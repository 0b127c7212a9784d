"""A ranking kept on disk per state of the store, so the next command need not rank again.

At a million works a ranking takes 10-15 s, most of it reading the works and scoring them, and
the day's report, the lists, the dashboard and ``tracker rank`` each ranked the same stored
works again. Here a ranking of a big campaign (:data:`MIN_WORKS` and more) is written once and
served to every later command while the store is unchanged: loading it takes about a sixth of
ranking. A day's collection changes the store, so the first command after it ranks in full.

When a kept ranking is served, everything that went into it must be as it was:
- the stored data: the store's version token (``tracker.store.queries.version``), read before
  and after the ranking's reads; a ranking is kept only if the two agree, and (SQLite) only if
  the newest write lies :data:`SETTLE_S` before the reads began, so no later write can carry the
  same file stamp;
- what the command asked for and the settings it ranked with: part of the entry's name, with a
  digest of the program's own code, so an upgraded ranking never serves an old one's result.

Entries live in ``<database>.cache/`` beside a SQLite file, or in ``TRACKER_CACHE_DIR`` (the
only way to keep them for PostgreSQL); ``TRACKER_RANKING_CACHE=0`` turns keeping off. An entry
is a pickle, so it is read only from a folder and a file that this user owns and nobody else
may write; entries of the same store's other versions are removed when a new one is written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from tracker.settings import load_settings
from tracker.store.carry import REVIEW_TABLES, RUN_TABLES, register_carrier
from tracker.store.queries import Engine
from tracker.store.queries.version import StorageVersion, storage_version

__all__ = ["MIN_WORKS", "SETTLE_S", "cache_dir", "is_kept", "kept"]

log = logging.getLogger(__name__)

T = TypeVar("T")

MIN_WORKS = 50_000
"""Campaigns with fewer works are ranked every time: their ranking takes under a second, less
than writing and reading it back."""

SETTLE_S = 2.0
"""How long before a read the store's newest write must lie for the read's result to be kept."""

_PACKAGES = ("tracker", "connectors", "dashboards")


def cache_dir(engine: Engine) -> Path | None:
    """Where rankings of ``engine``'s database are kept, or None (not kept)."""
    settings = load_settings()
    if not settings.ranking_cache:
        return None
    url = engine.url
    backend = url.get_backend_name()
    if backend == "postgresql":
        return settings.cache_dir
    database = url.database or ""
    if backend != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return None  # an in-memory store (or a URI form) has no version to keep a ranking by
    return settings.cache_dir or Path(f"{Path(database).resolve()}.cache")


class _KeptRankings:
    """The carrier of kept rankings across bookkeeping writes (``tracker.store.carry``): the
    scheduler closes a job's run row after ranking, and opens the next job's, without touching
    anything a ranking reads. A review decision is carried too: every :func:`kept` hit is
    brought to the store's decisions by its caller's ``refresh``."""

    @property
    def follows(self) -> frozenset[str]:
        return RUN_TABLES | REVIEW_TABLES

    @property
    def settle_s(self) -> float:
        return SETTLE_S

    def _held(self, engine: Engine, version: StorageVersion) -> list[Path]:
        folder = cache_dir(engine)
        if folder is None or not folder.is_dir():
            return []
        return sorted(folder.glob(f"*-{_version_suffix(version)}"))

    def holds(self, engine: Engine, version: StorageVersion) -> bool:
        return bool(self._held(engine, version))

    def carry(self, engine: Engine, before: StorageVersion, after: StorageVersion) -> None:
        old, new = _version_suffix(before), _version_suffix(after)
        for entry in self._held(engine, before):
            try:
                os.replace(entry, entry.with_name(entry.name.removesuffix(old) + new))
            except OSError as exc:  # not carried: the next command ranks again
                log.info("排名缓存 %s 未能沿用 (not carried: %s)", entry.name, type(exc).__name__)


register_carrier(_KeptRankings())


def kept(
    engine: Engine,
    kind: str,
    key: tuple[Any, ...],
    compute: Callable[[], T],
    works_of: Callable[[T], int],
    *,
    refresh: Callable[[T], T],
) -> T:
    """``compute()``, or the result it gave for the same ``kind`` and ``key`` on this state of
    the store. ``key`` holds everything besides the store that the result depends on (its
    ``repr`` names the entry); ``works_of`` tells how many works a result ranks.

    A kept result may have been made before review decisions that were carried over
    (``REVIEW_TABLES``): ``refresh`` brings it to the store's decisions now (itself when they
    are the same), and every hit goes through it."""
    folder = cache_dir(engine)
    if folder is None:
        return compute()
    with engine.connect() as conn:
        before = storage_version(conn)
    if before is None:
        return compute()
    entry = _entry(folder, kind, key, before)
    hit = _load(entry)
    if hit is not None:
        return refresh(hit)
    started = time.time()
    result = compute()
    if works_of(result) < MIN_WORKS:
        return result
    with engine.connect() as conn:
        after = storage_version(conn)
    settled = before.settled_at is None or started - before.settled_at >= SETTLE_S
    if after == before and settled:
        _store(folder, entry, result, before)
    return result


def is_kept(engine: Engine, kind: str, key: tuple[Any, ...]) -> bool:
    """Whether a ranking of ``kind`` and ``key`` is kept for the store as it is now (what
    :func:`kept` would serve instead of computing)."""
    folder = cache_dir(engine)
    if folder is None:
        return False
    with engine.connect() as conn:
        version = storage_version(conn)
    return version is not None and _entry(folder, kind, key, version).is_file()


def _entry(folder: Path, kind: str, key: tuple[Any, ...], version: StorageVersion) -> Path:
    name = f"{kind}-{_digest(repr(key), _code_digest())[:32]}"
    return folder / f"{name}-{_version_suffix(version)}"


def _version_suffix(version: StorageVersion) -> str:
    """The end of the name of every entry kept for ``version``."""
    return f"{_store_name(version)}-{_digest(version.token)[:16]}.pickle"


def _store_name(version: StorageVersion) -> str:
    return _digest(version.store)[:16]


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the program's own source files and of the versions of Python, numpy and
    pandas that wrote an entry (a pickle is read back by the same ones)."""
    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256(f"{sys.version}|{np.__version__}|{pd.__version__}".encode())
    for package in _PACKAGES:
        for file in sorted((root / package).rglob("*.py")):
            h.update(str(file.relative_to(root)).encode())
            h.update(file.read_bytes())
    return h.hexdigest()


def _private(path: Path, st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _load(entry: Path) -> Any | None:
    """The entry's result, or None: missing, unreadable, or in a place others could write."""
    try:
        folder_st = os.stat(entry.parent)
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not (_private(entry.parent, folder_st) and _private(entry, st)):
                log.warning("排名缓存 %s 的权限不安全，已忽略 (not private: ignored)", entry)
                return None
            return pickle.load(fh)  # noqa: S301 - written by this user's tool, checked above
    except Exception:  # noqa: BLE001 - a broken entry is a miss, never a failed command
        log.info("排名缓存 %s 无法读取，重新计算 (unreadable: ranking again)", entry.name)
        return None


def _store(folder: Path, entry: Path, result: Any, version: StorageVersion) -> None:
    """Write ``entry`` whole or not at all, and drop the entries of the same store's other
    versions (a folder named by ``TRACKER_CACHE_DIR`` may serve several stores)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".part")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, entry)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except Exception as exc:  # noqa: BLE001 - not keeping a ranking never fails the command
        log.warning("排名缓存无法写入 %s: %s (not kept)", folder, type(exc).__name__)
        return
    store = _store_name(version)
    for old in folder.glob(f"*-{store}-*.pickle"):
        if old.name.rsplit("-", 2)[-2:] != entry.name.rsplit("-", 2)[-2:]:
            old.unlink(missing_ok=True)
