"""A platform that echoes our cookie back in its error body must not make us store or show it.

Platforms answer some failures with ``{"code": -400, "message": "...<the request's cookie>..."}``
(a debugging echo, a WAF page, a gateway quoting the request). The message is useful to staff,
so it travels into the raised error, the log, the run table's ``error`` column, ``tracker
status``, report.html and the group-chat alerts. None of them may carry a configured secret, in
any encoding a platform may echo it in: raw, percent-encoded (``quote``/``quote_plus``, either
hex case) or inside JSON text with ``\\uXXXX`` and ``\\/`` escapes.

The property drives the real HTTP client over an ``httpx.MockTransport`` (fast, no sockets)
with Bilibili's real body check and parser; one integration test runs the real CLI against the
simulator and a real SQLite file.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import respx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from connectors.bilibili.parse import parse_search_type
from connectors.bilibili.signals import check_body
from tracker import redaction
from tracker.errors import ConnectorError
from tracker.http import HttpClient, HttpSettings
from tracker.schedule.alerts import AlertSender, blocked_alert
from tracker.sim.api import SimServer
from tracker.sim.server import RawResponse
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.runs import RUN, RunCounts, finish_run, start_run

from ..helpers.cli import collect_args, run_tracker
from ..helpers.database import config_and_database

BASE = "http://api.bilibili.test"
COOKIE_ENV = "TRACKER_BILIBILI_COOKIE"
MIN_SHOWN = 6
"""Cookie values this long or longer must never be shown (shorter ones are not secret-like)."""

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_ASCII = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789%+=/-_.~")
cookie_values = st.text(alphabet=st.one_of(_ASCII, _CJK), min_size=1, max_size=24)
cookie_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)
cookie_jars = st.dictionaries(cookie_names, cookie_values, min_size=1, max_size=4)


def secret_forms(value: str) -> list[str]:
    """How a platform may echo ``value``: the test's own oracle, independent of the fix."""
    escaped = json.dumps(value)[1:-1]
    return [
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        escaped,
        escaped.replace("/", "\\/"),
        json.dumps(value, ensure_ascii=False)[1:-1].replace("/", "\\/"),
    ]


def leaked(blob: str, secrets: list[str]) -> list[str]:
    """Every secret form found in ``blob`` (percent and ``\\u`` escapes in either case)."""
    low = blob.lower()
    found = []
    for secret in secrets:
        for form in secret_forms(secret):
            if form in blob or (form != secret and form.lower() in low):
                found.append(form)
    return found


def echo(jar: dict[str, str], header: str, how: str) -> str:
    """The text a platform puts in its message for the request's cookie."""
    one = next(iter(jar.values()))
    return {
        "raw-header": header,
        "raw-value": one,
        "quote": quote(header, safe=""),
        "quote-value": quote(one, safe=""),
        "quote-plus": quote_plus(header),
        "quote-plus-value": quote_plus(one),
        "lower-hex": quote(one, safe="").lower(),
        "json": json.dumps({"cookie": header}),
        "json-slashes": json.dumps({"cookie": header}).replace("/", "\\/"),
    }[how]


ECHOES = (
    "raw-header",
    "raw-value",
    "quote",
    "quote-value",
    "quote-plus",
    "quote-plus-value",
    "lower-hex",
    "json",
    "json-slashes",
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@pytest.fixture(autouse=True, scope="module")
def _own_secret_registry() -> Iterator[frozenset[str]]:
    """The secrets this module registers (hundreds of random ones) are forgotten after it, so
    they never blank text in another module's messages. Yields the registry as it was before,
    for a property to start each example from (:func:`_fresh_registry`)."""
    saved = redaction.known_secrets()
    yield saved
    redaction._registered = saved


def _fresh_registry(before: frozenset[str]) -> None:
    """Forget the secrets earlier examples registered, as a new process would not know them.

    Every new registry set means one more scrub pattern compiled over all of them: kept, the
    random secrets of earlier examples made each example's patterns larger than the last (about
    75 ms an example by the end) while saying nothing about this example's secret.
    """
    redaction._registered = before


@pytest.fixture(scope="module")
def run_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('echo') / 'tracker.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _fails(http: HttpClient, path: str, **kw: Any) -> ConnectorError:
    with pytest.raises(ConnectorError) as info:
        body = http.get_json(path, **kw)
        parse_search_type(body, captured_at=datetime(2024, 9, 20, tzinfo=UTC))
    return info.value


def _everything(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc))])


def _shown(run_db: Engine, jar: dict[str, str], how: str, ascii_body: bool) -> str:
    """Everything a platform echoing ``jar`` (``how``) makes us show: the errors raised, the
    run table's ``error`` column and every log line."""
    header = "; ".join(f"{k}={v}" for k, v in jar.items())
    shown = echo(jar, header, how)

    def platform(request: httpx.Request) -> httpx.Response:
        code = {"/x/login": -101, "/x/busy": -412, "/x/risk": -352}.get(request.url.path, -400)
        body = {"code": code, "message": f"请求被拒绝：{shown}", "ttl": 1}
        raw = json.dumps(body, ensure_ascii=ascii_body).encode("utf-8")
        return httpx.Response(200, content=raw, headers={"Content-Type": "application/json"})

    settings_ = HttpSettings(cookie_env=COOKIE_ENV, max_attempts=2, backoff_initial_s=0)
    records = _Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    seen: list[str] = []
    try:
        with HttpClient(
            "bilibili",
            BASE,
            settings=settings_,
            env={COOKIE_ENV: header},
            transport=httpx.MockTransport(platform),
            sleep=lambda _s: None,
        ) as http:
            errors = [
                _fails(http, "/x/search"),  # the parser makes the error from the body
                _fails(http, "/x/other", check=check_body),  # the platform check does
                _fails(http, "/x/busy", check=check_body),  # throttled, retried, given up
                _fails(http, "/x/risk", check=check_body),
            ]
        for exc in errors:
            seen.append(_everything(exc))
            run_id = start_run(run_db, kind="collect", platform="bilibili")
            finish_run(
                run_db,
                run_id,
                status="failed",
                counts=RunCounts(),
                error=f"哔哩哔哩采集失败：{exc}",
            )
            with run_db.connect() as conn:
                seen.append(
                    conn.execute(select(RUN.c.error).where(RUN.c.id == run_id)).scalar_one()
                )
    finally:
        root.removeHandler(records)
        root.setLevel(old_level)
    assert any("retrying" in line for line in records.lines)  # the throttle path ran
    return "\n".join([*seen, *records.lines])


_INNOCENT_JAR = {"k": "Q"}
"""A cookie too short to be secret-like: what the tool shows with it is its own text."""

_innocent: dict[tuple[str, bool], str] = {}


def _own_text(run_db: Engine, how: str, ascii_body: bool) -> str:
    """What the same failures show for :data:`_INNOCENT_JAR`: words the tool writes itself
    (``failed``, ``retrying``, a traceback's file names), which a generated cookie value may
    happen to equal without anything having leaked."""
    if (how, ascii_body) not in _innocent:
        _innocent[how, ascii_body] = _shown(run_db, _INNOCENT_JAR, how, ascii_body)
    return _innocent[how, ascii_body]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jar=cookie_jars, how=st.sampled_from(ECHOES), ascii_body=st.booleans())
@example(jar={"A": "failed"}, how="raw-header", ascii_body=False)  # a word the tool writes
def test_an_echoed_cookie_never_reaches_errors_runs_or_logs(
    run_db: Engine,
    _own_secret_registry: frozenset[str],
    jar: dict[str, str],
    how: str,
    ascii_body: bool,
) -> None:
    _fresh_registry(_own_secret_registry)
    header = "; ".join(f"{k}={v}" for k, v in jar.items())
    own = _own_text(run_db, how, ascii_body)
    secrets = [v for v in (header, *jar.values()) if len(v) >= MIN_SHOWN and not leaked(own, [v])]
    assert leaked(_shown(run_db, jar, how, ascii_body), secrets) == []


def test_the_run_table_scrubs_a_configured_secret_itself(run_db: Engine) -> None:
    """Last line of defence: an error built anywhere (not from the HTTP layer) is scrubbed."""
    secret = "kepuRUNsecret-9d3f/中文+="
    with HttpClient("weibo", "http://127.0.0.1:9", env={"TRACKER_WEIBO_COOKIE": f"SUB={secret}"}):
        pass  # a client for the platform has read its configured cookie
    run_id = start_run(run_db, kind="collect", platform="weibo")
    text = f"a plug-in said {secret} and {quote(secret, safe='')} and {quote_plus(secret)}"
    finish_run(run_db, run_id, status="failed", counts=RunCounts(), error=text)
    with run_db.connect() as conn:
        stored = conn.execute(select(RUN.c.error).where(RUN.c.id == run_id)).scalar_one()
    assert "a plug-in said" in stored
    assert leaked(stored, [secret]) == []


def test_alerts_never_carry_a_configured_secret() -> None:
    """A blocked-platform alert quoting an echoed cookie or token reaches the robot scrubbed."""
    cookie = "kepuALERTcookie/中文+=%"
    token = "kepuALERTtoken-51c0a7"
    key = "kepuWECOMkey-6b1e0f"
    env = {
        "TRACKER_WEIBO_COOKIE": f"SUB={cookie}; _T_WM=abc",
        "TRACKER_ZHIHU_TOKEN": token,
        "TRACKER_WECOM_WEBHOOK": f"https://qyapi.weixin.test/cgi-bin/webhook/send?key={key}",
    }
    message = (
        f"微博需要重新登录（{{'message': '{cookie}'}} {quote_plus(cookie)} {token} {quote(key)}）"
    )
    alert = blocked_alert("weibo", "login_required", message, job="collect-weibo")
    with respx.mock(assert_all_called=True) as router:
        route = router.post(url__startswith="https://qyapi.weixin.test/").mock(
            return_value=httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})
        )
        deliveries = AlertSender(env, sleep=lambda _s: None).send(alert)
    assert [d.ok for d in deliveries] == [True]
    sent = route.calls.last.request.content.decode("utf-8")
    shown = json.loads(sent)["markdown"]["content"]
    assert "微博需要重新登录" in shown
    assert leaked(shown, [cookie, token, key]) == []


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(alphabet=st.one_of(_ASCII, _CJK, st.sampled_from("\\'\"<>& ")), min_size=6),
    around=st.tuples(st.text(max_size=8), st.text(max_size=8)),
    pick=st.integers(min_value=0, max_value=6),
)
def test_scrub_takes_out_every_form_of_a_secret(
    _own_secret_registry: frozenset[str], secret: str, around: tuple[str, str], pick: int
) -> None:
    _fresh_registry(_own_secret_registry)
    form = secret_forms(secret)[pick]
    text = f"{around[0]}{form}{around[1]}"
    assert leaked(redaction.scrub(text, [secret]), [secret]) == []


def test_secret_pieces_of_each_kind_of_setting() -> None:
    env = {
        "TRACKER_WEIBO_COOKIE": "SUB=kepuSUBvalue; lang=zh; _T_WM=1",
        "XHS_COOKIE": "a1=kepuA1value",  # a configured cookie variable outside TRACKER_*
        "TRACKER_ZHIHU_TOKEN": "kepuTOKENvalue",
        "TRACKER_DINGTALK_SECRET": "SECkepuDINGsecret",
        "TRACKER_WECOM_WEBHOOK": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=kepuKEY123",
        "TRACKER_ALERT_WEBHOOK": "https://hooks.example.com/services/kepuPATHsecret0123456",
        "TRACKER_DOUYIN_SIGNER": "http://127.0.0.1:8000/sign?token=kepuSIGNtoken",
        "TRACKER_KUAISHOU_SIGNER": "cmd:node sign.js --key=kepuCMDkey",
        "TRACKER_CONFIG": "config/kepuNOTsecret.toml",
        "PATH": "/usr/bin:/kepuNOTsecret",
    }
    found = redaction.secrets_in_env(env)
    for wanted in (
        "kepuSUBvalue",
        "kepuA1value",
        "kepuTOKENvalue",
        "SECkepuDINGsecret",
        "kepuKEY123",
        "kepuPATHsecret0123456",
        "kepuSIGNtoken",
        "kepuCMDkey",
    ):
        assert wanted in found
    assert not any("NOTsecret" in f for f in found)
    assert "zh" not in found and "1" not in found  # too short to be secrets
    assert not any(f.startswith(("http", "cmd:")) or "qyapi" in f for f in found)


# --------------------------------------------------------------------- the CLI over the simulator

SENTINEL = "kepuECHO"


def _echoing(sim: SimServer, platform: str) -> None:
    """Make ``platform``'s search answer ``code -400`` quoting the request's Cookie header."""
    handle = sim.app.handle

    def spy(method: str, target: str, headers: Any, body: bytes) -> RawResponse:
        headers = list(headers)
        if target.lstrip("/").startswith(f"{platform}/") and "search" in target:
            cookie = next((v for k, v in headers if k.lower() == "cookie"), "")
            message = f"非法请求 cookie={cookie} q={quote(cookie)} p={quote_plus(cookie)}"
            raw = json.dumps({"code": -400, "message": message}, ensure_ascii=True)
            return RawResponse(200, {"Content-Type": "application/json"}, raw.encode())
        return handle(method, target, headers, body)

    sim.app.handle = spy  # type: ignore[method-assign]


def test_cli_run_row_and_status_never_show_an_echoed_cookie(tmp_path: Path) -> None:
    config_path, db_path = config_and_database(tmp_path)
    values = [f"{SENTINEL}sess/x+=1", f"{SENTINEL}buvid%2F3"]
    env = {COOKIE_ENV: f"SESSDATA={values[0]}; buvid3={values[1]}; bili_jct=x"}
    with SimServer(seed=84, scale=10) as sim:
        _echoing(sim, "bilibili")
        collected = run_tracker(
            db_path, config_path, "-v", *collect_args(sim, ["bilibili"]), env=env
        )
    status = run_tracker(db_path, config_path, "status", env=env)
    status_json = run_tracker(db_path, config_path, "status", "--format", "json", env=env)
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            errors = [
                r.error for r in conn.execute(select(RUN.c.error).where(RUN.c.error.is_not(None)))
            ]
    finally:
        engine.dispose()
    assert errors and any("-400" in e for e in errors), (errors, collected.stderr)
    assert "-400" in status.stdout or "-400" in status_json.stdout
    blob = "\n".join(
        [*errors, collected.stdout, collected.stderr, status.stdout, status_json.stdout]
    )
    assert leaked(blob, values) == []
    assert SENTINEL not in blob
