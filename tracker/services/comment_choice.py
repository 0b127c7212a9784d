"""Which works' comments a day reads, and what that costs: pure rules, no database.

Comments are read live within the platforms' rate limits, so a day reads a bounded list per
platform (``[comments] daily_works_per_platform``), in this order:

1. **hub works** named in ``[comments] hub_works`` (the works staff watch by hand);
2. **top works**: the platform's campaign works by latest interactions, the ones most likely
   to be commended and so most worth their comments;
3. **registry works**: campaign works of registry accounts (units' linked accounts), whose
   comment sections show how a unit's work was received.

A work is listed once (its first reason wins). A work whose comments were read within
``reread_after_hours`` is left out unless its stored comment count grew since that read (an
unchanged count has nothing new to show), so the day's places go to works not read yet.

The cost of a work is estimated from its stored comment count (:func:`expected_pages`): the
plan (``tracker plan``) sums it over the day's choice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from connectors import catalogue
from connectors.links import parse_work_url
from connectors.workref import WorkUrlError

__all__ = [
    "COMMENTS_PER_REQUEST",
    "Candidate",
    "Choice",
    "HubWork",
    "choose_works",
    "expected_pages",
    "hub_work_problems",
    "hub_works",
    "parse_hub_work",
]

Reason = Literal["hub", "top", "registry"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A work that may have its comments read: id, stored URL and stored comment count."""

    post_id: str
    url: str | None = None
    comments: int | None = None
    """The comment count stored with the work (None: not known, e.g. a hub work not stored)."""


@dataclass(slots=True)
class Choice:
    """The day's works of one platform, in reading order, and why the others were left out."""

    works: list[Candidate] = field(default_factory=list)
    reasons: dict[str, Reason] = field(default_factory=dict)
    skipped_recent: int = 0
    """Works left out because their comments were read recently and their count did not grow."""
    over_daily: int = 0
    """Works that qualified but did not fit into the day's number."""

    def counts(self) -> dict[str, int]:
        out = {"hub": 0, "top": 0, "registry": 0}
        for reason in self.reasons.values():
            out[reason] += 1
        return out


def _grew(now: int | None, then: int | None) -> bool:
    """The count grew since the last read (an unknown count now says nothing grew)."""
    return now is not None and (then is None or now > then)


def choose_works(
    hub: Sequence[Candidate],
    top: Sequence[Candidate],
    registry: Sequence[Candidate],
    *,
    recent_reads: Mapping[str, int | None],
    daily: int,
) -> Choice:
    """Hub works, then top works, then registry works, each once, up to ``daily`` works.

    ``recent_reads`` maps a work read within the re-read window to the comment count stored
    when it was read; such a work is skipped unless its count grew since.
    """
    choice = Choice()
    seen: set[str] = set()
    groups: tuple[tuple[Reason, Sequence[Candidate]], ...] = (
        ("hub", hub),
        ("top", top),
        ("registry", registry),
    )
    for reason, group in groups:
        for work in group:
            if work.post_id in seen:
                continue
            seen.add(work.post_id)
            if work.post_id in recent_reads and not _grew(
                work.comments, recent_reads[work.post_id]
            ):
                choice.skipped_recent += 1
                continue
            if len(choice.works) >= daily:
                choice.over_daily += 1
                continue
            choice.works.append(work)
            choice.reasons[work.post_id] = reason
    return choice


# --- hub works ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HubWork:
    platform: str
    post_id: str
    url: str | None = None
    """The link as written (it may carry what the id lacks: a Xiaohongshu ``xsec_token``)."""


def parse_hub_work(entry: str) -> HubWork:
    """``"<platform>:<id or url>"`` -> the work; raises ``ValueError`` with the reason.

    A link must be on the named platform and name a work (a short link cannot be read
    offline: paste the link it opens instead)."""
    platform, _, value = entry.partition(":")
    platform, value = platform.strip(), value.strip()
    if platform not in catalogue.live_platforms() or not value:
        raise ValueError(f"应写作 平台:作品ID或链接 (expected '<platform>:<id or url>'): {entry!r}")
    if "/" not in value:
        return HubWork(platform, value)
    try:
        ref = parse_work_url(value)
    except WorkUrlError as exc:
        raise ValueError(f"{entry!r}: {exc}") from None
    if ref.platform != platform:
        raise ValueError(f"{entry!r}: 链接属于 {ref.platform}，不是 {platform}")
    return HubWork(platform, ref.post_id, ref.url)


def hub_works(entries: Iterable[str]) -> tuple[dict[str, list[HubWork]], list[str]]:
    """Per platform, the hub works in the order written (each once), and the problems of the
    entries that name none (left out, never fatal: the rest of the day still runs)."""
    works: dict[str, list[HubWork]] = {}
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        try:
            work = parse_hub_work(entry)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if (work.platform, work.post_id) not in seen:
            seen.add((work.platform, work.post_id))
            works.setdefault(work.platform, []).append(work)
    return works, problems


def hub_work_problems(entries: Sequence[str]) -> list[tuple[tuple[str, ...], str]]:
    """``tracker config check``'s view of ``[comments] hub_works``: (key path, message)."""
    _, problems = hub_works(entries)
    return [(("comments", "hub_works"), f"comments.hub_works: {p}") for p in problems]


# --- cost -----------------------------------------------------------------------------------

COMMENTS_PER_REQUEST: Mapping[str, int] = {
    "weibo": 20,  # hotflow pages of 20, the first two replies of a thread inline
    "bilibili": 20,  # reply/main pages of 20, three replies inline
    "zhihu": 20,  # root_comment pages of 20, two replies inline
    "kuaishou": 20,  # commentListQuery pages of 20, two replies inline
    "xiaohongshu": 10,  # comment/page pages of 10, one reply inline
    "douyin": 5,  # comment/list pages of 20, no reply inline: each answered thread is a request
}
"""Comments one comment request brings on average, by platform (top-level page size, less
where replies are not carried inline and each answered thread costs a reply page)."""
DEFAULT_COMMENTS_PER_REQUEST = 10


def expected_pages(platform: str, comments: int | None, max_pages: int) -> int:
    """Requests one work's comment reading is expected to send: one per
    :data:`COMMENTS_PER_REQUEST` comments of its stored count (at least one), at most
    ``max_pages``; an unknown count is taken as one page (the first page says how many)."""
    if comments is None:
        return 1
    per = COMMENTS_PER_REQUEST.get(platform, DEFAULT_COMMENTS_PER_REQUEST)
    return min(max_pages, max(1, math.ceil(comments / per)))
