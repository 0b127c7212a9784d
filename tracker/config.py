"""Loading and validating ``config/campaign.toml`` and ``config/units.csv``.

A validation error names the file, the line and the field, because the people who edit these
files are campaign staff, not programmers: ``config/campaign.toml:31: platforms.weibo.rate_per_s:
应为数字 (Input should be a valid number)``.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors import catalogue
from connectors.catalogue import PLATFORMS
from tracker.errors import ConfigError
from tracker.signing.spec import parse_signer_spec, signer_env_var

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


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a platform's base URL, or None: http(s), a host, a valid port.

    A missing scheme (``m.weibo.cn``) used to load fine and fail on the first request of a
    collection; the config loader and ``--base-url`` both ask here instead.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed IPv6 bracket: "http://[::1"
        return f"URL 无法解析 (unparsable URL), got {url!r}"
    if parts.scheme.lower() not in ("http", "https") or "://" not in text:
        return f"应以 http:// 或 https:// 开头 (must start with http:// or https://), got {url!r}"
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return f"URL 中有空格或控制字符 (space or control character), got {url!r}"
    if not parts.hostname:
        return f"URL 缺少主机名 (no host), got {url!r}"
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        return f"URL 的端口无效 (bad port), got {url!r}"
    return None


class _Strict(BaseModel):
    # TOML allows inf and nan; no setting here means either (a timeout of inf never times out).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


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
    block_pause_s: float = Field(default=120.0, ge=0)
    """Wait after a block (captcha, risk control) before the request is sent again."""
    block_retries: int = Field(default=2, ge=0)
    """Pauses after blocks in a row before a block stops the platform (0: stop at once)."""
    daily_requests: int | None = Field(default=None, gt=0)
    """Most detail requests one ``refresh`` of this platform may send (None: no limit): the
    works left out are the lowest in priority (``tracker.services.refresh_plan``)."""
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

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        problem = base_url_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value.strip()

    @field_validator("signer")
    @classmethod
    def _signer(cls, value: str | None) -> str | None:
        """The one spec check (``tracker.signing.spec``): a spec that loads here also runs."""
        if value is None or parse_signer_spec(value) is None:
            return None
        return value.strip()

    def signer_spec(self, platform: str, env: Mapping[str, str]) -> tuple[str | None, str]:
        """The signer spec a run of ``platform`` uses, and the variable or key that set it.

        The order is collect's: the ``signer_env`` variable, then the file's ``signer``, then
        ``TRACKER_<P>_SIGNER``. ``config check`` asks the same question, so it checks the very
        value ``collect`` would use and names the place to fix it.
        """
        if self.signer_env and env.get(self.signer_env):
            return env[self.signer_env], self.signer_env
        key = f"platforms.{platform}.signer"
        if self.signer:
            return self.signer, key
        fallback = signer_env_var(platform)
        if env.get(fallback):
            return env[fallback], fallback
        return None, key


class ScheduleConfig(_Strict):
    timezone: str = "Asia/Shanghai"
    misfire_grace_time_s: int = Field(default=6 * 3600, gt=0)
    jitter_s: int = Field(default=600, ge=0)
    refresh: str = "0 12 * * *"
    refresh_younger_than_days: int = Field(default=14, gt=0)
    max_hours_per_platform: float = Field(default=6.0, gt=0, le=24)
    """Hours of requests a platform's daily jobs may take at its rate (``tracker plan``)."""
    report: str = "0 8 * * *"
    weekly_summary: str = "0 9 * * mon"
    keep_rankings: str = "45 7 * * *"
    """When big campaigns are ranked ahead of the day's commands and the rankings kept
    (``tracker.schedule.warm``): after the morning's collections. Empty: never."""
    reports_dir: str = "reports"


class CommentsConfig(_Strict):
    """The daily comment reading (作品互动): which works, and how many requests each may take.

    ``hub_works`` are ``"<platform>:<id or url>"`` entries read first every day; the form is
    checked here, the link itself by ``tracker config check`` (``tracker.services.comment_choice``).
    """

    enabled: bool = True
    hub_works: list[str] = Field(default_factory=list)
    daily_works_per_platform: int = Field(default=50, ge=0)
    max_pages_per_work: int = Field(default=5, gt=0, le=100)
    reread_after_hours: int = Field(default=72, gt=0)
    """A work read within this many hours is left out unless its comment count grew."""

    @field_validator("hub_works")
    @classmethod
    def _hub_form(cls, value: list[str]) -> list[str]:
        live = catalogue.live_platforms()
        for entry in value:
            platform, sep, rest = entry.partition(":")
            if not sep or not rest.strip() or platform.strip() not in live:
                raise ValueError(
                    f"应写作 平台:作品ID或链接，平台为 {', '.join(live)} 之一 "
                    f"(expected '<platform>:<id or url>'), got {entry!r}"
                )
        return [entry.strip() for entry in value]


def _with_spec_defaults(platform: str, entry: Any) -> Any:
    """A ``[platforms.<id>]`` table completed from the platform's spec.

    ``[platforms.weibo]`` alone is a working entry: the real site's base URL, the platform's
    request rate, and the cookie/signer variables named ``TRACKER_<ID>_COOKIE``/``_SIGNER``
    where the platform needs them. Keys the file sets always win.
    """
    if not isinstance(entry, dict):
        return entry
    spec = catalogue.spec(platform)
    defaults: dict[str, Any] = {"rate_per_s": spec.rate_per_s}
    if spec.base_url:
        defaults["base_url"] = spec.base_url
    if spec.capabilities.needs_cookie:
        defaults["cookie_env"] = f"TRACKER_{platform.upper()}_COOKIE"
    if spec.capabilities.needs_signer:
        defaults["signer_env"] = f"TRACKER_{platform.upper()}_SIGNER"
    return defaults | entry


class TrackerConfig(_Strict):
    campaigns: list[CampaignConfig] = Field(min_length=1)
    platforms: dict[str, PlatformConfig] = Field(default_factory=dict)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    comments: CommentsConfig = Field(default_factory=CommentsConfig)
    ranking: dict[str, Any] = Field(default_factory=dict)

    @field_validator("platforms", mode="before")
    @classmethod
    def _known_platforms(cls, value: Any) -> Any:
        """Before the entries are checked: an unknown id is the news, not its odd base_url."""
        if not isinstance(value, dict):
            return value
        unknown = sorted(set(value) - set(PLATFORMS))
        if unknown:
            raise ValueError(f"unknown platform id(s) {unknown}; known: {', '.join(PLATFORMS)}")
        return {p: _with_spec_defaults(p, entry) for p, entry in value.items()}

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
        """Live platforms enabled in the file, in the file's order (the order jobs are planned)."""
        live = catalogue.live_platforms()
        return [p for p, pcfg in self.platforms.items() if p in live and pcfg.enabled]


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


def where_in_file(path: str | Path, text: str, loc: tuple[Any, ...]) -> str:
    """``path:line`` of a key path in the config text (``path`` alone when it is not found)."""
    line = _line_of(text, loc)
    return f"{path}:{line}" if line else str(path)


def _format_errors(path: str | Path, text: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc)
        parts.append(f"{where_in_file(path, text, loc)}: {field}: {err['msg']}")
    return "配置文件无效 (invalid config):\n  " + "\n  ".join(parts)


def read_config_text(path: Path) -> str:
    """The config file's text; a UTF-8 BOM (Windows Notepad adds one) is dropped, not a syntax error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"找不到配置文件 (config file not found): {path.absolute()}；"
            "请在项目目录中运行，或用 --config 或 TRACKER_CONFIG 指定配置文件"
            " (run from the project directory, or pass --config / set TRACKER_CONFIG)"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: 不是 UTF-8 编码 (not UTF-8): {exc}") from exc


def load_config(path: str | Path) -> TrackerConfig:
    path = Path(path)
    return parse_config_text(read_config_text(path), path)


def parse_config_text(text: str, path: str | Path) -> TrackerConfig:
    """The config in ``text``; ``path`` names where it came from in messages (a file, or the
    config stored in a database by ``tracker init``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path}:{at.group(1)}" if at else str(path)
        raise ConfigError(f"{where}: TOML 语法错误 (syntax error): {exc}") from exc
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

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no cell should hold: invisible in Excel, and PostgreSQL refuses NUL in text."""
_SHOWN_CELL = 40
"""How much of an offending cell a message quotes."""


def _units_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without the BOM Excel adds), else GB18030 (WPS, old Excel)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到单位名册 (units file not found): {path}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ConfigError(
        f"{path}: 无法识别编码，请另存为「CSV UTF-8」 (unknown encoding; save as CSV UTF-8)"
    )


def _csv_records(path: str | Path, text: str) -> list[tuple[int, list[str]]]:
    """Every CSV record with the file line it starts on; blank lines keep the numbering true.

    ``newline=""`` lets quoted cells span lines (and keeps ``\\u2028`` inside a cell, which
    ``str.splitlines`` would have split on), so line numbers match what an editor shows.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ConfigError(
            f"{path}:{reader.line_num or 1}: 无法解析的 CSV 行 (unreadable CSV line): {exc}"
        ) from None
    return records


def _shown_cell(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_CELL else value[:_SHOWN_CELL] + "…")


def _units_header(path: str | Path, records: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first non-blank record as column names; missing or repeated names stop the load."""
    line, cells = next(((n, c) for n, c in records if any(x.strip() for x in c)), (1, []))
    header = [c.strip() for c in cells]
    missing = [c for c in ("unit", "kind") if c not in header]
    if missing:
        raise ConfigError(f"{path}:{line}: 缺少列 (missing column): {', '.join(missing)}")
    named = [h for h in header if h]
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        raise ConfigError(f"{path}:{line}: 列名重复 (duplicate column): {', '.join(repeated)}")
    return line, header


def _record_problem(path: str | Path, line: int, header: list[str], cells: list[str]) -> str | None:
    """What makes a record unreadable as a whole: cells beyond the header, control characters.

    A row with more cells than the header is nearly always an unquoted comma (a formula such
    as ``=HYPERLINK("a","b")``, an address), so the cells no longer sit under their column
    names; reading it anyway would file values under the wrong names. Empty extras (``a,b,,,``
    as Excel pads rows) are harmless and ignored.
    """
    extras = [c for c in cells[len(header) :] if c.strip()]
    if extras:
        return (
            f"{path}:{line}: 比表头多出 {len(cells) - len(header)} 个单元格 {_shown_cell(extras[0])}"
            f"（表头 {len(header)} 列）；含逗号的内容须加英文双引号，如 Excel 公式 =HYPERLINK(...) "
            "(more cells than the header: quote cells that contain commas)"
        )
    for index, (name, cell) in enumerate(zip(header, cells, strict=False), start=1):
        bad = _CONTROL.search(cell)
        if bad:
            column = name or f"第 {index} 列"
            return (
                f"{path}:{line}: {column}: 含不可见的控制字符 {bad.group()!r} "
                "(control character in cell)"
            )
    return None


def _unit_row(path: str | Path, line: int, rec: dict[str, str]) -> UnitRow | str:
    """One registry line as a ``UnitRow``, or the one-line problem that stops it."""
    if not rec.get("unit"):
        return f"{path}:{line}: unit: 不能为空 (required)"
    kind = rec.get("kind") or "other"
    if kind not in UNIT_KINDS:
        return f"{path}:{line}: kind: 未知类型 {kind!r}; 可选: {', '.join(UNIT_KINDS)}"
    platform = rec.get("platform") or None
    if platform is not None and platform not in PLATFORMS:
        return f"{path}:{line}: platform: 未知平台 {platform!r}"
    return UnitRow(
        line=line,
        unit=rec["unit"],
        kind=kind,
        city=rec.get("city") or None,
        platform=platform,
        account_id=rec.get("account_id") or None,
        url=rec.get("url") or None,
        person=rec.get("person") or None,
    )


def load_units(path: str | Path) -> list[UnitRow]:
    """Read the unit registry; every problem is reported with its line and column at once."""
    path = Path(path)
    return parse_units_text(_units_text(path), path)


def read_units_text(path: str | Path) -> str:
    """The registry file's text, decoded as ``load_units`` decodes it (to store it verbatim)."""
    return _units_text(Path(path))


def parse_units_text(text: str, path: str | Path) -> list[UnitRow]:
    """The registry in ``text``; ``path`` names where it came from in messages."""
    records = _csv_records(path, text)
    header_line, header = _units_header(path, records)
    rows: list[UnitRow] = []
    problems: list[str] = []
    for line, cells in records:
        if line <= header_line:
            continue
        problem = _record_problem(path, line, header, cells)
        if problem is not None:
            problems.append(problem)
            continue
        rec = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        if not any(rec.values()):
            continue
        row = _unit_row(path, line, rec)
        if isinstance(row, str):
            problems.append(row)
        else:
            rows.append(row)
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
