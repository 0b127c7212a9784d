"""Give freed heap memory back to the operating system (glibc only; a no-op elsewhere).

Loading a million rows through the SQLite driver creates and frees tens of millions of small
Python objects and many medium numpy buffers; glibc keeps the freed heap pages mapped, so the
process looks twice as big as the data it holds. ``malloc_trim(0)`` returns them (measured:
about 200 MB after loading a million works). It is called at the ends of ``load_frames`` and
``rank_campaign``; it costs a few milliseconds and changes nothing else.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

__all__ = ["release_memory"]

_trim = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _trim = getattr(_libc, "malloc_trim", None)
    except OSError:  # pragma: no cover - no glibc (musl, other platforms)
        _trim = None


def release_memory() -> None:
    """Collect garbage, then ask the C allocator to return free pages."""
    gc.collect()
    if _trim is not None:
        _trim(0)
