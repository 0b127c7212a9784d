"""``config check`` refuses exactly what later commands refuse, and lists every problem at once.

It used to load the two files and stop there: an unknown ``[ranking]`` key (refused by
``rank``), ``0 25 * * *`` (refused by ``schedule``), a base URL without a scheme (refused by
the first request of ``collect``) and a bad signer variable all passed. The property at the
end draws settings and checks that ``config check`` and the later commands' own validators agree.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli.config_check import check_all
from tracker.config import load_config, load_units
from tracker.errors import ConfigError
from tracker.ranking.settings import RankingSettings
from tracker.schedule.plan import build_plan
from tracker.services.signers import choose_signer

from ..helpers.cli import run_in_process
from ..helpers.config import CONFIG

REPO_UNITS = CONFIG.parent / "units.csv"


@pytest.fixture
def no_signers(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("TRACKER_") and name.endswith("_SIGNER"):
            monkeypatch.delenv(name)
    return monkeypatch


def _config_dir(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    path = folder / "campaign.toml"
    path.write_bytes(text.encode(encoding))
    (folder / "units.csv").write_bytes(REPO_UNITS.read_bytes())
    return path


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_in_process(["--config", str(path), "config", "check"], capsys)


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_config_check_lists_every_problem_later_commands_refuse(
    tmp_path: Path, no_signers: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace('refresh = "0 12 * * *"', 'refresh = "0 25 * * *"')
    text = text.replace('schedule = "40 6 * * *"', 'schedule = "61 6 * * *"')
    text += "colour = 1\n\n[ranking.risk]\nratio_z = -1\n"
    path = _config_dir(tmp_path, text)
    no_signers.setenv("TRACKER_ZHIHU_SIGNER", "ftp://y")
    code, out, err = _check(path, capsys)
    assert code == 1, out
    expected = [
        f"{path}:{_line(text, 'colour = 1')}: ranking.colour:",
        f"{path}:{_line(text, 'ratio_z = -1')}: ranking.risk.ratio_z:",
        f"{path}:{_line(text, 'refresh = ')}: [schedule] refresh:",
        f"{path}:{_line(text, '61 6 * * *')}: [platforms.bilibili] schedule:",
        "TRACKER_ZHIHU_SIGNER: 签名插件设置无效",
    ]
    lines = err.splitlines()
    for start in expected:
        assert sum(start in line for line in lines) == 1, (start, err)
    assert "5 处问题" in err
    assert "Traceback" not in err and "validation error" not in err


def test_config_and_units_problems_are_reported_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace("rate_per_s = 0.5", 'rate_per_s = "x"', 1)
    path = _config_dir(tmp_path, text)
    (path.parent / "units.csv").write_text("unit,kind\n某学会,club\n", encoding="utf-8")
    code, _, err = _check(path, capsys)
    assert code == 1
    assert "platforms.weibo.rate_per_s" in err and "units.csv:2: kind" in err


@pytest.mark.parametrize(
    "url",
    [
        "m.weibo.cn",
        "ftp://m.weibo.cn",
        "https://",
        "https://m.weibo.cn:99999",
        "http://a b",
        "http://[::1",
    ],
)
def test_bad_base_url_is_refused_at_load_with_line(tmp_path: Path, url: str) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace('"https://m.weibo.cn"', json.dumps(url), 1)
    path = _config_dir(tmp_path, text)
    line = _line(text, f"base_url = {json.dumps(url)}")
    with pytest.raises(ConfigError, match=rf"campaign.toml:{line}: platforms.weibo.base_url: "):
        load_config(path)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("weibo=http://", "no host"), ("weibo=http://[::1", "unparsable"), ("weibo", "platform=URL")],
)
def test_base_url_option_uses_the_same_check(
    value: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_in_process(
        ["--config", str(CONFIG), "collect", "--base-url", value, "-p", "weibo"], capsys
    )
    assert code == 2 and "--base-url" in err and reason in err, err


def test_bom_in_campaign_toml_and_units_csv(
    tmp_path: Path, no_signers: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Windows Notepad saves UTF-8 with a BOM; it used to be ``Invalid statement (line 1)``."""
    path = _config_dir(tmp_path, CONFIG.read_text(encoding="utf-8"), encoding="utf-8-sig")
    units = path.parent / "units.csv"
    units.write_bytes(b"\xef\xbb\xbf" + REPO_UNITS.read_bytes())
    assert load_config(path).campaign().name
    assert load_units(units)
    code, out, err = _check(path, capsys)
    assert code == 0, err
    assert "单位名册" in out


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _config_dir(tmp_path, '[[campaigns]]\nname = "c"\ntags = [\n"x" "y"]\n')
    with pytest.raises(ConfigError, match=r"campaign.toml:4: TOML"):
        load_config(path)


# --- the class: config check passes exactly what the later commands pass -------------------------

_CRON_FIELD = st.one_of(
    st.sampled_from(["*", "0", "59", "60", "23", "24", "25", "*/5", "*/0", "1-5", "5-1", "mon"]),
    st.text(alphabet="0123456789*/,-", min_size=1, max_size=5),
)
_CRON = st.one_of(
    st.lists(_CRON_FIELD, min_size=5, max_size=5).map(" ".join),
    st.lists(_CRON_FIELD, min_size=0, max_size=7).map(" ".join),
)
_RANKING_KEY = st.sampled_from(
    [
        "fixed_age_days",
        "min_platform_works",
        "size_pseudo_count",
        "colour",
        "risk.ratio_z",
        "risk.flag_threshold",
        "quality.fair",
        "creators.activity_cap_works",
        "units.rank_by",
    ]
)
_RANKING_VALUE = st.one_of(
    st.integers(-3, 200), st.floats(-2, 2, allow_nan=False), st.sampled_from(['"reach"', '"x"'])
)
_SIGNER = st.one_of(
    st.none(), st.sampled_from(["dev", "cmd:sign", "cmd:", "ftp://y", "http://", "http://h/s"])
)


def _ranking_toml(entries: dict[str, object]) -> str:
    top = {k: v for k, v in entries.items() if "." not in k}
    lines = ["[ranking]", *(f"{k} = {v}" for k, v in top.items())]
    tables: dict[str, list[str]] = {}
    for key, value in entries.items():
        if "." in key:
            table, leaf = key.split(".", 1)
            tables.setdefault(table, []).append(f"{leaf} = {value}")
    for table, body in tables.items():
        lines += [f"[ranking.{table}]", *body]
    return "\n".join(lines) + "\n"


def _later_commands_refuse(path: Path, env: dict[str, str]) -> bool:
    try:
        config = load_config(path)
        RankingSettings.from_mapping(config.ranking)  # rank, export, report
        build_plan(config)  # schedule
        for platform, pcfg in config.platforms.items():  # collect, refresh, import --fetch
            spec, where = pcfg.signer_spec(platform, env)
            choose_signer(spec, where=where)  # what collect builds clients with
    except ConfigError:
        return True
    return False


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    refresh=_CRON,
    weibo_cron=_CRON,
    ranking=st.dictionaries(_RANKING_KEY, _RANKING_VALUE, max_size=3),
    env_signer=_SIGNER,
)
def test_config_check_agrees_with_later_commands(
    tmp_path: Path,
    refresh: str,
    weibo_cron: str,
    ranking: dict[str, object],
    env_signer: str | None,
) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace('refresh = "0 12 * * *"', f"refresh = {json.dumps(refresh)}")
    text = text.replace('schedule = "30 6 * * *"', f"schedule = {json.dumps(weibo_cron)}")
    text = re.sub(r"(?ms)^\[ranking\].*", "", text) + _ranking_toml(ranking)
    path = _config_dir(tmp_path, text)
    env = {"TRACKER_ZHIHU_SIGNER": env_signer} if env_signer is not None else {}
    _, _, problems = check_all(
        lambda: load_config(path), lambda: load_units(path.parent / "units.csv"), path, env
    )
    assert bool(problems) is _later_commands_refuse(path, env), problems
    assert all("\n" not in p for p in problems)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("ranking", "fixed_age_days"),
        ("ranking.quality", "fair"),
        ("ranking.interactions", "likes"),
        ("ranking.risk", "discount"),
        ("platforms.weibo", "timeout_s"),
        ("platforms.weibo", "rate_per_s"),
    ],
)
def test_non_finite_numbers_are_refused(
    tmp_path: Path, no_signers: pytest.MonkeyPatch, table: str, key: str, value: str
) -> None:
    """TOML allows ``inf`` and ``nan``; a weight of ``inf`` turned every score into NaN."""
    text = CONFIG.read_text(encoding="utf-8")
    text = re.sub(rf"(?m)^{key} = .*\n", "", text) if table.startswith("platforms") else text
    text = text.replace(f"[{table}]\n", f"[{table}]\n{key} = {value}\n", 1)
    if f"[{table}]" not in text:
        text += f"\n[{table}]\n{key} = {value}\n"
    path = _config_dir(tmp_path, text)
    _, _, problems = check_all(
        lambda: load_config(path), lambda: load_units(path.parent / "units.csv"), path, {}
    )
    assert any(f"{table}.{key}" in p for p in problems), problems
