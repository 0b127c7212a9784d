"""``tracker collect`` and ``tracker refresh`` exit codes, for cron and CI.

    0  every platform completed
    3  some platforms did not complete (blocked, login wall, signer missing, failed, stopped)
    1  no platform completed
    2  internal error (the CLI's last-resort handler)

Driven through the real command line over the simulator; a platform is made to fail by
answering its requests with that platform's own error body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tracker.services.collect import PlatformResult
from tracker.sim.api import SimServer
from tracker.sim.server import RawResponse
from tracker.store.engine import make_engine
from tracker.store.runs import RUN, RunCounts

from ..helpers.cli import collect_args, run_in_process, sim_network_args
from ..helpers.database import config_and_database

STATUSES = ("ok", "interrupted", "login_required", "signer_missing", "blocked", "failed")


def _answer(sim: SimServer, platform: str, path_part: str, body: dict[str, Any]) -> None:
    """Make every ``platform`` request whose path holds ``path_part`` answer ``body`` (HTTP 200)."""
    handle = sim.app.handle

    def spy(method: str, target: str, headers: Any, raw: bytes) -> RawResponse:
        if target.lstrip("/").startswith(f"{platform}/") and path_part in target.split("?")[0]:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            return RawResponse(200, {"Content-Type": "application/json"}, data)
        return handle(method, target, headers, raw)

    sim.app.handle = spy  # type: ignore[method-assign]


def _statuses(db: Path, kind: str) -> dict[str, str]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(RUN.c.platform, RUN.c.status).where(RUN.c.kind == kind).order_by(RUN.c.id)
            ).all()
    finally:
        engine.dispose()
    return {r.platform: r.status for r in rows}


@dataclass
class Tracker:
    """``tracker --db <db> --config <test config> ARGS`` in this process."""

    db: Path
    config_path: Path
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *args: str) -> tuple[int, str, str]:
        argv = ["--db", str(self.db), "--config", str(self.config_path), *args]
        return run_in_process(argv, self.capsys)


@pytest.fixture
def tracker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Tracker:
    config_path, db = config_and_database(tmp_path)
    return Tracker(db, config_path, capsys)


# ------------------------------------------------------------------------------ the rule itself


def _result(status: str) -> PlatformResult:
    return PlatformResult("weibo", status, 1, RunCounts())


@given(st.lists(st.sampled_from(STATUSES), max_size=7))
def test_the_exit_code_rule(statuses: list[str]) -> None:
    from tracker.cli.commands_collect import EXIT_NONE, EXIT_OK, EXIT_SOME, run_exit_code

    code = run_exit_code([_result(s) for s in statuses])
    done = [s == "ok" for s in statuses]
    if all(done):
        assert code == EXIT_OK == 0
    elif not any(done):
        assert code == EXIT_NONE == 1
    else:
        assert code == EXIT_SOME == 3


# ------------------------------------------------------------------------- collect over the sim


def test_collect_exits_0_when_every_platform_completes(tracker: Tracker) -> None:
    with SimServer(seed=91, scale=10) as sim:
        code, _, err = tracker(*collect_args(sim, ["weibo", "bilibili"]))
    assert code == 0, err
    assert _statuses(tracker.db, "collect") == {"weibo": "ok", "bilibili": "ok"}


@pytest.mark.parametrize(
    ("platform", "path_part", "body", "status"),
    [
        # Douyin's gateway refusal without a status_code: was read as "no such challenge".
        ("douyin", "challenge/search", {"ok": 0, "msg": "请先登录"}, "login_required"),
        ("douyin", "challenge/search", {"ok": 0, "msg": "请完成验证"}, "blocked"),
        ("douyin", "challenge/search", {"status_code": 2190, "status_msg": "参数错误"}, "failed"),
        ("bilibili", "search", {"code": -352, "message": "风控校验失败"}, "blocked"),
    ],
)
def test_collect_exits_3_when_some_platforms_do_not_complete(
    tracker: Tracker, platform: str, path_part: str, body: dict[str, Any], status: str
) -> None:
    with SimServer(seed=92, scale=10) as sim:
        _answer(sim, platform, path_part, body)
        code, out, err = tracker(*collect_args(sim, ["weibo", platform]))
    assert code == 3, (out, err)
    assert _statuses(tracker.db, "collect") == {"weibo": "ok", platform: status}
    assert "部分平台未完成" in err


def test_collect_exits_1_when_no_platform_completes(tracker: Tracker) -> None:
    with SimServer(seed=93, scale=10, faults="login-wall", fault_options={"login_after": 0}) as sim:
        code, out, err = tracker(*collect_args(sim, ["weibo", "bilibili", "douyin"]))
    assert code == 1, (out, err)
    assert set(_statuses(tracker.db, "collect").values()) == {"login_required"}


# ------------------------------------------------------------------------- refresh over the sim


def _refresh(tracker: Tracker, sim: SimServer, *platforms: str) -> tuple[int, str, str]:
    args = [
        "refresh",
        *sim_network_args(sim),
        "--now",
        sim.now.isoformat(),
        "--younger-than",
        "3650d",
    ]
    for platform in platforms:
        args += ["--platform", platform]
    return tracker(*args)


def test_refresh_exit_codes(tracker: Tracker) -> None:
    with SimServer(seed=94, scale=10) as sim:
        code, _, err = tracker(*collect_args(sim, ["weibo", "bilibili"]))
        assert code == 0, err
        code, _, err = _refresh(tracker, sim, "weibo", "bilibili")
        assert code == 0, err
    with SimServer(seed=94, scale=10) as sim:
        _answer(sim, "bilibili", "/view", {"code": -101, "message": "账号未登录"})
        code, out, err = _refresh(tracker, sim, "weibo", "bilibili")
        assert code == 3, (out, err)
    assert _statuses(tracker.db, "refresh") == {"weibo": "ok", "bilibili": "login_required"}
    with SimServer(seed=94, scale=10, faults="login-wall", fault_options={"login_after": 0}) as sim:
        code, out, err = _refresh(tracker, sim, "weibo", "bilibili")
    assert code == 1, (out, err)
