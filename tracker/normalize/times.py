"""Parse every time form the platforms show into a UTC-aware ``datetime``.

Platforms mix absolute stamps (Weibo ``Sat Sep 14 10:00:00 +0800 2024``, epoch seconds or
milliseconds, ISO 8601) with display strings meant for a reader in China (``3分钟前``, ``昨天 12:30``,
``09-14``). The display strings carry no zone and no year, so they are read as Asia/Shanghai wall
time relative to an injectable ``now``: that keeps tests deterministic and lets a re-parse of stored
raw text use the time it was fetched.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI", "isoformat_utc", "parse_time", "to_shanghai", "utc_now"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A year-less date ("09-14") later than now by more than this is taken to be last year (and a bare
# "HH:MM" to be yesterday). The slack absorbs clock skew between the platform and us, so a post
# stamped a few minutes "ahead" of our clock does not jump back a whole year.
_FUTURE_SLACK = timedelta(hours=1)

# Epoch magnitude bands: 1e11 s is the year 5138, 1e11 ms is 1973, 1e14 us is 1973.
_MS_FROM = 10**11
_US_FROM = 10**14
_EPOCH_MAX = 10**17

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

# Trailing device/source and leading verbs that decorate the time on some pages.
_SOURCE_RE = re.compile(r"\s*来自.*$", re.S)
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# XHS appends the poster's IP region: "编辑于 3天前 广东". Only tried when the full string fails.
_REGION_SUFFIX_RE = re.compile(r"\s+[\u4e00-\u9fff]{2,8}$")
_PREFIX_RE = re.compile(r"^(?:发布于|发表于|编辑于|更新于|发布时间[:：]?|发布)\s*")

_TIME = r"(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?"
_OPT_TIME = rf"(?:\s*{_TIME})?"

_RELATIVE_RE = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|分|小时|个小时|天|周|星期)\s*前")
_DAY_WORD_RE = re.compile(rf"(?P<word>今天|昨天|前天){_OPT_TIME}")
_WEIBO_RE = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?(?P<mon>[A-Za-z]{3})\s+(?P<d>\d{1,2})\s+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})\s+"
    r"(?P<tz>[+-]\d{4})\s+(?P<Y>\d{4})"
)
_YMD_RE = re.compile(
    rf"(?P<Y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_OPT_TIME}"
)
_YMD_CN_RE = re.compile(rf"(?P<Y>\d{{4}})年(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]?{_OPT_TIME}")
_MD_RE = re.compile(rf"(?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}}){_OPT_TIME}")
_MD_CN_RE = re.compile(rf"(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]?{_OPT_TIME}")
_HM_RE = re.compile(_TIME)
_COMPACT_DATE_RE = re.compile(r"(?P<Y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})")


def utc_now() -> datetime:
    """The current time, UTC-aware (the only clock read in the normalisers)."""
    return datetime.now(UTC)


def to_shanghai(dt: datetime) -> datetime:
    """Convert to Asia/Shanghai for display and export.

    Naive input is taken as Shanghai wall time, the one rule for naive values in this module.
    """
    return _as_utc(dt).astimezone(SHANGHAI)


def isoformat_utc(dt: datetime) -> str:
    """``2024-09-14T02:00:00+00:00``: one stable text form for logs, JSON and exports."""
    return _as_utc(dt).isoformat()


def _as_utc(dt: datetime) -> datetime:
    """Aware -> UTC; naive -> taken as Shanghai wall time (what Chinese platforms display)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return dt.astimezone(UTC)


def _bad(value: object, why: str) -> ValueError:
    return ValueError(f"cannot parse time {value!r}: {why}")


def parse_time(value: str | int | float | datetime, *, now: datetime | None = None) -> datetime:
    """Parse a platform time (any form listed in the module docs) to a UTC-aware ``datetime``.

    ``now`` anchors relative and year-less forms (``3分钟前``, ``昨天 12:30``, ``09-14``); it
    defaults to the current time and a naive ``now`` is taken as Shanghai time. Raises
    ``ValueError`` (and only ``ValueError``) with the offending value in the message.
    """
    try:
        return _parse(value, now)
    except ValueError as exc:
        if repr(value) in str(exc):
            raise
        raise _bad(value, str(exc)) from exc
    except (ArithmeticError, OSError) as exc:
        raise _bad(value, "out of range") from exc


def _parse(value: object, now: datetime | None) -> datetime:
    if isinstance(value, bool):
        raise _bad(value, "a boolean is not a time")
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, date):
        return _as_utc(datetime.combine(value, time()))
    if isinstance(value, int | float):
        return _from_epoch(value, value)
    if not isinstance(value, str):
        raise _bad(value, f"unsupported type {type(value).__name__}")
    return _parse_str(value, now)


def _from_epoch(number: int | float, original: object) -> datetime:
    """Epoch seconds, milliseconds or microseconds, told apart by magnitude."""
    if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
        raise _bad(original, "not a finite number")
    if number <= 0:
        # Platforms put 0 in fields they do not fill; 1970 is never a real post time.
        raise _bad(original, "epoch must be positive (0 means unset)")
    if number >= _EPOCH_MAX:
        raise _bad(original, "epoch too large")
    if number >= _US_FROM:
        seconds = number / 1_000_000
    elif number >= _MS_FROM:
        seconds = number / 1000
    else:
        seconds = number
    if isinstance(number, int):
        # Integer arithmetic keeps millisecond stamps exact (float division can be off by 1 us).
        divisor = 1_000_000 if number >= _US_FROM else 1000 if number >= _MS_FROM else 1
        whole, rest = divmod(number, divisor)
        return datetime.fromtimestamp(whole, UTC) + timedelta(
            microseconds=rest * 1_000_000 // divisor
        )
    return datetime.fromtimestamp(seconds, UTC)


def _now_shanghai(now: datetime | None) -> datetime:
    return _as_utc(now if now is not None else utc_now()).astimezone(SHANGHAI)


def _wall(d: date, m: re.Match[str] | None = None) -> datetime:
    """Shanghai wall-clock time on day ``d`` at the H/M/S groups of ``m`` (midnight if absent)."""
    hour = minute = second = 0
    if m is not None and m.group("H") is not None:
        hour, minute = int(m.group("H")), int(m.group("M"))
        second = int(m.group("S") or 0)
    return datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=SHANGHAI)


def _clean(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw)
    s = _ZERO_WIDTH_RE.sub("", s).strip()
    s = _SOURCE_RE.sub("", s)
    s = _PREFIX_RE.sub("", s)
    return s.strip()


def _parse_str(raw: str, now: datetime | None) -> datetime:
    s = _clean(raw)
    if not s:
        raise _bad(raw, "empty")
    try:
        return _parse_clean(s, raw, now)
    except ValueError:
        stripped = _REGION_SUFFIX_RE.sub("", s)
        if stripped == s:
            raise
        return _parse_clean(stripped, raw, now)


def _parse_clean(s: str, raw: str, now: datetime | None) -> datetime:
    if s.isascii() and s.isdigit():
        if len(s) == 8 and (m := _COMPACT_DATE_RE.fullmatch(s)):
            return _wall(date(int(m["Y"]), int(m["m"]), int(m["d"]))).astimezone(UTC)
        return _from_epoch(int(s), raw)
    if s == "刚刚":
        return _as_utc(_now_shanghai(now))
    if m := _RELATIVE_RE.fullmatch(s):
        return _relative(int(m["n"]), m["unit"], now)
    if m := _DAY_WORD_RE.fullmatch(s):
        back = {"今天": 0, "昨天": 1, "前天": 2}[m["word"]]
        day = _now_shanghai(now).date() - timedelta(days=back)
        return _wall(day, m).astimezone(UTC)
    if m := _WEIBO_RE.fullmatch(s):
        return _weibo(m, raw)
    if m := (_YMD_RE.fullmatch(s) or _YMD_CN_RE.fullmatch(s)):
        return _wall(date(int(m["Y"]), int(m["m"]), int(m["d"])), m).astimezone(UTC)
    if m := (_MD_RE.fullmatch(s) or _MD_CN_RE.fullmatch(s)):
        return _year_less(m, now, raw)
    if m := _HM_RE.fullmatch(s):
        return _today_at(m, now)
    return _iso(s, raw)


def _relative(n: int, unit: str, now: datetime | None) -> datetime:
    seconds = {"秒": 1, "分": 60, "分钟": 60, "小时": 3600, "个小时": 3600, "天": 86400}.get(unit)
    delta = timedelta(seconds=n * seconds) if seconds else timedelta(weeks=n)
    return _as_utc(_now_shanghai(now)) - delta


def _weibo(m: re.Match[str], raw: str) -> datetime:
    month = _MONTHS.get(m["mon"].lower())
    if month is None:
        raise _bad(raw, f"unknown month {m['mon']!r}")
    sign = 1 if m["tz"][0] == "+" else -1
    offset = timedelta(hours=int(m["tz"][1:3]), minutes=int(m["tz"][3:5]))
    local = datetime(int(m["Y"]), month, int(m["d"]), int(m["H"]), int(m["M"]), int(m["S"]))
    return (local - sign * offset).replace(tzinfo=UTC)


def _year_less(m: re.Match[str], now: datetime | None, raw: str) -> datetime:
    """``MM-DD [HH:MM]``: this year in Shanghai, or last year if that would be in the future."""
    local_now = _now_shanghai(now)
    month, day = int(m["m"]), int(m["d"])
    for year in range(local_now.year, local_now.year - 5, -1):  # 02-29 may need 4 years back
        try:
            candidate = _wall(date(year, month, day), m)
        except ValueError:
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                raise
            continue  # 02-29 outside a leap year: try an earlier year
        if candidate - local_now <= _FUTURE_SLACK:
            return candidate.astimezone(UTC)
    raise _bad(raw, "no valid year for this month and day")


def _today_at(m: re.Match[str], now: datetime | None) -> datetime:
    """Bare ``HH:MM`` (some feeds show only the time for today's posts)."""
    local_now = _now_shanghai(now)
    candidate = _wall(local_now.date(), m)
    if candidate - local_now > _FUTURE_SLACK:
        candidate -= timedelta(days=1)
    return candidate.astimezone(UTC)


def _iso(s: str, raw: str) -> datetime:
    iso = s[:-1] + "+00:00" if s[-1:] in "Zz" and len(s) > 1 else s
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][0-9:.,+\-]+", iso, re.ASCII):
        raise _bad(raw, "unrecognised time format")
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError as exc:
        raise _bad(raw, "unrecognised time format") from exc
    return _as_utc(dt)
