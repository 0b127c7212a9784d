"""What one ``tracker import`` ends with: skipped files, exit codes and its run row.

- A file that cannot be imported (empty, unrecognised, missing) is skipped and reported the
  same whether it was named on the command line or found in a directory: the other files
  import, the report lists it with the reason, the reject table holds it.
- Exit codes: 0 every file imported, 3 some skipped or failed, 1 none imported, 2 internal
  error.
- A run row is never left ``running``: an aborted import closes its own, and an import killed
  outright (SIGKILL) is marked ``interrupted`` by the next import, as collect does.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.helpers.cli import clean_env, cli, run_in_process, tracker_cmd
from tests.helpers.config import CONFIG as CONFIG_PATH
from tests.helpers.database import count, one, rows
from tests.imports.har_builder import write_har
from tests.imports.test_har import _capture_entries
from tests.imports.test_submissions import write_csv
from tracker.config import TrackerConfig
from tracker.errors import ImportFormatError
from tracker.imports.service import import_paths
from tracker.store.engine import begin_write
from tracker.store.runs import RUN

LINKS = [
    "https://weibo.com/1959830294/4069372986738497",
    "https://www.douyin.com/video/7414000000000000001",
    "https://www.bilibili.com/video/BV117411r7R1",
]


def _good_csv(path: Path, links: list[str] = LINKS) -> Path:
    return write_csv(
        path,
        [["中山大学", link, 10] for link in links],
        encoding="utf-8",
        header=["单位", "作品链接", "点赞"],
    )


def _bad_files(directory: Path) -> dict[str, Path]:
    """An empty file, a file of no known format, and a path that does not exist."""
    directory.mkdir(parents=True, exist_ok=True)
    null = directory / "null.json"
    null.write_bytes(b"")
    notes = directory / "notes.txt"
    notes.write_text("这不是导入文件\n只是一些笔记\n", encoding="utf-8")
    return {"文件是空的": null, "无法识别的文件格式": notes}


def _import_json(db_url: str, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli(db_url, "import", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


# --- item 10: a bad file among good ones -----------------------------------------------------------


def test_bad_files_in_an_explicit_list_are_skipped_and_reported(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    good = _good_csv(tmp_path / "good.csv")
    bad = _bad_files(tmp_path / "bad")
    missing = tmp_path / "missing.har"
    code, report = _import_json(db_url, str(good), *map(str, bad.values()), str(missing))
    assert code == 3
    assert report["counts"]["new"] == 3 and report["status"] == "partial"
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path[str(good)]["error"] is None
    for reason, path in [*bad.items(), ("找不到文件", missing)]:
        assert reason in by_path[str(path)]["error"], by_path[str(path)]
        assert by_path[str(path)]["format"] == "unknown"
        assert count(engine, "reject", "location = :p", p=str(path)) == 1
    run = one(engine, "SELECT status, error FROM run")
    assert run["status"] == "partial" and "null.json" in run["error"]


def test_a_good_har_and_an_empty_json(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """The review's case: ``tracker import good.har null.json``."""
    har = write_har(tmp_path / "good.har", _capture_entries())
    null = tmp_path / "null.json"
    null.write_bytes(b"")
    result = cli(db_url, "import", str(har), str(null))
    assert result.exit_code == 3, result.output
    assert count(engine, "post") > 0
    assert f"跳过的文件: {null}: " in result.stderr and "文件是空的" in result.stderr


def test_bad_files_in_a_directory_are_reported_alike(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    folder = tmp_path / "captures"
    bad = _bad_files(folder)
    _good_csv(folder / "good.csv")
    (folder / ".hidden.txt").write_text("editor swap file", encoding="utf-8")
    code, report = _import_json(db_url, str(folder))
    assert code == 3 and report["counts"]["new"] == 3
    skipped = {f["path"]: f["error"] for f in report["files"] if f["error"]}
    assert set(skipped) == {str(p) for p in bad.values()}  # hidden files are not imports
    for reason, path in bad.items():
        assert reason in skipped[str(path)]
        assert count(engine, "reject", "location = :p", p=str(path)) == 1


def test_service_skips_rather_than_aborts(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    good = _good_csv(tmp_path / "good.csv")
    bad = _bad_files(tmp_path)
    report = import_paths(engine, [*bad.values(), good], config=config)
    assert report.counts.new == 3 and report.status == "partial"
    assert [f.path for f in report.failed_files] == [str(p) for p in bad.values()]
    assert [f.path for f in report.files] == [*map(str, bad.values()), str(good)]  # given order


def test_dry_run_reports_skipped_files_without_writing(tmp_path: Path, db_url: str) -> None:
    good = _good_csv(tmp_path / "good.csv")
    null = _bad_files(tmp_path)["文件是空的"]
    code, report = _import_json(db_url, "--dry-run", str(good), str(null))
    assert code == 3 and report["run_id"] is None
    assert [f["path"] for f in report["files"] if f["error"]] == [str(null)]


# --- exit codes --------------------------------------------------------------------------------------


def test_exit_0_when_every_file_imports(tmp_path: Path, db_url: str) -> None:
    code, report = _import_json(db_url, str(_good_csv(tmp_path / "a.csv")))
    assert code == 0 and report["status"] == "ok"


def test_exit_1_when_no_file_imports(tmp_path: Path, db_url: str, engine: Engine) -> None:
    bad = _bad_files(tmp_path)
    result = cli(db_url, "import", *map(str, bad.values()))
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportFormatError)
    message = str(result.exception)
    for reason, path in bad.items():  # every file with its own reason
        assert f"{path}: " in message and reason in message
    assert count(engine, "run") == 0


def test_exit_1_when_the_only_file_fails_halfway(tmp_path: Path, db_url: str) -> None:
    full = write_har(tmp_path / "full.har", _capture_entries())
    cut = tmp_path / "cut.har"
    cut.write_bytes(full.read_bytes()[: len(full.read_bytes()) // 2])
    code, report = _import_json(db_url, str(cut))
    assert code == 1 and report["status"] == "failed"
    code, report = _import_json(db_url, str(cut), str(_good_csv(tmp_path / "ok.csv")))
    assert code == 3 and report["status"] == "partial"


def test_exit_2_on_an_internal_error(
    tmp_path: Path, db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import tracker.imports.service as service

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a reader")

    monkeypatch.setattr(service, "read_submissions", broken)
    good = _good_csv(tmp_path / "a.csv")
    code, _, err = run_in_process(
        ["--db", db_url, "--config", str(CONFIG_PATH), "import", str(good)], capsys
    )
    assert code == 2 and "内部错误" in err and "a bug in a reader" in err
    assert one(engine, "SELECT status FROM run")["status"] == "failed"


def test_exit_codes_through_the_real_entry_point(tmp_path: Path, db_url: str) -> None:
    """``python -m tracker import``: what a script calling the tool sees."""
    good = _good_csv(tmp_path / "a.csv")
    null = _bad_files(tmp_path)["文件是空的"]
    outcomes = {}
    for name, args in {
        "all": [str(good)],
        "some": [str(good), str(null)],
        "none": [str(null)],
    }.items():
        done = subprocess.run(
            tracker_cmd(db_url, CONFIG_PATH, "import", *args),
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=120,
        )
        outcomes[name] = done.returncode
    assert outcomes == {"all": 0, "some": 3, "none": 1}


# --- item 16: run rows never left running ------------------------------------------------------------


def _stale_run(engine: Engine, *, platform: str | None) -> int:
    """A run row as ``tracker import`` leaves it when SIGKILLed: running, never finished."""
    with begin_write(engine) as conn:
        result = conn.execute(
            RUN.insert().values(
                kind="import",
                platform=platform,
                job="killed.csv",
                started_at=datetime(2024, 9, 20, tzinfo=UTC),
                status="running",
                cursor={},
                detail={},
            )
        )
        return int(result.inserted_primary_key[0])


def _status_of(db_url: str, platform: str) -> str | None:
    result = cli(db_url, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    found = [p for p in json.loads(result.stdout)["platforms"] if p["platform"] == platform]
    return found[0]["last_run_status"] if found else None


@pytest.mark.parametrize("killed_platform", [None, "weibo"])
@pytest.mark.parametrize("next_platform", [None, "weibo"])
def test_a_stale_running_import_is_marked_interrupted(
    tmp_path: Path,
    db_url: str,
    engine: Engine,
    killed_platform: str | None,
    next_platform: str | None,
) -> None:
    stale = _stale_run(engine, platform=killed_platform)
    if killed_platform:
        assert _status_of(db_url, killed_platform) == "running"  # what staff saw before
    good = _good_csv(tmp_path / "a.csv", LINKS[1:])  # douyin + bilibili: a run of no platform
    args = ["--platform", next_platform] if next_platform else []
    assert cli(db_url, "import", *args, str(good)).exit_code == 0
    assert one(engine, "SELECT status FROM run WHERE id = :i", i=stale)["status"] == "interrupted"
    assert count(engine, "run", "status = 'running'") == 0
    if killed_platform:
        assert _status_of(db_url, killed_platform) != "running"


@pytest.mark.parametrize(
    ("target", "error", "status"),
    [
        ("tracker.membership.page_store.PageStore.for_connection", RuntimeError, "failed"),
        ("tracker.imports.service.read_submissions", RuntimeError, "failed"),
        ("tracker.imports.service.read_submissions", KeyboardInterrupt, "interrupted"),
        ("tracker.imports.service._Importer.attribute_works", RuntimeError, "failed"),
    ],
    ids=["store-set-up", "reader", "ctrl-c", "attribution"],
)
def test_an_aborted_import_closes_its_run(
    tmp_path: Path,
    engine: Engine,
    config: TrackerConfig,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    error: type[BaseException],
    status: str,
) -> None:
    """Wherever an import is stopped by an exception, its run row is closed, never running.
    (Setting up the store used to happen before the guard and left the row running.)"""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error("stopped here")

    monkeypatch.setattr(target, broken)
    with pytest.raises(error):
        import_paths(engine, [_good_csv(tmp_path / "a.csv")], config=config)
    run = one(engine, "SELECT status, error, finished_at FROM run")
    assert run["status"] == status and run["finished_at"] is not None


def _big_submission(path: Path, n: int) -> Path:
    links = [f"https://weibo.com/1959830294/{4069372986738497 + i}" for i in range(n)]
    return _good_csv(path, links)


def test_sigkilled_import_is_interrupted_by_the_next(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """A real ``python -m tracker import`` killed with SIGKILL mid-import (after it committed
    rows), then ``tracker status`` and the next import."""
    big = _big_submission(tmp_path / "big.csv", 30_000)
    log = tmp_path / "import.err"
    with log.open("wb") as err:  # a file, not a pipe: a full pipe would stall it
        proc = subprocess.Popen(
            tracker_cmd(db_url, CONFIG_PATH, "import", "--platform", "weibo", str(big)),
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=clean_env(),
        )
    deadline = time.monotonic() + 120
    try:
        while True:
            assert proc.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline, "the import made no progress"
            found = rows(engine, "SELECT id, items_read FROM run WHERE status = 'running'")
            if found and found[0]["items_read"] > 0:
                break
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    killed = found[0]["id"]
    assert _status_of(db_url, "weibo") == "running"  # as the killed process left it
    good = _good_csv(tmp_path / "next.csv", LINKS[1:])  # another platform, no --platform
    assert cli(db_url, "import", str(good)).exit_code == 0
    assert one(engine, "SELECT status FROM run WHERE id = :i", i=killed)["status"] == "interrupted"
    assert _status_of(db_url, "weibo") == "interrupted"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM run WHERE status = 'running'")).scalar() == 0
