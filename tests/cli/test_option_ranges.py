"""Every number the command line takes has a declared range, enforced as a usage error (exit 2).

``review list --top -3`` used to drop the last three rows, ``collect --max-pages -1`` read two
pages and ``--max-pages 0`` meant "no limit", ``--since`` after ``--until`` collected nothing.
The walk below covers every command of the app, so an option added later without a range (or
without a reason in ``UNBOUNDED``) fails here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from tracker.cli import app, main

from ..helpers.cli import run_in_process
from ..helpers.database import config_and_database

UNBOUNDED: dict[tuple[str, str], str] = {
    ("demo", "--seed"): "any integer is a valid random seed",
    ("sim serve", "--seed"): "any integer is a valid random seed",
    ("sim truth", "--seed"): "any integer is a valid random seed",
    ("sim units", "--seed"): "any integer is a valid random seed",
}
"""Numeric options deliberately without a range, each with the reason."""


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    yield " ".join(path), command
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


def _number_type(param: Any) -> type | None:
    """int or float when the parameter takes numbers (``int | None``, ``list[int]`` too)."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    candidates = [annotation]
    while candidates:
        ann = candidates.pop()
        if ann in (int, float):
            return ann
        if isinstance(ann, types.UnionType) or typing.get_origin(ann) in (typing.Union, list):
            candidates.extend(typing.get_args(ann))
    return None


def _numeric_options() -> list[tuple[str, str, Any, type]]:
    root = typer.main.get_command(app)
    found = []
    for path, command in _commands(root):
        for param in command.params:
            kind = _number_type(param)
            if kind is not None and not getattr(param, "count", False):
                found.append((path, param.opts[0], param, kind))
    return found


NUMERIC = _numeric_options()
RANGED = [
    pytest.param(path, opt, param, kind, id=f"{path} {opt}")
    for path, opt, param, kind in NUMERIC
    if (path, opt) not in UNBOUNDED
]


def test_the_walk_finds_the_known_numeric_options() -> None:
    names = {(path, opt) for path, opt, _, _ in NUMERIC}
    assert {("review list", "--top"), ("collect", "--max-pages"), ("dashboard", "--port")} <= names
    assert set(UNBOUNDED) <= names, "stale allow-list entries"


@pytest.mark.parametrize(("path", "opt", "param", "kind"), RANGED)
def test_every_numeric_option_declares_a_range(path: str, opt: str, param: Any, kind: type) -> None:
    assert param.min is not None or param.max is not None, (
        f"`tracker {path} {opt}` takes a number without a range: give it min=/max= "
        "or add it to UNBOUNDED with the reason"
    )


UsageError = typer.BadParameter.__mro__[1]
"""click's ``UsageError`` (typer vendors click; ``BadParameter`` derives from it)."""
SAFE = ["--config", "/nonexistent/campaign.toml", "--db", "/nonexistent/tracker.db"]
"""Root options that stop any command that does get to run before it touches anything."""


def _parse_only(argv: list[str]) -> None:
    """Parse ``tracker ARGV`` down to the leaf command without running anything."""
    command: Any = typer.main.get_command(app)
    ctx = command.make_context("tracker", list(argv))
    while getattr(command, "commands", None) is not None:
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not args:
            return
        name, command, args = command.resolve_command(ctx, args)
        ctx = command.make_context(name, args, parent=ctx)


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """``tracker ARGV`` is refused while parsing (so nothing ran), as exit 2 with click's usage."""
    with pytest.raises(UsageError):
        _parse_only([*SAFE, *argv])
    with pytest.raises(SystemExit) as exit_info:
        main([*SAFE, *argv])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "Usage: tracker" in err
    assert "内部错误" not in err and "Traceback" not in err
    return err


def _out_of_range(param: Any, kind: type) -> list[str]:
    values = ["-1"]
    if param.min is not None:
        values.append(str(kind(param.min) - (1 if kind is int else 0.5)))
    if param.max is not None:
        values.append(str(kind(param.max) + 1))
    if kind is float:
        values.append("nan")  # passes every comparison but breaks time.sleep and friends
    return values


@pytest.mark.parametrize(("path", "opt", "param", "kind"), RANGED)
def test_out_of_range_values_are_usage_errors(
    path: str, opt: str, param: Any, kind: type, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in _out_of_range(param, kind):
        err = _usage_error([*path.split(), opt, value], capsys)
        assert opt in err, err


@pytest.mark.parametrize(
    "argv",
    [
        ["review", "list", "--top", "-3"],
        ["review", "list", "--top", "0"],
        ["rank", "works", "--top", "-1"],
        ["export", "works", "-o", "x.xlsx", "--top", "0"],
        ["collect", "--max-pages", "-1"],
        ["collect", "--max-pages", "0"],
        ["collect", "--workers", "0"],
        ["dashboard", "--port", "70000"],
        ["sim", "serve", "--slow-s", "-0.1"],
    ],
)
def test_reported_cases(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _usage_error(argv, capsys)


def test_max_pages_help_says_how_to_read_everything(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        main(["collect", "--help"])
    except SystemExit as exc:
        assert not exc.code
    out = " ".join(capsys.readouterr().out.split())
    assert "--max-pages" in out and "不写" in out


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2024-09-30", "2024-09-01"),
        ("2024-09-01", "2024-09-01"),
        ("2024-09-02 08:00", "2024-09-02"),
    ],
)
def test_since_not_before_until_is_one_line(
    since: str, until: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _usage_error(["collect", "--since", since, "--until", until], capsys)
    reason = [line for line in err.splitlines() if "--since" in line and "--until" in line]
    assert len(reason) == 1, err


@pytest.mark.parametrize("age", ["0d", "0", "-1d", "99999999999d", "3651d", "1y", ""])
def test_refresh_younger_than_out_of_range(age: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _usage_error(["refresh", "--younger-than", age], capsys)
    assert "--younger-than" in err


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01"])
def test_report_date_out_of_range_is_one_line(
    tmp_path: Path, day: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report --date 9999-12-31`` was an internal OverflowError (the report steps past it)."""
    config_path, db = config_and_database(tmp_path)
    out = tmp_path / "r.html"
    code, _, err = run_in_process(
        ["--db", str(db), "--config", str(config_path), "report", "--date", day, "-o", str(out)],
        capsys,
    )
    assert code == 1, err
    assert "--date" in err and "内部错误" not in err
    assert len(err.strip().splitlines()) == 1
