"""Manual corrections: include a work no rule matched, exclude a false match.

People know things rules do not: a unit's article that forgot the tag, a post that borrowed the
tag for an advert. ``include`` links a work with ``matched_by="manual"``; ``exclude`` marks the
link ``excluded`` (the work stays in the database, visibly marked). Both keep the person's note,
name and time on the ``post_campaign`` row and add an audit row to ``review_event`` (status
``included`` / ``excluded``, the note prefixed with ``[campaign]`` because that table has no
campaign column), so the review queue shows who decided what, when and why, in order.

Exclusions win for good: collection, imports, topic pages and theme sweeps only ever *insert*
links (``ON CONFLICT DO NOTHING``), so they cannot re-add an excluded work; only a person's later
``include`` can. An excluded or included work not yet in the database gets a stub ``post`` row
(platform, id, URL, ``source="submission"``) so the link has something to show and a later
refresh can fill it in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, and_, select

from connectors.catalogue import PLATFORM_NAMES_ZH, PLATFORMS
from connectors.links import parse_work_url
from connectors.workref import WorkRef, WorkUrlError
from tracker.errors import TrackerError
from tracker.membership.rules import matched_by_label
from tracker.store.engine import begin_write
from tracker.store.models import Campaign, Post, PostCampaign, ReviewEvent
from tracker.store.upsert import insert_stub_post

__all__ = [
    "EVENT_STATUSES",
    "OUTCOME_ZH",
    "ManualResult",
    "decision_history",
    "exclude_works",
    "include_works",
    "manual_decisions",
    "resolve_work",
]

POST = Post.__table__
LINK = PostCampaign.__table__
EVENT = ReviewEvent.__table__
CAMPAIGN = Campaign.__table__

EVENT_STATUSES = ("included", "excluded")
OUTCOME_ZH = {
    "added": "已加入",
    "reinstated": "已恢复（撤销排除）",
    "already_member": "已是活动作品，未改动",
    "excluded": "已排除",
    "already_excluded": "早已排除，未改动",
    "invalid": "无法识别",
}
_KEY_FORM = re.compile(r"^\s*([a-z]+)\s*:\s*([\w.-]+)\s*$")
_EVENT_NOTE = re.compile(r"^\[(?P<campaign>[^\]]+)\] ?(?P<note>.*)$", re.DOTALL)


@dataclass(slots=True)
class ManualResult:
    """What happened to one URL of an include/exclude command."""

    text: str
    action: str
    outcome: str
    message: str
    platform: str | None = None
    post_id: str | None = None
    url: str | None = None
    previous: str | None = None
    stub_created: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome != "invalid"

    @property
    def changed(self) -> bool:
        return self.outcome in ("added", "reinstated", "excluded")


def resolve_work(text: str) -> WorkRef:
    """A work's URL (any form the importer accepts) or ``platform:id`` -> the stored key.

    Short links name no work until followed; they are refused with a clear message rather than
    fetched, so a correction never depends on the network.
    """
    m = _KEY_FORM.match(text)
    if m and m.group(1) in PLATFORMS:
        platform, post_id = m.group(1), m.group(2)
        return WorkRef(platform, post_id, "")
    return parse_work_url(text)


def _campaign_id(conn: Connection, campaign: str) -> int:
    cid = conn.execute(select(CAMPAIGN.c.id).where(CAMPAIGN.c.name == campaign)).scalar()
    if cid is None:
        raise TrackerError(f"数据库中没有活动「{campaign}」；请先运行 `tracker init`")
    return int(cid)


def _require(note: str | None, by: str | None) -> tuple[str, str]:
    note, by = (note or "").strip(), (by or "").strip()
    if not by:
        raise TrackerError("请用 --by 写明操作人（人工修改必须可追溯）")
    if not note:
        raise TrackerError("请用 --note 写明理由（人工修改必须可追溯）")
    return note, by


def _ensure_post(conn: Connection, ref: WorkRef, now: datetime) -> bool:
    """Store a stub post for ``ref`` unless stored; True when the stub was created."""
    return insert_stub_post(
        conn,
        platform=ref.platform,
        platform_post_id=ref.post_id,
        account_uid=ref.account_uid,
        url=ref.url or None,
        content_type=ref.content_type,
        source="submission",
        seen_at=now,
        context=dict(ref.context) or None,
    )


def _event(
    conn: Connection, ref: WorkRef, status: str, *, campaign: str, note: str, by: str, now: datetime
) -> None:
    conn.execute(
        EVENT.insert().values(
            platform=ref.platform,
            platform_post_id=ref.post_id,
            status=status,
            reviewer=by,
            note=f"[{campaign}] {note}",
            decided_at=now,
        )
    )


def _resolve_all(texts: Iterable[str], action: str) -> list[tuple[str, WorkRef | ManualResult]]:
    out: list[tuple[str, WorkRef | ManualResult]] = []
    for text in texts:
        try:
            out.append((text, resolve_work(text)))
        except WorkUrlError as exc:
            out.append((text, ManualResult(text, action, "invalid", f"无法识别的作品链接: {exc}")))
    return out


def _decide(
    engine: Engine,
    texts: Iterable[str],
    *,
    action: str,
    campaign: str,
    note: str | None,
    by: str | None,
    now: datetime | None,
) -> list[ManualResult]:
    note, by = _require(note, by)
    when = now or datetime.now(UTC)
    resolved = _resolve_all(texts, action)
    results: list[ManualResult] = []
    with begin_write(engine) as conn:
        cid = _campaign_id(conn, campaign)
        for text, ref in resolved:
            if isinstance(ref, ManualResult):
                results.append(ref)
                continue
            results.append(
                _apply(
                    conn,
                    ref,
                    text,
                    action=action,
                    cid=cid,
                    campaign=campaign,
                    note=note,
                    by=by,
                    now=when,
                )
            )
    return results


def _apply(
    conn: Connection,
    ref: WorkRef,
    text: str,
    *,
    action: str,
    cid: int,
    campaign: str,
    note: str,
    by: str,
    now: datetime,
) -> ManualResult:
    where = and_(
        LINK.c.platform == ref.platform,
        LINK.c.platform_post_id == ref.post_id,
        LINK.c.campaign_id == cid,
    )
    row = conn.execute(select(LINK.c.matched_by, LINK.c.excluded).where(where)).first()
    stub = _ensure_post(conn, ref, now)
    url = (
        ref.url
        or conn.execute(
            select(POST.c.url).where(
                and_(POST.c.platform == ref.platform, POST.c.platform_post_id == ref.post_id)
            )
        ).scalar()
    )
    name = f"{PLATFORM_NAMES_ZH.get(ref.platform, ref.platform)} {ref.post_id}"
    base = {"platform": ref.platform, "post_id": ref.post_id, "url": url, "stub_created": stub}
    previous = row.matched_by if row is not None else None
    decided = {"note": note, "decided_by": by}
    if action == "include":
        if row is None:
            conn.execute(
                LINK.insert().values(
                    platform=ref.platform,
                    platform_post_id=ref.post_id,
                    campaign_id=cid,
                    matched_by="manual",
                    matched_value=by,
                    excluded=False,
                    linked_at=now,
                    **decided,
                )
            )
            outcome, message = "added", f"{name}：已加入活动「{campaign}」"
        elif row.excluded:
            conn.execute(LINK.update().where(where).values(excluded=False, **decided))
            outcome = "reinstated"
            message = (
                f"{name}：已撤销排除，恢复为活动作品（原匹配方式：{matched_by_label(previous)}）"
            )
        else:
            return ManualResult(
                text,
                action,
                "already_member",
                f"{name}：已是活动作品（{matched_by_label(previous)}），未改动",
                previous=previous,
                **base,
            )
        _event(conn, ref, "included", campaign=campaign, note=note, by=by, now=now)
    else:
        if row is None:
            conn.execute(
                LINK.insert().values(
                    platform=ref.platform,
                    platform_post_id=ref.post_id,
                    campaign_id=cid,
                    matched_by="manual",
                    matched_value=by,
                    excluded=True,
                    linked_at=now,
                    **decided,
                )
            )
            message = f"{name}：已预先排除，之后的采集不会把它加入活动「{campaign}」"
        elif not row.excluded:
            conn.execute(LINK.update().where(where).values(excluded=True, **decided))
            message = (
                f"{name}：已从活动「{campaign}」排除（原匹配方式：{matched_by_label(previous)}）"
            )
        else:
            return ManualResult(
                text,
                action,
                "already_excluded",
                f"{name}：早已排除，未改动",
                previous=previous,
                **base,
            )
        outcome = "excluded"
        _event(conn, ref, "excluded", campaign=campaign, note=note, by=by, now=now)
    return ManualResult(text, action, outcome, message, previous=previous, **base)


def include_works(
    engine: Engine,
    texts: Iterable[str],
    *,
    campaign: str,
    note: str | None,
    by: str | None,
    now: datetime | None = None,
) -> list[ManualResult]:
    """Add works to ``campaign`` (lifting an earlier exclusion); one result per URL."""
    return _decide(engine, texts, action="include", campaign=campaign, note=note, by=by, now=now)


def exclude_works(
    engine: Engine,
    texts: Iterable[str],
    *,
    campaign: str,
    note: str | None,
    by: str | None,
    now: datetime | None = None,
) -> list[ManualResult]:
    """Mark works excluded from ``campaign`` for good; one result per URL."""
    return _decide(engine, texts, action="exclude", campaign=campaign, note=note, by=by, now=now)


# --- reading decisions back ---------------------------------------------------------------------


def manual_decisions(conn: Connection, campaign: str | None = None) -> pd.DataFrame:
    """Current links a person decided (manual includes and every exclusion), newest first.

    Columns: campaign, platform, platform_post_id, matched_by, matched_value, excluded, note,
    decided_by, linked_at, url, title, account_uid, state (``excluded`` / ``included``).
    """
    q = (
        select(
            CAMPAIGN.c.name.label("campaign"),
            LINK.c.platform,
            LINK.c.platform_post_id,
            LINK.c.matched_by,
            LINK.c.matched_value,
            LINK.c.excluded,
            LINK.c.note,
            LINK.c.decided_by,
            LINK.c.linked_at,
            POST.c.url,
            POST.c.title,
            POST.c.account_uid,
        )
        .join(CAMPAIGN, CAMPAIGN.c.id == LINK.c.campaign_id)
        .outerjoin(
            POST,
            and_(
                POST.c.platform == LINK.c.platform,
                POST.c.platform_post_id == LINK.c.platform_post_id,
            ),
        )
        .where(
            (LINK.c.matched_by == "manual")
            | LINK.c.excluded.is_(True)
            | LINK.c.decided_by.is_not(None)
        )
        .order_by(LINK.c.linked_at.desc(), LINK.c.platform, LINK.c.platform_post_id)
    )
    if campaign is not None:
        q = q.where(CAMPAIGN.c.name == campaign)
    rows = [dict(r._mapping) for r in conn.execute(q)]
    columns = [*(c.name for c in q.selected_columns), "state"]
    frame = pd.DataFrame(rows, columns=columns[:-1])
    frame["excluded"] = frame["excluded"].astype("bool")
    frame["state"] = frame["excluded"].map({True: "excluded", False: "included"}).astype("object")
    return frame[columns]


def decision_history(
    conn: Connection,
    *,
    campaign: str | None = None,
    keys: Iterable[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Every include/exclude ever recorded, oldest first (the audit trail, never rewritten).

    Columns: decided_at, platform, platform_post_id, campaign, status, reviewer, note.
    """
    q = (
        select(
            EVENT.c.decided_at,
            EVENT.c.platform,
            EVENT.c.platform_post_id,
            EVENT.c.status,
            EVENT.c.reviewer,
            EVENT.c.note,
        )
        .where(EVENT.c.status.in_(EVENT_STATUSES))
        .order_by(EVENT.c.decided_at, EVENT.c.id)
    )
    wanted = set(keys) if keys is not None else None
    rows = []
    for r in conn.execute(q):
        if wanted is not None and (r.platform, r.platform_post_id) not in wanted:
            continue
        m = _EVENT_NOTE.match(r.note or "")
        name, note = (m.group("campaign"), m.group("note")) if m else (None, r.note)
        if campaign is not None and name != campaign:
            continue
        rows.append(
            {
                "decided_at": r.decided_at,
                "platform": r.platform,
                "platform_post_id": r.platform_post_id,
                "campaign": name,
                "status": r.status,
                "reviewer": r.reviewer,
                "note": note,
            }
        )
    columns = [
        "decided_at",
        "platform",
        "platform_post_id",
        "campaign",
        "status",
        "reviewer",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)
