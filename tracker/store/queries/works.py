"""What a list of works shows beside its scores, and where its data came from.

``data_sources`` is printed on every export's 说明 sheet; the excerpts stand in for the title
of works that have none (Weibo, Kuaishou...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, case, exists, func, or_, select

from tracker.store.models import Post, PostCampaign, Run

__all__ = ["campaign_excerpts", "data_sources", "work_excerpts"]

RUN = Run.__table__
POST = Post.__table__
LINK = PostCampaign.__table__
EXCERPT_CHARS = 80


def data_sources(conn: Connection, as_of: datetime | None = None) -> pd.DataFrame:
    """Per platform and run kind: how many runs, when first started and last finished (ok runs).

    Printed on every export's 说明 sheet, because "as of when?" is the first question a reader
    of a ranking asks. ``as_of`` (the deadline cut) counts only runs started by then and not
    finished after it, so a list cut at 9-27 does not name a run of 10-05.
    """
    ok = RUN.c.status == "ok"
    where = []
    if as_of is not None:
        where = [
            RUN.c.started_at <= as_of,
            or_(RUN.c.finished_at.is_(None), RUN.c.finished_at <= as_of),
        ]
    stmt = (
        select(
            RUN.c.platform,
            RUN.c.kind,
            func.count().label("runs"),
            func.sum(case((ok, 1), else_=0)).label("ok_runs"),
            func.min(RUN.c.started_at).label("first_started"),
            func.max(RUN.c.finished_at).filter(ok).label("last_ok_finished"),
            func.sum(RUN.c.new).label("new"),
        )
        .where(*where)
        .group_by(RUN.c.platform, RUN.c.kind)
        .order_by(RUN.c.platform, RUN.c.kind)
    )
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    cols = ["platform", "kind", "runs", "ok_runs", "first_started", "last_ok_finished", "new"]
    return pd.DataFrame(rows, columns=cols)


def _excerpts(conn: Connection, *where: Any) -> pd.DataFrame:
    stmt = select(
        POST.c.platform,
        POST.c.platform_post_id,
        func.substr(POST.c.text, 1, EXCERPT_CHARS).label("excerpt"),
    ).where(or_(POST.c.title.is_(None), POST.c.title == ""), POST.c.text.is_not(None), *where)
    rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["platform", "platform_post_id", "excerpt"])


def campaign_excerpts(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """The opening of the text of campaign works without a title (Weibo, Kuaishou...), so a
    list shows what the work says rather than an empty cell."""
    in_campaign = exists().where(
        LINK.c.platform == POST.c.platform,
        LINK.c.platform_post_id == POST.c.platform_post_id,
        LINK.c.campaign_id == campaign_id,
        LINK.c.excluded.is_(False),
    )
    return _excerpts(conn, in_campaign)


def work_excerpts(conn: Connection, works: pd.DataFrame) -> pd.DataFrame:
    """The opening of the text of those of ``works`` (platform, platform_post_id) without a
    title, looked up per platform in batches of 500 ids (the rows a table shows)."""
    parts = [pd.DataFrame(columns=["platform", "platform_post_id", "excerpt"])]
    for platform, ids in works.groupby(works["platform"].astype("str"))["platform_post_id"]:
        unique = list(dict.fromkeys(ids.astype("str")))
        for lo in range(0, len(unique), 500):
            parts.append(
                _excerpts(
                    conn,
                    POST.c.platform == platform,
                    POST.c.platform_post_id.in_(unique[lo : lo + 500]),
                )
            )
    return pd.concat(parts, ignore_index=True)
