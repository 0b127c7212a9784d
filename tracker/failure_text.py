"""One line of text for a failure that staff will read: no SQL, no row data, no password.

The CLI prints it and the scheduler stores it in a job's run row, from where it reaches
``tracker status``, the report and the group-chat alerts. A database error's text carries the
statement and its parameters, an unexpected error's later lines often a data dump, so both
faces use this one function instead of ``str(exc)``.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from tracker.errors import TrackerError
from tracker.safe_files import file_failure
from tracker.store.failures import database_failure, hide_passwords


def expected_failure_text(exc: BaseException) -> str:
    """The message for an expected failure (a ``TrackerError``, a database or file error).

    A database error that no layer turned into a ``StoreError`` (a read-only file under
    ``review approve``, a full disk under ``import``) gets its fixed sentence; an ``OSError``
    (an output folder without write permission) its reason and file. Whatever the source, a
    URL's password is masked.
    """
    if isinstance(exc, SQLAlchemyError):
        exc = database_failure(exc)
    elif isinstance(exc, OSError) and not isinstance(exc, TrackerError):
        exc = file_failure(exc)
    return hide_passwords(str(exc))


def first_line(text: str) -> str:
    """An unexpected error's first line: what follows is often a statement or a data dump."""
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def failure_text(exc: BaseException) -> str:
    """Any failure as one line: expected ones as :func:`expected_failure_text`, others as their
    type and first line (password masked)."""
    if isinstance(exc, TrackerError | SQLAlchemyError | OSError):
        return expected_failure_text(exc)
    return f"{type(exc).__name__}: {hide_passwords(first_line(str(exc)))}"
