"""Stored comments, as a campaign's participation (作品互动) and as the ranking's evidence.

``participation_comments``: the rows only; whether a comment counts (its work a campaign work,
not excluded, not deleted; or, on the platforms where the notice admits it, the comment itself
tagged) is decided in pure pandas by ``tracker.membership.participation``, which calls this.

``comment_evidence``: per campaign work whose comments were read, how many are readable, whether
the tracker read them to the end, and the largest group of accounts that wrote the same comment
at about the same time, for the ranking's risk signals (``tracker.ranking.comment_risk``). The ranking's rule for "the same
text" (its fingerprint) is passed in, so the store never imports the ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, exists, false, func, or_, select

from tracker.store.models import Campaign, Comment, Post, PostCampaign, Run
from tracker.store.queries.comment_candidates import COMMENT_RUN_KIND
from tracker.store.queries.frame_reader import ChunkColumn, raw_text, read_frame
from tracker.store.registry import campaign_id

__all__ = [
    "COMMENT_COLUMNS",
    "EVIDENCE_COLUMNS",
    "CommentRows",
    "comment_evidence",
    "comments_read",
    "largest_copy_groups",
    "participation_comments",
]

C = Comment.__table__
P = Post.__table__
PC = PostCampaign.__table__
RUN = Run.__table__
CAMPAIGN = Campaign.__table__

COMMENT_COLUMNS = [
    "platform",
    "platform_post_id",
    "commenter_uid",
    "comment_id",
    "hashtags",
    "text",
    "work_deleted",
]


@dataclass(slots=True)
class CommentRows:
    comments: pd.DataFrame
    """One row per comment (``COMMENT_COLUMNS``), object dtype except ``work_deleted`` (bool)."""
    tags: list[str]
    """The campaign's tag spellings and aliases, as stored with the campaign."""


def _in_window(window: tuple[datetime, datetime] | None) -> list[Any]:
    if window is None:
        return []
    start, end = window
    return [or_(C.c.published_at.is_(None), C.c.published_at.between(start, end))]


def _known_by(as_of: datetime | None) -> list[Any]:
    """Comments published and first seen at or before the cut (unknown times are kept), as
    posts are cut."""
    if as_of is None:
        return []
    return [
        or_(C.c.published_at.is_(None), C.c.published_at <= as_of),
        or_(C.c.first_seen_at.is_(None), C.c.first_seen_at <= as_of),
    ]


def participation_comments(
    conn: Connection,
    campaign: str | int,
    *,
    tagged_platforms: Sequence[str] = (),
    window: tuple[datetime, datetime] | None = None,
    as_of: datetime | None = None,
) -> CommentRows:
    """Comments that name their commenter and are on a work linked to ``campaign`` (excluded
    ones too, so the caller can tell), plus every comment on ``tagged_platforms`` that may
    carry a tag (tags stored, or a '#' in its text), wherever it was written.

    ``window`` keeps comments published inside it; ``as_of`` leaves out comments published or
    first seen after it (unknown times are kept). ``work_deleted`` says the work is stored as
    deleted (an unstored work is not known to be deleted).
    """
    cid = campaign_id(conn, campaign)
    on_campaign_work = exists().where(
        PC.c.platform == C.c.platform,
        PC.c.platform_post_id == C.c.platform_post_id,
        PC.c.campaign_id == cid,
    )
    candidates: list[ColumnElement[bool]] = [on_campaign_work]
    if tagged_platforms:
        candidates.append(
            and_(
                C.c.platform.in_(list(tagged_platforms)),
                or_(
                    C.c.hashtags.is_not(None),
                    C.c.text.contains("#", autoescape=True),
                    C.c.text.contains("＃", autoescape=True),
                ),
            )
        )
    work = and_(P.c.platform == C.c.platform, P.c.platform_post_id == C.c.platform_post_id)
    stmt = (
        select(
            C.c.platform,
            C.c.platform_post_id,
            C.c.commenter_uid,
            C.c.platform_comment_id,
            C.c.hashtags,
            C.c.text,
            func.coalesce(P.c.deleted, false()),
        )
        .select_from(C.outerjoin(P, work))
        .where(
            C.c.commenter_uid.is_not(None),
            or_(*candidates),
            *_in_window(window),
            *_known_by(as_of),
        )
        .order_by(C.c.platform, C.c.platform_comment_id)
    )
    rows = conn.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=COMMENT_COLUMNS).astype("object")
    frame["work_deleted"] = frame["work_deleted"].astype("bool")
    tags = conn.execute(select(CAMPAIGN.c.tags).where(CAMPAIGN.c.id == cid)).scalar()
    return CommentRows(frame, [t for t in (tags or []) if isinstance(t, str)])


# --- evidence for the ranking --------------------------------------------------------------------

EVIDENCE_COLUMNS = [
    "platform",
    "platform_post_id",
    "readable_comments",
    "comments_read_at",
    "comment_copies",
    "comments_complete",
]


def _seconds(times: pd.Series) -> np.ndarray:
    """UTC epoch seconds (int64) of known datetimes, whatever unit pandas stores them in."""
    naive = pd.to_datetime(times, utc=True).dt.tz_convert(None)
    return np.asarray(naive.to_numpy(dtype="datetime64[s]").astype(np.int64))


def _on_campaign_work(cid: int) -> Any:
    return exists().where(
        PC.c.platform == C.c.platform,
        PC.c.platform_post_id == C.c.platform_post_id,
        PC.c.campaign_id == cid,
        PC.c.excluded.is_(False),
    )


def comment_evidence(
    conn: Connection,
    campaign: str | int,
    *,
    fingerprint: Callable[[np.ndarray, np.ndarray], Any],
    window_s: float,
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """One row per campaign work (not excluded) with stored comments (``EVIDENCE_COLUMNS``).

    ``readable_comments``: stored comments and replies on the work (one row per comment id, so
    each counts once however often it was read). ``comments_read_at``: when they were last read
    (the latest capture of any of them; with ``as_of``, at most the cut). ``comment_copies``:
    the largest number of distinct accounts that wrote one comment text within ``window_s``
    seconds either side of one of this work's comments, on this work or any other campaign
    work of the platform (0 when none of its comments has a fingerprint). ``fingerprint(keys,
    lengths)`` turns the stored text keys and the lengths they were taken over
    (``tracker.normalize.text_key``) into each comment's key (nullable Int64), NA for texts too
    short to compare; comments without a commenter id or a publish time are never copies
    (nothing says who or when).
    ``as_of`` leaves out comments published or first seen after it, as posts are cut.
    ``comments_complete``: a comment run of the tracker read the work's comments to the end
    (:func:`completely_read`); only then does "few readable" mean hidden, since a page cap, an
    export's per-work limit or a capture of the first screen leave comments unread too.
    """
    cid = campaign_id(conn, campaign)
    where = [_on_campaign_work(cid), *_known_by(as_of)]
    counts = read_frame(
        conn,
        select(
            C.c.platform,
            C.c.platform_post_id,
            func.count().label("readable_comments"),
            raw_text(func.max(C.c.last_seen_at), "comments_read_at"),
        )
        .where(*where)
        .group_by(C.c.platform, C.c.platform_post_id),
        ints=("readable_comments",),
        times=("comments_read_at",),
        strings=("platform", "platform_post_id"),
    )
    if as_of is not None and len(counts):
        cut = pd.Timestamp(as_of).tz_convert("UTC")
        counts["comments_read_at"] = counts["comments_read_at"].where(
            counts["comments_read_at"].isna() | (counts["comments_read_at"] <= cut), cut
        )
    rows = read_frame(
        conn,
        select(
            C.c.platform,
            C.c.platform_post_id,
            C.c.commenter_uid,
            raw_text(C.c.published_at),
            C.c.text_key,
            C.c.text_chars,
        ).where(
            *where,
            C.c.commenter_uid.is_not(None),
            C.c.published_at.is_not(None),
            C.c.text_key.is_not(None),
        ),
        times=("published_at",),
        strings=("platform", "platform_post_id", "commenter_uid"),
        computed=ChunkColumn(
            "fingerprint", ("text_key", "text_chars"), fingerprint, pd.array([], dtype="Int64")
        ),
    )
    copies = largest_copy_groups(rows, window_s)
    out = counts.merge(copies, on=["platform", "platform_post_id"], how="left")
    out["comment_copies"] = out["comment_copies"].fillna(0).astype("int64")
    complete = completely_read(conn, as_of=as_of)
    keys = list(zip(out["platform"], out["platform_post_id"], strict=True))
    out["comments_complete"] = np.array([k in complete for k in keys], dtype=bool)
    return out[EVIDENCE_COLUMNS].reset_index(drop=True)


def completely_read(conn: Connection, *, as_of: datetime | None = None) -> set[tuple[str, str]]:
    """Works whose comments a comment run read to the end (its ``detail.complete``: no gap, no
    page cap), by a run started at or before ``as_of``. Imports and captures never say they
    hold every comment."""
    query = select(RUN.c.platform, RUN.c.detail).where(RUN.c.kind == COMMENT_RUN_KIND)
    if as_of is not None:
        query = query.where(RUN.c.started_at <= as_of)
    out: set[tuple[str, str]] = set()
    for platform, detail in conn.execute(query):
        complete = detail.get("complete") if isinstance(detail, dict) else None
        if platform and isinstance(complete, list):
            out.update((str(platform), str(post_id)) for post_id in complete)
    return out


def largest_copy_groups(rows: pd.DataFrame, window_s: float) -> pd.DataFrame:
    """Per work, the most distinct accounts that wrote one text within ``window_s`` of each other.

    ``rows``: platform, platform_post_id, commenter_uid, published_at (UTC) and ``fingerprint``
    (nullable Int64; NA rows are left out). An account counts once per text (its first time):
    the question is how many accounts, not how many comments. For each comment the accounts
    whose first copy of the same text on the same platform falls within ``window_s`` either
    side are counted (itself included); a work takes the largest count among its comments.
    Returns platform, platform_post_id, comment_copies (only works with a fingerprinted
    comment).
    """
    empty = pd.DataFrame(
        {
            "platform": pd.Series(dtype="object"),
            "platform_post_id": pd.Series(dtype="object"),
            "comment_copies": pd.Series(dtype="int64"),
        }
    )
    if not len(rows):
        return empty
    fp = rows["fingerprint"].astype("Int64")
    t = rows["published_at"]
    keep = (fp.notna() & t.notna()).to_numpy(dtype=bool)
    if not keep.any():
        return empty
    sub = pd.DataFrame(
        {
            "platform": rows["platform"].astype("object").to_numpy()[keep],
            "platform_post_id": rows["platform_post_id"].astype("object").to_numpy()[keep],
            "who": rows["commenter_uid"].astype("object").to_numpy()[keep],
            "fp": fp.to_numpy(dtype="int64", na_value=0)[keep],
            "t": _seconds(t[keep]),
        }
    )
    sub["group"] = sub.groupby(["platform", "fp"], sort=False).ngroup().astype("int64")
    firsts = sub.sort_values(["group", "who", "t"], kind="stable").drop_duplicates(["group", "who"])
    # One sorted int64 key per first copy, (group, seconds), so a window is a searchsorted range.
    window = int(max(window_s, 0))
    t0 = int(sub["t"].min())
    span = int(sub["t"].max()) - t0 + 2 * window + 1
    key = np.sort(firsts["group"].to_numpy() * span + (firsts["t"].to_numpy() - t0))
    probe = sub["group"].to_numpy() * span + (sub["t"].to_numpy() - t0)
    lo = np.searchsorted(key, probe - window, side="left")
    hi = np.searchsorted(key, probe + window, side="right")
    sub["comment_copies"] = (hi - lo).astype("int64")
    best = sub.groupby(["platform", "platform_post_id"], sort=False)["comment_copies"].max()
    return best.reset_index()


def comments_read(conn: Connection, *, as_of: datetime | None = None) -> tuple[int, int]:
    """(comments, works): every stored comment and reply, each once, and the works they are on.

    The data-sources headline (评论 N 条，来自 M 个作品): how much comment reading the
    participation and the risk evidence rest on. ``as_of`` counts what was known by the cut.
    """
    known = _known_by(as_of)
    comments = conn.execute(select(func.count()).select_from(C).where(*known)).scalar()
    works = select(C.c.platform, C.c.platform_post_id).where(*known).distinct().subquery("works")
    n_works = conn.execute(select(func.count()).select_from(works)).scalar()
    return int(comments or 0), int(n_works or 0)
