"""Config validation: errors name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import load_config, load_units
from tracker.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_shipped_config_is_valid() -> None:
    cfg = load_config(REPO_ROOT / "config" / "campaign.toml")
    campaign = cfg.campaign()
    assert "#千万IP创科普#" in campaign.tags
    assert str(campaign.window_start) == "2024-09-01" and str(campaign.window_end) == "2024-09-30"
    start, end = campaign.window_utc()
    assert start.isoformat() == "2024-08-31T16:00:00+00:00"
    assert cfg.enabled_platforms() == [  # every live platform, in the file's order
        "weibo",
        "bilibili",
        "zhihu",
        "douyin",
        "kuaishou",
        "xiaohongshu",
    ]
    assert cfg.platforms["weibo"].cookie_env == "TRACKER_WEIBO_COOKIE"
    assert load_units(REPO_ROOT / "config" / "units.csv")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """
[[campaigns]]
name = "c"
tags = ["#千万IP创科普#"]
window_start = "2024-09-01"
window_end = "2024-09-30"

[platforms.weibo]
base_url = "https://m.weibo.cn"
rate_per_s = {rate}
"""


def test_bad_value_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.format(rate='"fast"'))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert f"{path}:10: platforms.weibo.rate_per_s" in message


def test_unknown_platform_and_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.format(rate="1") + '\n[platforms.myspace]\nbase_url = "x"\n')
    with pytest.raises(ConfigError, match="unknown platform id"):
        load_config(path)
    path = write(tmp_path, BASE.format(rate="1") + 'colour = "red"\n')
    with pytest.raises(ConfigError, match=r"campaign.toml:11: platforms.weibo.colour"):
        load_config(path)


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TOML"):
        load_config(write(tmp_path, "[[campaigns]\nname="))
    with pytest.raises(ConfigError, match="找不到配置文件") as missing:
        load_config(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in str(missing.value)  # where it looked, absolute
    assert "--config" in str(missing.value) and "TRACKER_CONFIG" in str(missing.value)


def test_window_order_and_cookie_env_name(tmp_path: Path) -> None:
    text = BASE.format(rate="1").replace('window_end = "2024-09-30"', 'window_end = "2024-08-01"')
    with pytest.raises(ConfigError, match="window_end is before window_start"):
        load_config(write(tmp_path, text))
    text = BASE.format(rate="1") + 'cookie_env = "my cookie"\n'
    with pytest.raises(ConfigError, match="cookie_env"):
        load_config(write(tmp_path, text))


def test_units_errors_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "unit,kind,city,platform,account_id,url\n"
        "广州市科协,city_association,广州市,weibo,1,\n"
        ",society,,,,\n"
        "某学会,club,,,,\n"
        "某大学,university,,myspace,2,\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_units(path)
    message = str(err.value)
    assert f"{path}:3: unit" in message
    assert f"{path}:4: kind" in message
    assert f"{path}:5: platform" in message


def test_units_in_gbk(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("unit,kind,city\n深圳市科协,city_association,深圳市\n".encode("gbk"))
    rows = load_units(path)
    assert rows[0].unit == "深圳市科协" and rows[0].city == "深圳市"


def test_units_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("name,city\nx,y\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"units.csv:1: 缺少列"):
        load_units(path)


def test_a_bare_platform_table_takes_the_specs_defaults(tmp_path: Path) -> None:
    """``[platforms.douyin]`` alone is a working entry: base URL, rate, cookie and signer names."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[[campaigns]]\nname = "c"\ntags = ["#t#"]\nwindow_start = 2024-09-01\n'
        "window_end = 2024-09-30\n\n[platforms.douyin]\n\n[platforms.bilibili]\nrate_per_s = 2.0\n",
        encoding="utf-8",
    )
    cfg = load_config(path)
    douyin, bilibili = cfg.platforms["douyin"], cfg.platforms["bilibili"]
    assert douyin.base_url == "https://www.douyin.com"
    assert (douyin.cookie_env, douyin.signer_env) == (
        "TRACKER_DOUYIN_COOKIE",
        "TRACKER_DOUYIN_SIGNER",
    )
    assert douyin.rate_per_s == 0.5
    assert bilibili.rate_per_s == 2.0 and bilibili.signer_env is None  # the file wins; no signer
    assert cfg.enabled_platforms() == ["douyin", "bilibili"]
