"""Tables that fit: an 80-column terminal shows fewer columns in full instead of every column cut
to one character, and output that is not a terminal (piped, redirected) is never cut."""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _json(cli, *args: str) -> list[dict]:
    res = cli(*args, "--format", "json")
    assert res.code == 0, res.err
    return json.loads(res.out)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _terminal(monkeypatch: pytest.MonkeyPatch, columns: int = 80) -> None:
    """What rich sees in a real terminal of ``columns`` columns (no colours, to read it)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")


def _piped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Captured stdout is not a terminal; COLUMNS=80 must not narrow it."""
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("TTY_COMPATIBLE", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def _table(out: str) -> tuple[list[str], list[list[str]]]:
    """Headers and records of a rich table; a record's wrapped lines are joined per column."""
    lines = ANSI.sub("", out).splitlines()
    header = next(line for line in lines if line.startswith("┃"))
    headers = [h.strip() for h in header.strip("┃").split("┃")]
    records: list[list[str]] = []
    for line in lines:
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        assert len(cells) == len(headers), line
        if cells[0] or not records:
            records.append(cells)
        else:  # a continuation line: the first column (rank / id) is empty
            records[-1] = [a + b for a, b in zip(records[-1], cells, strict=True)]
    return headers, records


def _fits(out: str, width: int) -> None:
    widths = [cell_len(line) for line in ANSI.sub("", out).splitlines()]
    assert widths and max(widths) <= width, max(widths)


def test_works_in_80_columns_show_rank_id_title_score_and_review_in_full(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    works = _json(cli, "rank", "works", "--include-unreviewed", "--top", "8")
    _terminal(monkeypatch)
    res = cli("rank", "works", "--include-unreviewed", "--top", "8")
    assert res.code == 0, res.err
    _fits(res.out, 80)
    headers, records = _table(res.out)
    assert {"排名", "作品编号", "标题", "质量分", "审核"} <= set(headers)
    assert len(records) == len(works) == 8
    col = {h: i for i, h in enumerate(headers)}
    for work, record in zip(works, records, strict=True):
        assert record[col["排名"]] == str(work["rank"])
        assert record[col["作品编号"]] == f"{work['platform']}:{work['platform_post_id']}"
        assert record[col["质量分"]] == f"{work['quality_score']:,.1f}"
        assert record[col["审核"]] == "待审核"
        # The title may wrap onto a second line but is the whole (terminal-length) title.
        title = _one_line(work["title"])
        shown = title if len(title) <= 24 else title[:23] + "…"
        assert record[col["标题"]] == shown.replace(" ", "")
    # No cell reduced to one character and an ellipsis (the old "谢 …").
    assert not re.search(r"│ \S …", ANSI.sub("", res.out))
    assert "省略了列" in res.err and "账号" in res.err


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (
            ("rank", "creators", "--include-unreviewed"),
            ("排名", "创作者", "创作者编号", "创作者得分"),
        ),
        (("rank", "units", "--include-unreviewed"), ("排名", "单位", "传播力")),
        (("review", "list"), ("作品编号", "标题", "质量分", "审核状态")),
        (("status",), ("平台", "作品", "活动作品", "状态")),
    ],
    ids=["creators", "units", "review", "status"],
)
def test_other_tables_fit_80_columns_with_their_key_columns(
    cli, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    rows = _json(cli, *args) if args[0] != "status" else None
    _terminal(monkeypatch)
    res = cli(*args, *(("--top", "5") if args[0] != "status" else ()))
    assert res.code == 0, res.err
    _fits(res.out, 80)
    table = ANSI.sub("", res.out).split("定时任务")[0]  # status: the database table
    headers, records = _table(table)
    assert set(keys) <= set(headers)
    assert not re.search(r"│ \S …", table)
    if args[1:2] == ("creators",):
        assert rows is not None
        col = headers.index("创作者编号")
        assert [r[col] for r in records] == [c["creator_key"] for c in rows[:5]]
    if args[0] == "review":
        assert rows is not None
        col = headers.index("作品编号")
        assert [r[col] for r in records] == [
            f"{w['platform']}:{w['platform_post_id']}" for w in rows[:5]
        ]


def test_a_wide_terminal_still_shows_every_column(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch, 250)
    res = cli("rank", "works", "--include-unreviewed", "--top", "5")
    assert res.code == 0, res.err
    headers, _ = _table(res.out)
    assert headers == [
        "排名",
        "作品编号",
        "账号",
        "标题",
        "城市",
        "质量分",
        "加权互动量 I",
        "风险分",
        "审核",
    ]
    assert "省略了列" not in res.err


def test_piped_output_is_never_cut(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    works = _json(cli, "rank", "works", "--include-unreviewed")
    _piped(monkeypatch)
    res = cli("rank", "works", "--include-unreviewed")
    assert res.code == 0, res.err
    headers, records = _table(res.out)
    assert headers == [
        "排名",
        "作品编号",
        "账号",
        "标题",
        "城市",
        "质量分",
        "加权互动量 I",
        "风险分",
        "审核",
        "窗口",  # the seeded world publishes some works outside the campaign window
    ]
    assert len(records) == 20 and "省略了列" not in res.err
    long_titles = [w for w in works[:20] if len(_one_line(w["title"])) > 24]
    assert long_titles, "the seeded world has titles longer than a terminal cell"
    for work in works[:20]:
        assert _one_line(work["title"]) in res.out  # whole, not cut to 24 characters
        assert _one_line(work["account_name"]) in res.out
    review = cli("review", "list", "--top", "5")
    queue = _json(cli, "review", "list", "--top", "5")
    for work in queue:
        assert _one_line(work["title"]) in review.out
        assert _one_line(work["risk_reasons"] or "—") in review.out
