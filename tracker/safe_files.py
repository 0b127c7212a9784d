"""Writing an output file so that a reader never sees half of it and a planted link cannot
redirect it.

The usual "write ``<name>.part`` then rename" has a hole when the directory is shared (a reports
folder, a scheduler's output directory): anyone who can create files there can plant a symlink
at the predictable ``<name>.part`` pointing at a file only the tool's user may write (its
database, a config), and the tool then overwrites that file through the link. Here the temporary
file gets an unpredictable name and is created exclusively (``mkstemp``: ``O_CREAT | O_EXCL``, so
an existing name or link is never opened), and the final ``os.replace`` swaps a link at the
target itself instead of writing through it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def _default_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give (0666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_text_output(
    path: str | Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Yield a text file that becomes ``path`` when the block ends without an error.

    On an error the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
