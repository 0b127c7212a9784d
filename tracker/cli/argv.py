"""Global options after the subcommand: ``tracker dashboard --db X`` means ``tracker --db X dashboard``.

click only takes a group's options before the subcommand name. Before typer parses, the global
options (``--db``, ``--config``, ``--units``, ``--debug``, ``--verbose``) found after the
subcommand are moved in front of it. What is never moved:

- anything after ``--`` (operands, whatever they look like);
- an option the subcommand itself defines under the same name (it keeps its own meaning);
- a value of one of the subcommand's own options (``--note --db`` is a note reading "--db").

A value option given twice (before and after, or twice after) with different values is a usage
error: which one was meant cannot be guessed, and the wrong database is worse than none.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.main
from typer._click.core import Context
from typer._click.exceptions import UsageError


def _option_params(command: Any) -> list[Any]:
    return [
        p for p in getattr(command, "params", []) if getattr(p, "param_type_name", "") == "option"
    ]


def _names(param: Any) -> list[str]:
    return [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]


def _takes_value(param: Any) -> bool:
    return not (getattr(param, "is_flag", False) or getattr(param, "count", False))


def _option_table(command: Any) -> dict[str, Any]:
    return {name: p for p in _option_params(command) for name in _names(p)}


def _split(token: str) -> tuple[str, str | None]:
    """``--db=x`` -> (``--db``, ``x``); anything else -> (token, None)."""
    if token.startswith("--") and "=" in token:
        name, value = token.split("=", 1)
        return name, value
    return token, None


def _skip_option(token: str, table: dict[str, Any], args: list[str], i: int) -> int | None:
    """The index after option ``args[i]`` (and its value) when it is one of ``table``'s."""
    name, inline = _split(token)
    param = table.get(name)
    if param is None:
        return None
    if _takes_value(param) and inline is None:
        return i + 1 + max(int(getattr(param, "nargs", 1) or 1), 1)
    return i + 1


def hoist_global_options(args: list[str], root: Any | None = None) -> list[str]:
    """``args`` with the global options given after the subcommand moved before it.

    Raises a click ``UsageError`` when a value option is given twice with different values.
    Anything it does not understand is left as it is, for click to report.
    """
    if root is None:
        from tracker.cli.app import app

        root = typer.main.get_command(app)
    globals_ = _option_table(root)
    leading: list[str] = []
    seen: dict[str, list[str]] = {}
    i = 0
    # 1. the global options already before the subcommand
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        nxt = _skip_option(args[i], globals_, args, i)
        if nxt is None:
            return args  # not ours (--help, a typo): click reports it
        _remember(args[i:nxt], globals_, seen)
        leading.extend(args[i:nxt])
        i = nxt
    # 2. down the command tree to the command that runs, keeping group options where they are
    #    (``tracker export --db X works`` moves ``--db X`` too)
    path: list[str] = []
    moved: list[str] = []
    command = root
    while i < len(args) and hasattr(command, "commands"):
        token = args[i]
        if token.startswith("-"):
            own = _option_table(command) if command is not root else {}
            nxt = _skip_option(token, own, args, i)
            if nxt is not None:
                path.extend(args[i:nxt])
                i = nxt
                continue
            nxt = _skip_option(token, globals_, args, i) if command is not root else None
            if nxt is None or nxt > len(args):
                return args  # not ours, or "--db" with no value: click reports it
            _remember(args[i:nxt], globals_, seen)
            moved.extend(args[i:nxt])
            i = nxt
            continue
        sub = command.commands.get(token)
        if sub is None:
            return args  # "No such command": click says so
        path.append(token)
        command = sub
        i += 1
    if command is root:
        return args
    # 3. the subcommand's own arguments: pick out the global options it does not define
    own = _option_table(command)
    rest: list[str] = []
    after_seen = bool(moved)
    while i < len(args):
        token = args[i]
        if token == "--":
            rest.extend(args[i:])
            break
        name, _ = _split(token)
        if name in own:
            nxt = _skip_option(token, own, args, i) or i + 1
            rest.extend(args[i:nxt])
            i = nxt
            continue
        if name in globals_:
            nxt = _skip_option(token, globals_, args, i) or i + 1
            if nxt > len(args):
                return args  # "--db" with no value: click's "requires an argument"
            _remember(args[i:nxt], globals_, seen)
            moved.extend(args[i:nxt])
            after_seen = True
            i = nxt
            continue
        rest.append(token)
        i += 1
    if not after_seen:
        return args
    _check_conflicts(seen, root)
    return [*leading, *moved, *path, *rest]


def _remember(tokens: list[str], table: dict[str, Any], seen: dict[str, list[str]]) -> None:
    name, inline = _split(tokens[0])
    param = table[name]
    if not _takes_value(param):
        return
    value = inline if inline is not None else " ".join(tokens[1:])
    seen.setdefault(param.opts[0], []).append(value)


def _check_conflicts(seen: dict[str, list[str]], root: Any) -> None:
    for name, values in seen.items():
        distinct = list(dict.fromkeys(values))
        if len(distinct) > 1:
            shown = " 与 ".join(repr(v) for v in distinct)
            raise UsageError(
                f"{name} 给了两次且值不同：{shown}；只写一次 "
                f"({name} given twice with different values)",
                ctx=Context(root, info_name="tracker"),
            )
