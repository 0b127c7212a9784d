"""Loading and validating ``config/campaign.toml`` and ``config/units.csv``.

A validation error names the file, the line and the field, because the people who edit these
files are campaign staff, not programmers: ``config/campaign.toml:31: platforms.weibo.rate_per_s:
应为数字 (Input should be a valid number)``.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tracker.errors import ConfigError
from tracker.records import PLATFORMS

UNIT_KINDS = (
    "city_association",
    "society",
    "university",
    "department",
    "media",
    "enterprise",
    "school",
    "other",
)
UNIT_KIND_NAMES_ZH = {
    "city_association": "市科协",
    "society": "学会",
    "university": "高校",
    "department": "厅局单位",
    "media": "媒体",
    "enterprise": "企业",
    "school": "中小学",
    "other": "其他",
}
LIVE_PLATFORMS = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Membership(_Strict):
    zhihu_roundtables: list[str] = Field(default_factory=list)
    qqnews_topics: list[str] = Field(default_factory=list)
    xuexi_themes: list[str] = Field(default_factory=list)


class CampaignConfig(_Strict):
    name: str = Field(min_length=1)
    title: str | None = None
    tags: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    window_start: date
    window_end: date
    timezone: str = "Asia/Shanghai"
    membership: Membership = Field(default_factory=Membership)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _window_order(self) -> CampaignConfig:
        if self.window_end < self.window_start:
            raise ValueError("window_end is before window_start")
        return self

    @property
    def all_spellings(self) -> list[str]:
        return [*self.tags, *self.aliases]

    def window_utc(self) -> tuple[datetime, datetime]:
        """The window as UTC instants: start of the first day to the end of the last day, local."""
        zone = ZoneInfo(self.timezone)
        start = datetime.combine(self.window_start, time.min, zone)
        end = datetime.combine(self.window_end, time.max, zone)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


class PlatformConfig(_Strict):
    enabled: bool = True
    base_url: str
    cookie_env: str | None = None
    signer_env: str | None = None
    signer: str | None = None
    rate_per_s: float | None = Field(default=None, gt=0)
    max_pages: int | None = Field(default=None, gt=0)
    page_size: int = Field(default=20, gt=0, le=100)
    timeout_s: float = Field(default=10.0, gt=0)
    schedule: str = "30 6 * * *"

    @field_validator("cookie_env", "signer_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", value):
            raise ValueError(
                f"must be an environment variable name like TRACKER_WEIBO_COOKIE, got {value!r}"
            )
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(f"must be a 5-field cron expression, got {value!r}")
        return value


class ScheduleConfig(_Strict):
    timezone: str = "Asia/Shanghai"
    misfire_grace_time_s: int = Field(default=6 * 3600, gt=0)
    jitter_s: int = Field(default=600, ge=0)
    refresh: str = "0 12 * * *"
    refresh_younger_than_days: int = Field(default=14, gt=0)
    report: str = "0 8 * * *"
    weekly_summary: str = "0 9 * * mon"
    reports_dir: str = "reports"


class TrackerConfig(_Strict):
    campaigns: list[CampaignConfig] = Field(min_length=1)
    platforms: dict[str, PlatformConfig] = Field(default_factory=dict)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    ranking: dict[str, Any] = Field(default_factory=dict)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: dict[str, PlatformConfig]) -> dict[str, PlatformConfig]:
        unknown = sorted(set(value) - set(PLATFORMS))
        if unknown:
            raise ValueError(f"unknown platform id(s) {unknown}; known: {', '.join(PLATFORMS)}")
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> TrackerConfig:
        names = [c.name for c in self.campaigns]
        if len(set(names)) != len(names):
            raise ValueError("campaign names must be unique")
        return self

    def campaign(self, name: str | None = None) -> CampaignConfig:
        if name is None:
            return self.campaigns[0]
        for c in self.campaigns:
            if c.name == name:
                return c
        raise ConfigError(
            f"未知活动 (unknown campaign) {name!r}; 已配置: {', '.join(c.name for c in self.campaigns)}"
        )

    def enabled_platforms(self) -> list[str]:
        return [p for p in LIVE_PLATFORMS if p in self.platforms and self.platforms[p].enabled]


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of a TOML key path (tomllib does not keep positions)."""
    lines = text.splitlines()
    keys = [str(k) for k in loc if not isinstance(k, int)]
    if not keys:
        return None
    section_line = 0
    # Find the deepest table header that matches a prefix of the key path.
    for depth in range(len(keys) - 1, 0, -1):
        header = ".".join(keys[:depth])
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*$")
        for i, line in enumerate(lines):
            if pattern.match(line):
                section_line = i
                break
        if section_line:
            break
    leaf = re.compile(rf"^\s*{re.escape(keys[-1])}\s*=")
    for i in range(section_line, len(lines)):
        if leaf.match(lines[i]):
            return i + 1
    return section_line + 1 if section_line else None


def _format_errors(path: Path, text: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc)
        line = _line_of(text, loc)
        where = f"{path}:{line}" if line else str(path)
        parts.append(f"{where}: {field}: {err['msg']}")
    return "配置文件无效 (invalid config):\n  " + "\n  ".join(parts)


def load_config(path: str | Path) -> TrackerConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"找不到配置文件 (config file not found): {path.absolute()}；"
            "请在项目目录中运行，或用 --config 或 TRACKER_CONFIG 指定配置文件"
            " (run from the project directory, or pass --config / set TRACKER_CONFIG)"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: 不是 UTF-8 编码 (not UTF-8): {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML 语法错误 (syntax error): {exc}") from exc
    try:
        return TrackerConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, text, exc)) from None


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One line of the unit registry: a unit and (optionally) one of its accounts."""

    line: int
    unit: str
    kind: str
    city: str | None
    platform: str | None
    account_id: str | None
    url: str | None
    person: str | None


UNIT_COLUMNS = ("unit", "kind", "city", "platform", "account_id", "url")


def load_units(path: str | Path) -> list[UnitRow]:
    """Read the unit registry; every problem is reported with its line and column at once."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到单位名册 (units file not found): {path}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ConfigError(f"{path}: 无法识别编码 (unknown encoding)")
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("unit", "kind") if c not in header]
    if missing:
        raise ConfigError(f"{path}:1: 缺少列 (missing column): {', '.join(missing)}")
    rows: list[UnitRow] = []
    problems: list[str] = []
    for line_no, record in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
        if not any(rec.values()):
            continue
        if not rec.get("unit"):
            problems.append(f"{path}:{line_no}: unit: 不能为空 (required)")
            continue
        kind = rec.get("kind") or "other"
        if kind not in UNIT_KINDS:
            problems.append(
                f"{path}:{line_no}: kind: 未知类型 {kind!r}; 可选: {', '.join(UNIT_KINDS)}"
            )
            continue
        platform = rec.get("platform") or None
        if platform is not None and platform not in PLATFORMS:
            problems.append(f"{path}:{line_no}: platform: 未知平台 {platform!r}")
            continue
        rows.append(
            UnitRow(
                line=line_no,
                unit=rec["unit"],
                kind=kind,
                city=rec.get("city") or None,
                platform=platform,
                account_id=rec.get("account_id") or None,
                url=rec.get("url") or None,
                person=rec.get("person") or None,
            )
        )
    if problems:
        raise ConfigError("单位名册无效 (invalid units file):\n  " + "\n  ".join(problems))
    return rows


def default_units_path(config_path: Path) -> Path:
    return config_path.parent / "units.csv"


CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
"""Where a source or editable checkout keeps ``pyproject.toml`` and ``config/``."""


def checkout_config_path(root: Path = CHECKOUT_ROOT) -> Path | None:
    """The repository's own ``config/campaign.toml`` when running from a source checkout.

    ``tracker demo`` falls back to it so the README's first command works from any directory.
    Only a checkout has it: ``config/`` is not package data, so an installed wheel gets ``None``
    (``pyproject.toml`` beside it makes sure a stray ``site-packages/config`` is not taken).
    """
    path = root / "config" / "campaign.toml"
    return path if path.is_file() and (root / "pyproject.toml").is_file() else None
