"""Output paths: ``export posts -o`` and the other writers must not be steered by links.

What exists today: writers put a file in place atomically (temporary file, then rename). The
classic hole in that pattern is a predictable temporary name (``<name>.part``): whoever can
create files in the output directory plants a symlink there and the tool, running as the
scheduler's user, overwrites the link's target. These checks plant such links and require the
victim file to stay untouched. (There is no option yet that confines outputs to a base
directory, so ``-o ../../x`` is taken as the user wrote it; see the report.)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.cli import main

from ..helpers.config import CONFIG

VICTIM_TEXT = "victim: must never change\n"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT, encoding="utf-8")
    return victim


def _export(db: Engine, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = db.url.render_as_string(hide_password=False)
    try:
        main(["--db", url, "--config", str(CONFIG), "export", "posts", "-o", str(out)])
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err


def test_export_does_not_write_through_a_planted_part_link(
    tmp_path: Path, db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim(tmp_path)
    out_dir = tmp_path / "shared"
    out_dir.mkdir()
    out = out_dir / "posts.jsonl"
    (out_dir / "posts.jsonl.part").symlink_to(victim)
    _export(db, out, capsys)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert out.is_file() and not out.is_symlink()


def test_export_replaces_a_link_at_the_target_instead_of_following_it(
    tmp_path: Path, db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim(tmp_path)
    out = tmp_path / "posts.jsonl"
    out.symlink_to(victim)
    _export(db, out, capsys)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert out.is_file() and not out.is_symlink()


def test_failed_export_keeps_the_previous_file_and_leaves_no_litter(
    tmp_path: Path, db: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "posts.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    def broken(_engine: Any, fh: Any) -> int:
        fh.write('{"half": ')
        raise RuntimeError("database went away")

    monkeypatch.setattr("tracker.services.export_posts.write_jsonl", broken)
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "--db",
                str(db.url.database),
                "--config",
                str(CONFIG),
                "export",
                "posts",
                "-o",
                str(out),
            ]
        )
    assert exc.value.code
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "posts" in p.name) == ["posts.jsonl"]


def _writer(ref: str) -> Callable[..., Any] | None:
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, attr, None)


OTHER_WRITERS = [
    # (writer, how to call it with a target path) — the scheduler's daily files and the exports.
    ("tracker.schedule.reports:write_json", lambda fn, path, db: fn(path, {"ok": True})),
    ("tracker.schedule.reports:write_posts", lambda fn, path, db: fn(db, path)),
]


@pytest.mark.parametrize(("ref", "call"), OTHER_WRITERS, ids=[w[0] for w in OTHER_WRITERS])
def test_scheduler_writers_do_not_follow_a_planted_part_link(
    tmp_path: Path, db: Engine, ref: str, call: Callable[..., Any]
) -> None:
    fn = _writer(ref)
    if fn is None:
        pytest.skip(f"{ref} does not exist")
    victim = _victim(tmp_path)
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    out = out_dir / "daily.out"
    (out_dir / "daily.out.part").symlink_to(victim)
    call(fn, out, db)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT, f"{ref} wrote through a planted link"
    assert out.is_file() and not out.is_symlink()
