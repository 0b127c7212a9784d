"""Give freed heap memory back to the operating system (glibc only; a no-op elsewhere).

Loading a million rows through the SQLite driver creates and frees tens of millions of small
Python objects and many medium numpy buffers; glibc keeps the freed heap pages mapped, so the
process looks twice as big as the data it holds. ``malloc_trim(0)`` returns them (measured:
about 200 MB after loading a million works). It is called at the ends of ``load_frames`` and
``rank_campaign``; it costs a few milliseconds and changes nothing else.

A full garbage collection goes first only when the step handled many rows
(:data:`FULL_COLLECT_ROWS`): it frees the cyclic garbage a large load leaves, but it walks
every object of the process, imported modules included (about 0.1-0.3 s in a command that has
loaded pandas, SQLAlchemy and the report). A campaign of a few thousand works leaves a few
megabytes of such garbage, which Python's own periodic collection frees anyway; paying the walk
twice per ranking there would cost more than the ranking itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

__all__ = ["FULL_COLLECT_ROWS", "release_memory"]

FULL_COLLECT_ROWS = 50_000
"""Rows read or scored from which a full garbage collection comes before the trim."""

_trim = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _trim = getattr(_libc, "malloc_trim", None)
    except OSError:  # pragma: no cover - no glibc (musl, other platforms)
        _trim = None


def release_memory(rows: int) -> None:
    """Ask the C allocator to return free pages; collect garbage first when ``rows`` (the rows
    the step just read or scored) reach :data:`FULL_COLLECT_ROWS`."""
    if rows >= FULL_COLLECT_ROWS:
        gc.collect()
    if _trim is not None:
        _trim(0)
