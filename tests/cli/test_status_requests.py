"""``tracker status`` says what the last run of each platform spent its requests on, and what
its enrichment could not read: requests are the cost of live collection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.cli.commands_core import _purposes_line
from tracker.services.status import database_status
from tracker.store.runs import RunCounts, finish_run, start_run

from ..helpers.database import make_db


def test_the_last_run_keeps_its_requests_by_purpose_and_its_gaps(tmp_path: Path, config) -> None:  # type: ignore[no-untyped-def]
    engine = make_db(tmp_path, config)
    now = datetime(2024, 9, 20, tzinfo=UTC)
    run = start_run(engine, kind="collect", platform="douyin", now=now)
    counts = RunCounts(
        detail={
            "requests": {"listing": 12, "profile": 5, "retry": 2},
            "incomplete": {"followers": 3},
        }
    )
    finish_run(engine, run, status="ok", counts=counts, now=now)
    (douyin,) = [p for p in database_status(engine, "db").platforms if p.platform == "douyin"]
    assert douyin.last_run_purposes == {"listing": 12, "profile": 5, "retry": 2}
    assert douyin.last_run_incomplete is not None and "3" in douyin.last_run_incomplete
    assert _purposes_line(douyin.last_run_purposes) == "请求 列表页 12、主页 5（重试 2）"


@pytest.mark.parametrize("purposes", [None, {}])
def test_older_runs_without_purposes_print_nothing(purposes) -> None:  # type: ignore[no-untyped-def]
    assert _purposes_line(purposes) == ""
