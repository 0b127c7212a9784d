"""Cookies and tokens never leave the process: not into logs, run rows, reject rows, exports,
error messages or the database file.

Every platform's cookie variable holds sentinel values (also under the cookie names connectors
read and forward, such as Douyin's ``msToken`` and Bilibili's ``buvid3``); a signer URL carries
a sentinel token. Collections run against the simulator with flaky faults and with a login
wall, in-process with every logger at DEBUG and through the real CLI with ``-v --debug``; a HAR
capture whose requests carry the user's cookies is imported. Then everything that was written
is scanned for the sentinels. The simulator records the Cookie headers it received, proving the
sentinels were really in play (a test that never sent them would pass for nothing).
"""

from __future__ import annotations

import io
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.config import TrackerConfig
from tracker.services.collect import collect
from tracker.services.export_posts import write_jsonl
from tracker.sim.api import SimServer

from ..helpers.cli import collect_args, run_tracker
from ..helpers.database import config_and_database
from ..helpers.simulator import LIVE, collect_until_done, sim_options

MARK = "kepuSECRET"


def sentinel_env(config: TrackerConfig) -> dict[str, str]:
    env = {}
    for platform in LIVE:
        var = config.platforms[platform].cookie_env
        assert var, platform
        s = f"{MARK}{platform}"
        env[var] = (
            f"SESSDATA={s}sess; msToken={s}mstoken; buvid3={s}buvid; a1={s}a1; "
            f"web_session={s}web; z_c0={s}zc0; SUB={s}sub; kpf={s}kpf"
        )
    return env


def watch_cookies(sim: SimServer) -> dict[str, list[str]]:
    """Record the Cookie header of every request the simulator receives, by platform."""
    seen: dict[str, list[str]] = defaultdict(list)
    handle = sim.app.handle

    def spy(method: str, target: str, headers: Any, body: bytes) -> Any:
        headers = list(headers)
        platform = target.lstrip("/").split("/", 1)[0]
        for name, value in headers:
            if name.lower() == "cookie":
                seen[platform].append(value)
        return handle(method, target, headers, body)

    sim.app.handle = spy  # type: ignore[method-assign]
    return seen


def leaks(text: str) -> list[str]:
    """Every sentinel occurrence, with a little context to find it."""
    out = []
    start = 0
    while (i := text.find(MARK, start)) != -1:
        out.append(text[max(0, i - 60) : i + 40])
        start = i + 1
    return out


def database_bytes(db_dir: Path) -> str:
    """The database file and its WAL/SHM as text (undecodable bytes dropped)."""
    parts = []
    for path in sorted(db_dir.glob("tracker.db*")):
        parts.append(path.read_bytes().decode("utf-8", errors="ignore"))
    return "\n".join(parts)


def app_log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every log line the tracker wrote (the simulated platforms' own log is not ours)."""
    lines = []
    for record in caplog.records:
        if record.name.startswith("tracker.sim"):
            continue
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


def test_no_secret_in_logs_runs_rejects_or_database(
    tmp_path: Path, db: Engine, config: TrackerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = sentinel_env(config)
    # A signer plug-in URL with a token in it, for a platform whose run will fail on it.
    env["TRACKER_ZHIHU_SIGNER"] = f"http://127.0.0.1:9/sign?token={MARK}signer"
    messages: list[str] = []
    with SimServer(seed=81, scale=20, faults="flaky", fault_options={"slow_s": 0.2}) as sim:
        seen = watch_cookies(sim)
        collect_until_done(db, config, lambda: sim_options(sim, timeout_s=0.15, env=env))
        # The same with the signer taken from the environment: it cannot be reached.
        options = sim_options(sim, env=env)
        options.signer = None
        options.platforms = ["zhihu"]
        messages += [str(r.message) for r in collect(db, config, options)]
    with SimServer(seed=82, scale=20, faults="login-wall", fault_options={"login_after": 2}) as sim:
        seen_wall = watch_cookies(sim)
        results = collect(db, config, sim_options(sim, env=env))
        messages += [str(r.message) for r in results]
    assert any(r.status == "login_required" for r in results), results
    assert any("signer at http://127.0.0.1:9/sign" in m for m in messages), messages
    # The sentinels really travelled, to every platform's own (simulated) host.
    for platform in LIVE:
        cookies = " ".join(seen.get(platform, []) + seen_wall.get(platform, []))
        assert f"{MARK}{platform}" in cookies, f"{platform} never sent its cookie"
    exported = io.StringIO()
    write_jsonl(db, exported)
    assert leaks(app_log_text(caplog)) == []
    assert leaks("\n".join(messages)) == []
    assert leaks(exported.getvalue()) == []
    with db.connect() as conn:
        for table in ("run", "reject", "post", "account", "metric_snapshot"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            assert leaks(json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)) == []
    assert leaks(database_bytes(tmp_path)) == []


def test_no_secret_in_cli_output(tmp_path: Path, config: TrackerConfig) -> None:
    """``tracker -v --debug collect`` with a login wall: stdout, stderr and the file stay clean."""
    config_path, db_path = config_and_database(tmp_path)
    env = sentinel_env(config)
    with SimServer(seed=83, scale=20, faults="login-wall", fault_options={"login_after": 2}) as sim:
        seen = watch_cookies(sim)
        result = run_tracker(db_path, config_path, "-v", "--debug", *collect_args(sim), env=env)
    assert "TRACKER_WEIBO_COOKIE" in result.stdout + result.stderr  # it did name the variable
    assert any(MARK in c for cookies in seen.values() for c in cookies)
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []
    assert leaks(database_bytes(tmp_path)) == []


def _har_entry(url: str, body: str, cookie: str) -> dict[str, Any]:
    return {
        "startedDateTime": "2024-09-20T08:00:00.000Z",
        "request": {
            "method": "GET",
            "url": url,
            "headers": [{"name": "cookie", "value": cookie}],
            "cookies": [{"name": "SESSDATA", "value": cookie}],
        },
        "response": {
            "status": 200,
            "headers": [{"name": "set-cookie", "value": f"sid={MARK}setcookie; Path=/"}],
            "cookies": [{"name": "sid", "value": f"{MARK}setcookie"}],
            "content": {"mimeType": "application/json", "text": body},
        },
    }


def test_no_secret_from_an_imported_capture(
    tmp_path: Path, db: Engine, config: TrackerConfig
) -> None:
    """A browser capture holds the user's cookies; rejects keep the body, never the request."""
    service = pytest.importorskip("tracker.imports.service")
    cookie = f"SESSDATA={MARK}har; bili_jct={MARK}csrf"
    bad_item = {"type": "video", "bvid": [], "title": "坏条目", "mid": "x"}
    entries = [
        _har_entry(
            "https://api.bilibili.com/x/web-interface/search/type?keyword=k&page=1",
            json.dumps({"code": 0, "data": {"result": [bad_item], "numResults": 1}}),
            cookie,
        ),
        _har_entry("https://api.bilibili.com/x/web-interface/view?bvid=BV1", "{truncated", cookie),
        _har_entry(f"https://m.weibo.cn/api/container/getIndex?token={MARK}q", "{}", cookie),
    ]
    har = tmp_path / "capture.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}), encoding="utf-8")
    report = service.import_paths(db, [har], config=config)
    assert report.counts.rejected >= 1  # the malformed pieces were rejected, with their payload
    assert leaks(json.dumps(report.as_json(), ensure_ascii=False)) == []
    with db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT reason, payload, location FROM reject").all()
        runs = conn.exec_driver_sql("SELECT error, detail, job FROM run").all()
    assert rows
    assert leaks(json.dumps([list(map(str, r)) for r in rows + runs], ensure_ascii=False)) == []
    assert leaks(database_bytes(tmp_path)) == []


def test_http_client_never_shows_its_cookie() -> None:
    """repr, stats and errors of the HTTP layer name the variable, never the value."""
    from tracker.errors import ConnectorError
    from tracker.http import HttpClient, HttpSettings

    env = {"TRACKER_WEIBO_COOKIE": f"SUB={MARK}repr"}
    settings = HttpSettings(cookie_env="TRACKER_WEIBO_COOKIE", max_attempts=1, timeout_s=0.5)
    with HttpClient("weibo", "http://127.0.0.1:9", settings=settings, env=env) as http:
        assert http.has_cookie
        shown = f"{http!r} {http.stats!r} {vars(http.settings)!r}"
        try:
            http.get_json(f"/api?token={MARK}query")
        except ConnectorError as exc:
            shown += f" {exc!s} {exc!r} {exc.__cause__!r} {exc.__context__!r}"
    assert leaks(shown) == []
