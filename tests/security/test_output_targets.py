"""No output may overwrite the open database, its journals, the config or the units registry.

``tracker --db v.db report -o v.db`` once replaced the live database with HTML; ``tracker demo
--out data`` deleted ``data/tracker.db``; ``tracker sim units -o config/units.csv`` replaced the
registry. Every command that writes a file is driven here at each protected file, and at the
same files under other names (a symlink, a hard link, ``x/../``): the command must stop with one
clear line and a non-zero exit, and the file must be byte for byte what it was. A last test
walks the command tree, so a new ``-o``/``--out`` option without a case here fails.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import typer

from tracker.cli import app
from tracker.errors import OutputError
from tracker.safe_files import protect, unprotect

from ..helpers.cli import final_error_line, run_here, run_in_process
from ..helpers.config import REPO_ROOT

REFUSED = "已拒绝 (refusing to overwrite it)"


@dataclass
class Setup:
    """A working folder: ``config/`` (campaign.toml, units.csv) and ``data/tracker.db``."""

    root: Path
    config: Path
    units: Path
    db: Path

    def args(self, *command: str) -> list[str]:
        return ["--db", str(self.db), "--config", str(self.config), *command]


def _setup_in(root: Path) -> Setup:
    return Setup(
        root, root / "config" / "campaign.toml", root / "config" / "units.csv",
        root / "data" / "tracker.db",
    )  # fmt: skip


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``tracker init`` once per module: every test copies the folder it left."""
    root = tmp_path_factory.mktemp("initialised")
    shutil.copytree(REPO_ROOT / "config", root / "config")
    done = run_here(_setup_in(root).args("init"), root)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def setup(initialised: Path, tmp_path: Path) -> Setup:
    """A private copy of the initialised folder (config, units registry and database)."""
    shutil.copytree(initialised, tmp_path, dirs_exist_ok=True)
    return _setup_in(tmp_path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def _snapshot(s: Setup) -> dict[str, str]:
    files = [s.db, s.config, s.units, *(s.db.with_name(s.db.name + x) for x in ("-wal", "-shm"))]
    return {str(p): _digest(p) for p in files}


def _refused(s: Setup, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``args``; it must fail with one refusal line and leave every protected file as it was."""
    before = _snapshot(s)
    code, _, err = run_in_process(args, capsys)
    assert code != 0, f"{args} was not refused"
    line = final_error_line(err)
    assert REFUSED in line, line
    assert _snapshot(s) == before, "a protected file changed"
    litter = [p for p in s.root.rglob("*.part")]
    assert not litter, litter
    return line


# Every command that writes a file, with the option that names it. ``{out}`` is the target.
WRITERS: dict[str, list[str]] = {
    "report": ["report", "-o", "{out}"],
    "report --print-cities": ["report", "--print-cities", "-o", "{out}"],
    "export posts": ["export", "posts", "-o", "{out}"],
    "export works xlsx": ["export", "works", "--include-unreviewed", "-o", "{out}"],
    "export works csv": ["export", "works", "--format", "csv", "-o", "{out}"],
    "export creators": ["export", "creators", "-o", "{out}"],
    "export units csv": ["export", "units", "--format", "csv", "-o", "{out}"],
    "export summary xlsx": ["export", "summary", "--by", "city", "-o", "{out}"],
    "review list csv": ["review", "list", "--format", "csv", "-o", "{out}"],
    "pack": ["pack", "--as-of", "2024-09-27", "-o", "{out}"],
    "campaign participation csv": ["campaign", "participation", "--format", "csv", "-o", "{out}"],
    "campaign participation json": ["campaign", "participation", "--format", "json", "-o", "{out}"],
    "sim units": ["sim", "units", "--scale", "10", "-o", "{out}"],
    "sim truth": ["sim", "truth", "--scale", "10", "-o", "{out}"],
    "sim serve --units-out": [
        "sim",
        "serve",
        "--scale",
        "10",
        "--run-for",
        "0",
        "--units-out",
        "{out}",
    ],
}

TARGETS: dict[str, Callable[[Setup], Path]] = {
    "database": lambda s: s.db,
    "config": lambda s: s.config,
    "units registry": lambda s: s.units,
}


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_writer_overwrites_a_protected_file(
    writer: str, target: str, setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    out = TARGETS[target](setup)
    command = [part.replace("{out}", str(out)) for part in WRITERS[writer]]
    _refused(setup, setup.args(*command), capsys)


def _symlink(s: Setup) -> Path:
    link = s.root / "reports" / "latest.html"
    link.parent.mkdir()
    link.symlink_to(s.db)
    return link


def _hardlink(s: Setup) -> Path:
    link = s.root / "copy.db"
    link.hardlink_to(s.db)
    return link


ALIASES: dict[str, Callable[[Setup], Path]] = {
    "wal": lambda s: s.db.with_name(s.db.name + "-wal"),
    "shm": lambda s: s.db.with_name(s.db.name + "-shm"),
    "journal": lambda s: s.db.with_name(s.db.name + "-journal"),
    "dot-dot": lambda s: s.root / "config" / ".." / "data" / "tracker.db",
    "relative": lambda s: Path("data") / "tracker.db",
    "symlink": _symlink,
    "hard link": _hardlink,
    "symlinked folder": lambda s: _linked_folder(s) / "tracker.db",
}


def _linked_folder(s: Setup) -> Path:
    folder = s.root / "exports"
    folder.symlink_to(s.db.parent, target_is_directory=True)
    return folder


@pytest.mark.parametrize("alias", list(ALIASES))
@pytest.mark.parametrize("writer", ["report", "export works xlsx", "export posts"])
def test_the_database_under_another_name_is_refused(
    writer: str,
    alias: str,
    setup: Setup,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(setup.root)
    out = ALIASES[alias](setup)
    command = [part.replace("{out}", str(out)) for part in WRITERS[writer]]
    _refused(setup, setup.args(*command), capsys)


def test_report_pdf_beside_the_html_is_checked_before_anything_is_written(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report -o r.html --pdf`` also writes ``r.pdf``: here that name is the database."""
    db = setup.root / "r.pdf"
    shutil.copy(setup.db, db)
    setup.db = db
    _refused(setup, setup.args("report", "--pdf", "-o", str(setup.root / "r.html")), capsys)
    assert not (setup.root / "r.html").exists(), "the HTML was written before the refusal"


def test_print_cities_pdf_beside_the_html_is_checked_before_anything_is_written(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report --print-cities -o c.html --pdf`` also writes ``c.pdf``: here the database."""
    db = setup.root / "c.pdf"
    shutil.copy(setup.db, db)
    setup.db = db
    args = setup.args("report", "--print-cities", "--pdf", "-o", str(setup.root / "c.html"))
    _refused(setup, args, capsys)
    assert not (setup.root / "c.html").exists(), "the HTML was written before the refusal"


def test_csv_summary_files_are_all_checked_before_the_first_is_written(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export summary --format csv -o s.csv`` writes ``s_说明.csv`` and one csv per sheet."""
    db = setup.root / "s_说明.csv"
    shutil.copy(setup.db, db)
    setup.db = db
    args = setup.args("export", "summary", "--format", "csv", "-o", str(setup.root / "s.csv"))
    _refused(setup, args, capsys)
    assert sorted(p.name for p in setup.root.glob("s_*")) == ["s_说明.csv"]


@pytest.mark.parametrize("folder", ["data", "config"])
def test_demo_out_folder_holding_the_database_or_registry_is_refused(
    folder: str, setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo deletes ``DIR/tracker.db`` and writes ``DIR/units.csv`` first thing."""
    _refused(setup, setup.args("demo", "--scale", "10", "--out", str(setup.root / folder)), capsys)


def test_schedule_report_writers_refuse_protected_files(setup: Setup) -> None:
    """The scheduler's daily files go through the same guard (``--reports-dir``)."""
    from tracker.schedule.reports import write_json, write_posts
    from tracker.store.engine import make_engine

    engine = make_engine(f"sqlite:///{setup.db}")
    protect([(setup.db, "数据库 (the database)"), (setup.config, "活动配置文件 (the config file)")])
    before = _snapshot(setup)
    try:
        with pytest.raises(OutputError, match="refusing"):
            write_json(setup.config, {"ok": True})
        with pytest.raises(OutputError, match="refusing"):
            write_posts(engine, setup.db)
    finally:
        unprotect()
        engine.dispose()
    assert _snapshot(setup) == before


def test_outputs_elsewhere_still_work(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    """The guard refuses only the protected files: a report beside them is written."""
    out = setup.root / "data" / "report.html"
    code, _, err = run_in_process(setup.args("report", "-o", str(out)), capsys)
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- every output option is covered --------------------------------------------------------------

OUTPUT_PARAMS = {"output", "out", "units_out", "reports_dir"}
COVERED = {
    ("report", "output"),
    ("demo", "out"),
    ("schedule", "reports_dir"),  # test_schedule_report_writers_refuse_protected_files
    ("campaign participation", "output"),
    ("review list", "output"),
    ("pack", "output"),
    ("export posts", "output"),
    ("export works", "output"),
    ("export creators", "output"),
    ("export units", "output"),
    ("export summary", "output"),
    ("sim serve", "units_out"),
    ("sim truth", "output"),
    ("sim units", "output"),
}


def _commands(
    command: click.Command, prefix: tuple[str, ...] = ()
) -> list[tuple[str, click.Command]]:
    subs = getattr(command, "commands", None)
    if not subs:
        return [(" ".join(prefix), command)]
    found = []
    for name, sub in subs.items():
        found += _commands(sub, (*prefix, name))
    return found


def test_every_output_option_has_a_case_here() -> None:
    """A new command that writes a file must be added to the cases above."""
    seen = set()
    for name, command in _commands(typer.main.get_command(app)):
        for param in command.params:
            looks_like_output = param.name in OUTPUT_PARAMS or any(
                opt in ("-o", "--out", "--output") or opt.endswith("-out")
                for opt in getattr(param, "opts", [])
            )
            if looks_like_output:
                seen.add((name, param.name))
    assert seen == COVERED, f"uncovered: {seen - COVERED}; stale: {COVERED - seen}"
