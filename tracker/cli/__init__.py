"""The ``tracker`` command line: thin faces over the services.

Errors a user can cause (bad config, missing database, blocked platform, bad import file) are
``TrackerError``s: printed as one clear line on stderr with a non-zero exit code; the traceback
only with ``--debug`` (or ``TRACKER_DEBUG=1``).

Start-up is kept short: the command modules import their use cases, pandas, the database layer
and the HTTP client inside the commands, so ``tracker --help`` loads none of them and each
command loads only what it runs. Many scripts and the scheduler's jobs start a fresh
``tracker`` process per command.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from typing import Any, NoReturn

import typer
import typer.main

from tracker.cli import (  # noqa: F401  - importing a command module registers its commands
    commands_campaign,
    commands_collect,
    commands_core,
    commands_dashboard,
    commands_db,
    commands_demo,
    commands_import,
    commands_pack,
    commands_plan,
    commands_rank,
    commands_schedule,
    commands_sim,
)
from tracker.cli.app import app
from tracker.cli.argv import hoist_global_options
from tracker.errors import TrackerError

__all__ = ["app", "main"]


@functools.cache
def _root_command() -> Any:
    """The click command tree of ``app``, built once per process.

    Typer builds it from the command functions' signatures each time it is asked (some 30 ms
    for this many commands); a run needs it twice (moving the global options, then running),
    and the tests run hundreds of commands in one process. Every command module is imported
    above, so the tree is complete by the time anything runs, and click keeps a run's state in
    its context, never on the commands.
    """
    return typer.main.get_command(app)


def _wants_debug(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("TRACKER_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _wants_debug(args)
    try:
        # --db/--config/--units after the subcommand are moved before it (tracker.cli.argv).
        command = _root_command()
        args = hoist_global_options(args, command)
        # With standalone_mode=False click returns a command's exit code instead of exiting.
        code = command.main(args=args, prog_name="tracker", standalone_mode=False)
        if isinstance(code, int) and code != 0:
            raise SystemExit(code)
    except (TrackerError, OSError) as exc:
        _expected_failure(exc, debug)
    except typer.TyperException as exc:  # a usage error: unknown option, bad value, ...
        show = getattr(exc, "show", None)
        if callable(show):
            show()  # usage line and the reason, as click prints them
        else:
            typer.secho(f"错误: {exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(int(getattr(exc, "exit_code", 2))) from None
    except typer.Abort:
        typer.secho("已中止 (aborted)", err=True)
        raise SystemExit(130) from None
    except KeyboardInterrupt:
        typer.secho("已中断 (interrupted)", err=True)
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence for a clear message
        # the database layer is imported only now: a command that failed before opening the
        # database (or --help) never loads it just to name its errors
        from tracker.store.failures import DATABASE_ERRORS, hide_passwords

        if isinstance(exc, DATABASE_ERRORS):
            _expected_failure(exc, debug)
        if debug:
            raise
        logging.getLogger("tracker").debug("unexpected error", exc_info=True)
        from tracker.failure_text import first_line

        first = hide_passwords(first_line(str(exc)))
        typer.secho(
            f"内部错误 (internal error): {type(exc).__name__}: {first}（加 --debug 查看详情）",
            fg=typer.colors.RED,
            err=True,
        )
        raise SystemExit(2) from None


def _expected_failure(exc: Exception, debug: bool) -> NoReturn:
    """A failure staff can act on: one red line and exit code 1 (re-raised with ``--debug``)."""
    if debug:
        raise exc
    from tracker.failure_text import expected_failure_text

    typer.secho(f"错误: {expected_failure_text(exc)}", fg=typer.colors.RED, err=True)
    raise SystemExit(1) from None
