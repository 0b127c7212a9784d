"""Tables that fit the terminal they are printed to, and are never cut when piped.

rich shrinks every column of a table wider than the terminal, so in an 80-column terminal each
column but a ``no_wrap`` one ends as one character and an ellipsis (``谢 …``). Instead:

- stdout is not a terminal (piped, redirected, captured): print at full width, nothing cut, so
  ``tracker rank works > list.txt`` or ``| grep`` sees every title whole;
- a terminal too narrow for every column: leave out the least important columns, one by one,
  until the rest fit in full; a column marked ``flex`` (a title) counts as ``FLEX_MIN`` cells and
  may wrap onto more lines, but is never cut to ``…``. A note on stderr names the columns left
  out.

Widths are measured in terminal cells (a CJK character is two), the way rich lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table

UNLIMITED_WIDTH = 100_000
"""The width of a console that is not a terminal: wide enough that nothing wraps."""
FLEX_MIN = 20
"""Cells a ``flex`` column is counted with when deciding what fits (ten CJK characters)."""


def stdout_console() -> Console:
    """A console for stdout: the terminal's width, or unlimited when stdout is not a terminal."""
    console = Console()
    if console.is_terminal:
        return console
    return Console(width=UNLIMITED_WIDTH)


def is_unlimited(console: Console) -> bool:
    return console.width >= UNLIMITED_WIDTH


@dataclass(frozen=True, slots=True)
class Col:
    """A table column: ``keep`` 0 is always shown; larger values are left out first."""

    header: str
    keep: int = 0
    flex: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def _cell_width(console: Console, cell: RenderableType) -> int:
    return Measurement.get(console, console.options, cell).maximum


def fit_table(
    console: Console,
    title: str,
    columns: Sequence[Col],
    rows: Sequence[Sequence[RenderableType]],
) -> tuple[Table, list[str]]:
    """The table for ``console`` and the headers of the columns left out to make it fit."""
    widths = [
        max([_cell_width(console, c.header), *(_cell_width(console, r[i]) for r in rows)])
        for i, c in enumerate(columns)
    ]
    shown = list(range(len(columns)))

    def table_width() -> int:
        # one space of padding either side of a cell, a border line between and around cells;
        # a flex column can wrap, so it needs only FLEX_MIN cells
        return sum(min(widths[i], FLEX_MIN) if columns[i].flex else widths[i] for i in shown) + (
            3 * len(shown) + 1
        )

    if not is_unlimited(console):
        # Least important first; among equals, the rightmost first.
        order = sorted(
            (i for i, c in enumerate(columns) if c.keep > 0),
            key=lambda i: (-columns[i].keep, -i),
        )
        for i in order:
            if table_width() <= console.width:
                break
            shown.remove(i)
    table = Table(title=title)
    for i in shown:
        col = columns[i]
        options = dict(col.options)
        if col.flex:
            options.setdefault("overflow", "fold")  # wrap onto more lines, never "…"
        else:  # shown whole: rich narrows only the flex columns to fit
            options["no_wrap"] = True
            options["min_width"] = widths[i]
        table.add_column(col.header, **options)
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    left_out = [columns[i].header for i in range(len(columns)) if i not in shown]
    return table, left_out


def print_table(
    out: Console,
    title: str,
    columns: Sequence[Col],
    rows: Sequence[Sequence[RenderableType]],
    err: Console | None = None,
) -> None:
    """Print a fitted table to ``out``; name the columns left out on ``err`` (stderr)."""
    table, left_out = fit_table(out, title, columns, rows)
    out.print(table)
    if left_out:
        (err or Console(stderr=True)).print(
            f"终端宽度 {out.width} 列，省略了列：{'、'.join(left_out)}"
            "（加宽终端、把输出重定向到文件，或用 --format csv 查看全部列）",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
