"""``--db PATH`` is a file path, taken literally: no character of it is URL or ini syntax.

Staff keep the database under folders such as ``桌面/数据 目录`` or ``C:\\Users\\张三``, and a
folder may well hold ``#``, ``%``, ``?``, ``&`` or ``'``. The path once went through a URL
string (``?`` started a query, ``%20`` was decoded) and then through alembic's ini parser
(``%`` is interpolation syntax), so ``init`` failed with ``invalid interpolation syntax`` and
left an empty file behind. The property below draws path names from exactly those characters.
A Postgres password must never be shown either, whatever fails.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from ..helpers.cli import final_error_line, run_in_process
from ..helpers.config import CONFIG

PG_URL = os.environ.get("TRACKER_TEST_PG_URL")
PASSWORD = "p%40ss"
"""A URL-encoded password (``p@ss``): both spellings must stay hidden."""

NASTY = [
    "数据 目录/追踪库.db",
    "桌面/张三的 资料/kepu.db",
    "q?dir/t.db",
    "pct%20dir/t.db",
    "100%/t.db",
    "a#b/c#d.db",
    "amp&x=1/o'k.db",
    "who@host/t.db",
    "~/t.db",
    "C:\\Users\\张三\\t.db",
    "[/]",  # rich markup's closing tag, as a folder and a file name (found by hypothesis)
    "[bold]数据[/bold]/t.db",
]


def _init(db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_in_process([f"--db={db}", "--config", str(CONFIG), "init"], capsys)


def _status(db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_in_process(
        [f"--db={db}", "--config", str(CONFIG), "status", "--format", "json"], capsys
    )


def _tree(root: Path) -> set[str]:
    """Every file and folder under ``root``, relative, with SQLite's WAL companions left out."""
    found = set()
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if not name.endswith(("-wal", "-shm")):
            found.add(name)
    return found


def _expected(relative: str) -> set[str]:
    parts = Path(relative).parts
    return {Path(*parts[: i + 1]).as_posix() for i in range(len(parts))}


def _check_literal_path(base: Path, relative: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``init`` on ``relative`` (run in ``base``) creates exactly that file; ``status`` opens it."""
    code, out, err = _init(relative, capsys)
    assert code == 0, err
    assert "已创建数据库" in out, out
    assert _tree(base) == _expected(relative), sorted(_tree(base))
    code, out, err = _status(relative, capsys)
    assert code == 0, err


@pytest.mark.parametrize("relative", NASTY)
def test_init_creates_the_file_named_literally(
    relative: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    _check_literal_path(tmp_path, relative, capsys)


def test_absolute_path_with_chinese_and_percent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "张三 %E6 #1" / "追踪库?.db"
    code, out, err = _init(str(db), capsys)
    assert code == 0, err
    assert db.is_file()
    shown = " ".join(out.split())  # rich wraps long lines at spaces
    assert "张三 %E6 #1/追踪库?.db" in shown, "staff must see their path as given, not %-escaped"
    assert _status(str(db), capsys)[0] == 0


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_SPECIAL = st.sampled_from(list(" #%?&@'=+;,!$()[]~\\") + ["%20", "%25", "%E6", "%%", "?a=1"])
_PLAIN = st.sampled_from(list("abcxyz019_-."))
_NAME = (
    st.lists(st.one_of(_CJK, _SPECIAL, _PLAIN), min_size=1, max_size=10)
    .map("".join)
    .filter(lambda s: s.strip(".") != "" and len(s.encode()) < 200)
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(folders=st.lists(_NAME, min_size=0, max_size=2), name=_NAME)
def test_any_path_name_is_taken_literally(
    folders: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    relative = "/".join([*folders, name])
    if "://" in relative:  # only such strings are URLs (cannot be drawn: no ':' in the alphabet)
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        old = Path.cwd()
        os.chdir(base)
        try:
            _check_literal_path(base, relative, capsys)
        finally:
            os.chdir(old)


def test_failed_init_removes_the_file_it_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(
            "INSERT INTO campaign ...", {"name": "x"}, Exception("disk I/O error")
        )

    monkeypatch.setattr("tracker.services.database.sync_campaigns", broken)
    db = tmp_path / "新 目录" / "t.db"
    code, _, err = _init(str(db), capsys)
    assert code != 0
    final_error_line(err)
    assert list(tmp_path.iterdir()) == [], "a failed init left its own file or folder behind"


def test_failed_init_keeps_a_file_that_was_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "t.db"
    assert _init(str(db), capsys)[0] == 0
    before = db.read_bytes()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT ...", {}, Exception("disk I/O error"))

    monkeypatch.setattr("tracker.services.database.sync_campaigns", broken)
    code, _, err = _init(str(db), capsys)
    assert code != 0
    assert db.read_bytes() == before


def _assert_no_password(err: str) -> None:
    assert PASSWORD not in err and "p@ss" not in err, err
    final_error_line(err)


@pytest.mark.parametrize("command", [["init"], ["status"], ["export", "posts", "-o", "-"]])
def test_postgres_password_is_not_shown_when_the_server_is_unreachable(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:1/test"
    code, out, err = run_in_process(["--db", url, "--config", str(CONFIG), *command], capsys)
    assert code != 0
    assert PASSWORD not in out and "p@ss" not in out
    _assert_no_password(err)


def _pg_url_with_password(schema: str) -> str:
    """The test server's URL with a password (trust auth ignores it) and a scratch schema."""
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL or "")
    url = base.set(password="p@ss", query={"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    assert PASSWORD in rendered
    return rendered


def test_postgres_init_with_a_percent_encoded_password(
    pg_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _pg_url_with_password(pg_schema)
    code, out, err = run_in_process(["--db", url, "--config", str(CONFIG), "init"], capsys)
    assert code == 0, err
    assert PASSWORD not in out + err and "p@ss" not in out + err
    code, out, err = run_in_process(["--db", url, "--config", str(CONFIG), "status"], capsys)
    assert code == 0, err
    assert PASSWORD not in out + err and "p@ss" not in out + err


def test_demo_out_folder_with_chinese_and_url_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tracker demo --out 演示输出`` once stopped at the ini parser like ``init`` did."""
    monkeypatch.chdir(tmp_path)
    out = "演示 输出%20#?&"
    code, _, err = run_in_process(
        ["--config", str(CONFIG), "demo", "--scale", "10", "--out", out], capsys
    )
    assert code == 0, err
    assert (tmp_path / out / "tracker.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [out]


@settings(max_examples=200, deadline=None)
@given(
    password=st.text(min_size=1, max_size=20),
    user=st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
)
def test_no_password_survives_in_a_message(password: str, user: str) -> None:
    """Whatever a layer quotes (a URL as text, or libpq's conninfo), the last-resort filter of
    the command line shows it with ``***`` in the password's place and nothing else changed."""
    from urllib.parse import quote

    from sqlalchemy.engine import URL

    from tracker.store.failures import hide_passwords

    url = URL.create("postgresql+psycopg", user, password, "127.0.0.1", 5432, "test")
    rendered = url.render_as_string(hide_password=False)
    masked = f"postgresql+psycopg://{user}:***@127.0.0.1:5432/test"
    assert hide_passwords(f"bad syntax in {rendered!r} at 3") == f"bad syntax in {masked!r} at 3"
    conninfo = f"host=127.0.0.1 user={user} password={quote(password, safe='')} port=1"
    assert hide_passwords(conninfo) == f"host=127.0.0.1 user={user} password=*** port=1"
