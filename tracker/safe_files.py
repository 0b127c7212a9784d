"""Writing an output file so that a reader never sees half of it and a planted link cannot
redirect it.

The usual "write ``<name>.part`` then rename" has a hole when the directory is shared (a reports
folder, a scheduler's output directory): anyone who can create files there can plant a symlink
at the predictable ``<name>.part`` pointing at a file only the tool's user may write (its
database, a config), and the tool then overwrites that file through the link. Here the temporary
file gets an unpredictable name and is created exclusively (``mkstemp``: ``O_CREAT | O_EXCL``, so
an existing name or link is never opened), and the final ``os.replace`` swaps a link at the
target itself instead of writing through it.

Every output also passes :func:`check_output` first: it must not be the open database (or its
``-wal``/``-shm``/``-journal``), the campaign config or the units registry, whichever way the
path names them (a symlink, a hard link, ``./x/../v.db``); ``tracker --db v.db report -o v.db``
would otherwise have replaced the live database with HTML. The command line registers those
files for the length of one command (:func:`protect`). A write that fails (no permission, disk
full, a folder where the file should be) becomes one :class:`OutputError` line naming the file,
and the temporary file is removed.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from tracker.errors import OutputError, TrackerError

__all__ = [
    "atomic_binary_output",
    "atomic_output_path",
    "atomic_text_output",
    "check_output",
    "file_failure",
    "protect",
    "unprotect",
]

_lock = threading.Lock()
_protected: tuple[tuple[Path, str], ...] = ()

_REASONS = {
    errno.EACCES: "没有写权限 (permission denied)",
    errno.EPERM: "没有写权限 (permission denied)",
    errno.EROFS: "文件系统是只读的 (read-only file system)",
    errno.ENOSPC: "磁盘已满 (disk full)",
    errno.EDQUOT: "磁盘配额已用完 (disk quota exceeded)",
    errno.EISDIR: "这是一个文件夹 (is a directory)",
    errno.ENOTDIR: "路径中有一段不是文件夹 (not a directory)",
    errno.ENOENT: "文件或文件夹不存在 (no such file or directory)",
    errno.ENAMETOOLONG: "文件名太长 (file name too long)",
    errno.EEXIST: "已有同名文件 (file exists)",
    errno.EIO: "磁盘读写错误 (I/O error)",
}


def protect(files: Iterable[tuple[str | os.PathLike[str], str]]) -> None:
    """Make ``files`` (path, what it is in Chinese and English) the ones no output may replace.

    Replaces any earlier set: one command line invocation, one set of files.
    """
    global _protected
    entries = tuple((Path(os.path.abspath(path)), label) for path, label in files)
    with _lock:
        _protected = entries


def unprotect() -> None:
    """Forget the protected files (the command that registered them is over)."""
    protect(())


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: same real path (links resolved), or same inode."""
    if os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): the real paths decided
        return False


def check_output(path: str | os.PathLike[str]) -> Path:
    """``path`` as an output target, or an :class:`OutputError` before anything is written.

    Refused: a protected file (:func:`protect`) under any name, and an existing folder (the
    write would fail at the very end, after all the work, and leave its temporary file).
    """
    target = Path(path)
    for protected, label in _protected:
        if _same_file(target, protected):
            raise OutputError(
                f"输出文件会覆盖{label}，已拒绝 (refusing to overwrite it): {target}；"
                "请换一个输出文件名"
            )
    if target.is_dir():
        raise OutputError(
            f"输出路径是一个文件夹 (output path is a directory): {target}；请给出文件名"
        )
    return target


def file_failure(
    exc: OSError, path: str | os.PathLike[str] | None = None, *, writing: bool = False
) -> TrackerError:
    """``exc`` as one line naming the file and the reason, for staff (no traceback)."""
    if isinstance(exc, TrackerError):
        return exc
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    where = path if path is not None else exc.filename
    if writing:
        return OutputError(f"无法写入文件 (cannot write file) {where}: {reason}")
    shown = f" {where}" if where is not None else ""
    return TrackerError(f"文件操作失败 (file error){shown}: {reason}")


def _default_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give (0666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_text_output(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Yield a text file that becomes ``path`` when the block ends without an error.

    On an error the temporary file is removed and ``path`` is left as it was. The file is
    written through the descriptor ``mkstemp`` opened, never reopened by name.
    """
    with _temporary_beside(path) as (fd, _tmp):
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
            yield fh


@contextmanager
def atomic_binary_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """:func:`atomic_text_output` for bytes (a zip container such as an xlsx workbook)."""
    with _temporary_beside(path) as (fd, _tmp):
        with os.fdopen(fd, "wb") as fh:
            yield fh


@contextmanager
def atomic_output_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield the name of a fresh temporary file beside ``path``, for writers that want a name
    (xlsxwriter, openpyxl, Chromium); it becomes ``path`` when the block ends without an error.
    """
    with _temporary_beside(path) as (fd, tmp):
        os.close(fd)
        yield tmp


@contextmanager
def _temporary_beside(path: str | os.PathLike[str]) -> Iterator[tuple[int, Path]]:
    """The shared part: check the target, create the temp file (fd, name), move it into place.

    The target is checked first (:func:`check_output`) and its folder created; an ``OSError``
    anywhere becomes an :class:`OutputError` naming ``path``. On any error the temporary file
    is removed and ``path`` is left as it was.
    """
    target = check_output(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise file_failure(exc, target, writing=True) from exc
    tmp = Path(name)
    try:
        os.fchmod(fd, _default_mode())
    except OSError as exc:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise file_failure(exc, target, writing=True) from exc
    try:
        yield fd, tmp  # from here the caller owns (and closes) the descriptor
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise file_failure(exc, target, writing=True) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
