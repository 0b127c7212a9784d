"""A signer spec is checked once, the same way wherever it is given, and a bad one is one line.

``TRACKER_ZHIHU_SIGNER=ftp://y`` once passed ``config check`` and then stopped ``collect`` on
every platform with a multi-line pydantic ``ValidationError``. The property at the end makes
every place that reads a spec (config file, HTTP settings, ``choose_signer``, ``--signer``) agree.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tracker.config import PlatformConfig, load_config
from tracker.errors import ConfigError
from tracker.http import HttpSettings, make_signer
from tracker.services.collect import CollectOptions, collect, refresh_platform
from tracker.services.database import init_database
from tracker.services.signers import choose_signer
from tracker.signing.spec import SIGNER_FORMS, check_signer_spec, parse_signer_spec
from tracker.sim.api import SimServer
from tracker.store.engine import make_engine

from ..helpers.cli import run_in_process
from ..helpers.config import CONFIG, write_test_config


@pytest.fixture
def clean_signers(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("TRACKER_") and name.endswith("_SIGNER"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_config_check_rejects_a_bad_signer_variable(
    tmp_path: Path, clean_signers: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_signers.setenv("TRACKER_ZHIHU_SIGNER", "ftp://user:secret-token@y")
    code, _, err = run_in_process(["--config", str(CONFIG), "config", "check"], capsys)
    assert code == 1
    lines = [line for line in err.splitlines() if "TRACKER_ZHIHU_SIGNER" in line]
    assert len(lines) == 1, err
    assert '"cmd:<command line>"' in lines[0] and "http(s)" in lines[0]
    assert "secret-token" not in err
    assert "validation error" not in err


def test_bad_signer_in_the_config_file_names_line_and_key(tmp_path: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace(
        'signer_env = "TRACKER_ZHIHU_SIGNER"', 'signer = "ftp://y"', 1
    )
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index('signer = "ftp://y"')].count("\n") + 1
    with pytest.raises(ConfigError, match=rf"campaign.toml:{line}: platforms.zhihu.signer: .*cmd:"):
        load_config(path)


def test_signer_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_in_process(
        ["--config", str(CONFIG), "collect", "--signer", "ftp://y", "-p", "weibo"], capsys
    )
    assert code == 2
    assert "--signer" in err and "内部错误" not in err


def test_one_bad_signer_stops_only_its_platform(
    tmp_path: Path, clean_signers: pytest.MonkeyPatch
) -> None:
    config = load_config(write_test_config(tmp_path))
    db = tmp_path / "tracker.db"
    init_database(f"sqlite:///{db}", config, [])
    engine = make_engine(f"sqlite:///{db}")
    env = {"TRACKER_ZHIHU_SIGNER": "ftp://y", "TRACKER_DOUYIN_SIGNER": "dev"}
    try:
        with SimServer(seed=3, scale=20, platforms=["weibo", "zhihu", "douyin"]) as sim:
            options = CollectOptions(
                platforms=["weibo", "zhihu", "douyin"],
                base_urls=sim.base_urls,
                max_pages=1,
                env=env,
                clock=lambda: sim.now,
            )
            results = {r.platform: r for r in collect(engine, config, options)}
            again = refresh_platform(
                engine, config, "zhihu", options, younger_than=datetime.now(UTC) - sim.now
            )
    finally:
        engine.dispose()
    assert results["weibo"].ok and results["douyin"].ok
    zhihu = results["zhihu"]
    assert zhihu.status == "failed"
    assert "TRACKER_ZHIHU_SIGNER" in (zhihu.message or "")
    assert "\n" not in (zhihu.message or "")
    assert again.status == "failed" and "TRACKER_ZHIHU_SIGNER" in (again.message or "")


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("ftp://y", "unsupported scheme"),
        ("cmd:", "needs a command line"),
        ("cmd:   ", "needs a command line"),
        ("cmd:sign 'unclosed", "unbalanced quotes"),
        ("http://", "no host"),
        ("http://:8765/sign", "no host"),
        ("http://127.0.0.1:99999/sign", "bad port"),
        ("http://127.0.0.1:port/sign", "bad port"),
        ("http://127.0.0.1:8765/si gn", "space"),
        ("devv", "not one of the allowed forms"),
        ("/usr/bin/sign", "not one of the allowed forms"),
    ],
)
def test_bad_specs_are_one_line_naming_where(spec: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        check_signer_spec(spec, where="TRACKER_ZHIHU_SIGNER")
    message = str(err.value)
    assert message.startswith("TRACKER_ZHIHU_SIGNER: ") and reason in message
    assert SIGNER_FORMS in message and "\n" not in message


@pytest.mark.parametrize(
    "spec",
    [
        "dev",
        " dev ",
        "cmd:node sign.js --platform 'zhi hu'",
        "http://127.0.0.1:8765/sign",
        "HTTPS://signer.example/sign?key=abc",
        "http://[::1]:8765/sign",
    ],
)
def test_good_specs(spec: str) -> None:
    parsed = parse_signer_spec(spec)
    assert parsed is not None
    assert choose_signer(spec) is not None
    assert HttpSettings(signer=spec).signer is not None
    if parsed.kind == "dev":  # the HTTP layer alone cannot build the development signer
        with pytest.raises(ConfigError, match="dev"):
            make_signer(spec)


# --- the class: every reader of a spec agrees with parse_signer_spec -----------------------------

_SPEC = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(["dev", "cmd:", "http://", "https://", "HTTP://", "ftp://", " ", ""]),
        st.text(alphabet=st.sampled_from(list("ab1:/[]'\" \t.@?=%") + ["\x00", "é"]), max_size=20),
    ),
)


def _accepted(build) -> bool:  # type: ignore[no-untyped-def]
    try:
        build()
    except (ConfigError, ValidationError):
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(spec=_SPEC)
def test_every_reader_agrees_on_every_spec(spec: str) -> None:
    try:
        parsed = parse_signer_spec(spec)
        ok = True
    except ValueError as exc:
        ok = False
        assert "\n" not in str(exc)
    assert _accepted(lambda: check_signer_spec(spec, where="x")) is ok
    assert _accepted(lambda: HttpSettings(signer=spec)) is ok
    assert _accepted(lambda: choose_signer(spec)) is ok
    assert _accepted(lambda: PlatformConfig(base_url="https://x.example", signer=spec)) is ok
    if ok and parsed is None:
        assert choose_signer(spec) is None and make_signer(spec) is None
    if not ok:
        with pytest.raises(ConfigError) as err:
            check_signer_spec(spec, where="--signer")
        stripped = spec.strip()
        if len(stripped) >= 6 and not re.fullmatch(r"[a-zA-Z]+:?/*", stripped):
            assert stripped not in str(err.value)  # a spec may carry a token: never quoted
