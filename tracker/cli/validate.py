"""Command-line values checked while the line is parsed, so a bad one is a usage error (exit 2).

Numbers get typer's ``min=``/``max=`` where they are declared; the values here need more than a
range: times (``--since`` must be before ``--until``), ages (``--younger-than 14d``), signer
specs and base URLs. Each is checked by the same function the config loader uses where there is
one (:func:`tracker.signing.spec.parse_signer_spec`, :func:`tracker.config.base_url_problem`),
so the command line and the config file accept the same things. A callback runs before the
command does anything (no database opened, no config read), and click prints its message
under the usage line, naming the option.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import typer

from tracker.errors import TrackerError
from tracker.normalize.times import parse_time
from tracker.signing.spec import parse_signer_spec

MAX_AGE_DAYS = 3650
"""``--younger-than`` at most ten years: longer is no campaign, and far longer overflows dates."""
_AGE_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def _shown(value: str | None, limit: int = 24) -> str:
    """A value as a message quotes it: short, so a pasted paragraph stays one readable line."""
    text = value or ""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_age(value: str) -> timedelta:
    """``14d``, ``36h``, ``2w`` or a bare number of days, within (0, 10 years]; else ValueError."""
    text = value.strip().lower()
    number, unit = (text[:-1], text[-1]) if text and text[-1] in _AGE_UNITS else (text, "d")
    if not number.isdecimal():  # exactly the digits int() reads, full-width ones included
        raise ValueError(f"应写作 14d、36h 或 2w (like 14d, 36h or 2w)，收到 {_shown(value)}")
    count = int(number) if len(number) <= 9 else 10**9  # past any range, and int() stays cheap
    days = count * {"d": 1, "h": 1 / 24, "w": 7}[unit]
    if not 0 < days <= MAX_AGE_DAYS:
        raise ValueError(
            f"应大于 0 且不超过 {MAX_AGE_DAYS} 天 (must be more than 0, at most {MAX_AGE_DAYS} days)"
            f"，收到 {_shown(value)}"
        )
    return timedelta(**{_AGE_UNITS[unit]: count})


def younger_than_option(value: str) -> str:
    try:
        parse_age(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def parse_when(value: str | None) -> datetime | None:
    """A ``--since``/``--until``/``--now`` value as a UTC time; ValueError names the value."""
    if not value:
        return None
    return parse_time(value)


def _time_option(value: str | None) -> datetime | None:
    try:
        return parse_when(value)
    except ValueError:
        raise typer.BadParameter(
            f"无法识别的时间 (unrecognised time) {_shown(value)}；例如 2024-09-01 或 2024-09-01 08:00"
        ) from None


def _window_check(ctx: typer.Context, name: str, value: str | None) -> None:
    """Once both ends are known (whichever came second on the line), since must be before until."""
    texts = {"since": ctx.params.get("since"), "until": ctx.params.get("until"), name: value}
    since, until = _time_option(texts["since"]), _time_option(texts["until"])
    if since is not None and until is not None and since >= until:
        raise typer.BadParameter(
            f"--since 必须早于 --until (--since must be before --until)，"
            f"收到 {_shown(texts['since'])} 与 {_shown(texts['until'])}",
            param_hint="'--since' / '--until'",
        )


def since_option(ctx: typer.Context, value: str | None) -> str | None:
    _window_check(ctx, "since", value)
    return value


def until_option(ctx: typer.Context, value: str | None) -> str | None:
    _window_check(ctx, "until", value)
    return value


def now_option(value: str | None) -> str | None:
    _time_option(value)
    return value


def signer_option(value: str | None) -> str | None:
    """``--signer`` parsed like a spec in the config or ``TRACKER_<P>_SIGNER``."""
    try:
        parse_signer_spec(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def base_url_option(values: list[str]) -> list[str]:
    """Each ``--base-url 平台=URL`` with the URL checked as ``base_url`` in the config is."""
    from tracker.config import base_url_problem

    for value in values:
        _, sep, url = value.partition("=")
        problem = base_url_problem(url) if sep else "应写作 平台=URL (write it as platform=URL)"
        if problem is not None:
            raise typer.BadParameter(f"{problem}；例如 weibo=http://127.0.0.1:8000/weibo")
    return values


AS_OF_HELP = (
    "数据截至此时（如 2024-09-27 含当天，或 2024-09-27T18:00，北京时间）："
    "指标取此前最近一次快照，之后才发布或才采集到的作品不计"
)


def as_of_option(text: str | None, timezone: str) -> datetime | None:
    """``--as-of`` as an aware UTC instant (None when not given); a bad value is a usage
    error naming the accepted forms."""
    from tracker.ranking.selection import parse_as_of

    if not text:
        return None
    try:
        return parse_as_of(text, timezone)
    except ValueError as exc:
        raise TrackerError(str(exc)) from None
