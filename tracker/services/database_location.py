"""Which database a command means: its URL, its name in messages, its file.

Kept apart from ``tracker.services.database`` (schema checks, migrations, the registry), which
imports the migration tool and the table models: every command resolves its database before
it runs, if only to protect the file from being overwritten by an output, and most commands
(``--help``, ``config check``, ``dashboard-passwd``, ``schedule --dry-run``) never open it.
"""

from __future__ import annotations

from tracker.store.engine import describe_url, resolve_database_url, sqlite_path

__all__ = ["database_file", "database_label", "database_url"]


def database_url(url: str | None) -> str:
    """The URL a command uses: ``--db``, else ``TRACKER_DATABASE_URL``, else the default file."""
    return resolve_database_url(url)


def database_label(url: str) -> str:
    """``url`` as staff see it in messages (password hidden, a file by its own path)."""
    return describe_url(url)


def database_file(url: str) -> str | None:
    """The SQLite file ``url`` names, as written; ``None`` for a server or an in-memory one."""
    return sqlite_path(url)
