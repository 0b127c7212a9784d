"""The notice's three forms of participation, per account, per unit and per city.

The notice counts three ways of taking part: publishing works (发布内容), asking or answering
science questions (互动问答) and interacting with quality works (作品互动: comments, reposts,
likes). A unit that mobilised people to answer in the Zhihu roundtable or to repost the campaign's
works took part as much as one whose staff published videos, so mobilisation is counted per form:

- ``works_published``: campaign works that are neither answers, questions nor reposts;
- ``questions_asked`` / ``answers_given`` (``qa_posts`` = both): campaign works whose
  ``content_type`` is ``question`` / ``answer`` (Zhihu; answers in the roundtable included);
- ``reposts``: stored posts whose original (``post.repost_of``, same platform) is a campaign
  work, and tagged reposts that are campaign works themselves (the notice admits "转发…时添加话题"),
  each repost once; ``comments``: stored comments (the ``comment`` table: live comment pages,
  captures, MediaCrawler comment tables) on campaign works whose commenter is known by id, each
  comment once, replies included, and on Weibo also comments that carry the campaign tag on any
  work (the notice admits "评论时带话题"; :data:`TAGGED_COMMENT_PLATFORMS`);
  ``interactions`` = reposts + comments. Likes name no liker on any platform, so they cannot be
  attributed and are not counted.

Excluded and deleted works count for nothing, and a repost of or a comment on an excluded or
deleted work is no interaction, tagged or not. A comment on a work that is not stored counts only
when it is a tagged Weibo comment. With ``as_of``, comments published or first seen after the cut
are left out (as posts are); with ``window``, comments published outside it.
An account registered under several units counts for each (as in the unit ranking); a city
counts an account once even when two of its units list it. Every registry unit and city is
listed, with zeros where nobody took part.

The functions below are pure (DataFrames in, DataFrames out); :func:`load_inputs` is the one
store query, :func:`participation_frames` both together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from tracker.membership.counted import CountedWorks
from tracker.normalize.tags import CampaignMatcher
from tracker.store.queries import Connection
from tracker.store.queries.comments import participation_comments
from tracker.store.queries.participation import participation_rows

__all__ = [
    "COUNT_COLUMNS",
    "FORM_COLUMNS",
    "PARTICIPATION_COLUMNS_ZH",
    "ParticipationFrames",
    "ParticipationInputs",
    "TAGGED_COMMENT_PLATFORMS",
    "account_participation",
    "tagged_comments",
    "city_participation",
    "load_inputs",
    "participation_frames",
    "unit_participation",
]

FORM_COLUMNS = ("works_published", "qa_posts", "interactions")
"""The notice's three forms, one column each (the summary export's three columns)."""
COUNT_COLUMNS = (
    "works_published",
    "questions_asked",
    "answers_given",
    "qa_posts",
    "reposts",
    "comments",
    "interactions",
)
PARTICIPATION_COLUMNS_ZH = {
    "works_published": "发布内容",
    "qa_posts": "互动问答",
    "interactions": "作品互动",
    "questions_asked": "提问",
    "answers_given": "回答",
    "reposts": "转发活动作品",
    "comments": "评论活动作品",
    "participating_accounts": "参与账号数",
    "participating_units": "参与单位数",
    "units": "单位数",
}
NO_CITY = "（未填写城市）"
TAGGED_COMMENT_PLATFORMS = ("weibo",)
"""Platforms where a comment carrying the campaign tag takes part wherever it was written
(the notice: 评论时带话题, a Weibo practice); elsewhere only comments on campaign works count."""
_QA_TYPES = ("question", "answer")
_KEY = ["platform", "platform_post_id"]
_ACCOUNT = ["platform", "account_uid"]


def _keys(
    frame: pd.DataFrame, platform: str = "platform", pid: str = "platform_post_id"
) -> pd.Index:
    if frame is None or not len(frame):
        return pd.Index([], dtype="object")
    return pd.Index(frame[platform].astype("str") + "\x1f" + frame[pid].astype("str"))


def _empty_accounts() -> pd.DataFrame:
    out = pd.DataFrame(
        {"platform": pd.Series(dtype="object"), "account_uid": pd.Series(dtype="object")}
    )
    for c in COUNT_COLUMNS:
        out[c] = pd.Series(dtype="int64")
    return out


def account_participation(
    works: pd.DataFrame,
    reposts: pd.DataFrame | None = None,
    comments: pd.DataFrame | None = None,
    excluded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per account that took part in any form (see the module doc for each column).

    ``works``: the campaign's works, already without excluded and deleted ones (platform,
    platform_post_id, account_uid, content_type, repost_of). ``reposts``: stored posts with a
    ``repost_of`` (platform, platform_post_id, account_uid, repost_of), deleted ones left out.
    ``comments``: platform, platform_post_id (the work commented on), commenter_uid and
    optionally comment_id (a comment given twice counts once), ``tagged`` (the comment carries
    the campaign tag on a :data:`TAGGED_COMMENT_PLATFORMS` platform: it counts even on a work
    that is not a campaign work) and ``work_deleted`` (the work is stored as deleted: the comment
    counts for nothing). ``excluded``: platform, platform_post_id of works excluded from the
    campaign (their reposts and comments are not counted; neither are they as reposts).
    """
    if works is None or not len(works):
        works = pd.DataFrame(columns=[*_KEY, "account_uid", "content_type", "repost_of"])
    campaign = _keys(works)
    banned = _keys(excluded) if excluded is not None else pd.Index([], dtype="object")
    ctype = works["content_type"].astype("object").where(works["content_type"].notna(), None)
    is_repost = (ctype == "repost") | works["repost_of"].notna()
    is_question = ctype == "question"
    is_answer = ctype == "answer"
    parts = [
        pd.DataFrame(
            {
                "platform": works["platform"].astype("object"),
                "account_uid": works["account_uid"].astype("object"),
                "works_published": (~(is_repost | is_question | is_answer)).astype("int64"),
                "questions_asked": is_question.astype("int64"),
                "answers_given": is_answer.astype("int64"),
            }
        )
    ]
    # Reposts: of a campaign work, or a campaign work that is itself a repost; each once.
    rep_frames = []
    if reposts is not None and len(reposts):
        originals = _keys(reposts, "platform", "repost_of")
        own = _keys(reposts)
        hit = originals.isin(campaign) & ~originals.isin(banned) & ~own.isin(banned)
        rep_frames.append(reposts.loc[np.asarray(hit), [*_KEY, "account_uid"]])
    if len(works):
        rep_frames.append(works.loc[is_repost.to_numpy(), [*_KEY, "account_uid"]])
    if rep_frames:
        rep = pd.concat(rep_frames, ignore_index=True).drop_duplicates(_KEY)
        parts.append(
            pd.DataFrame(
                {
                    "platform": rep["platform"].astype("object"),
                    "account_uid": rep["account_uid"].astype("object"),
                    "reposts": np.ones(len(rep), dtype="int64"),
                }
            )
        )
    if comments is not None and len(comments):
        on = _keys(comments)
        hit = np.asarray(on.isin(campaign))
        if "tagged" in comments.columns:
            hit = hit | _flag(comments["tagged"])
        hit = hit & ~np.asarray(on.isin(banned))
        if "work_deleted" in comments.columns:
            hit = hit & ~_flag(comments["work_deleted"])
        com = comments.loc[hit]
        if "comment_id" in com.columns:
            com = com.drop_duplicates(["platform", "comment_id"])
        parts.append(
            pd.DataFrame(
                {
                    "platform": com["platform"].astype("object"),
                    "account_uid": com["commenter_uid"].astype("object"),
                    "comments": np.ones(len(com), dtype="int64"),
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    long = long[long["account_uid"].notna()]
    if not len(long):
        return _empty_accounts()
    for c in ("works_published", "questions_asked", "answers_given", "reposts", "comments"):
        if c not in long.columns:
            long[c] = 0
        long[c] = long[c].fillna(0).astype("int64")
    out = long.groupby(_ACCOUNT, sort=True, as_index=False)[
        ["works_published", "questions_asked", "answers_given", "reposts", "comments"]
    ].sum()
    out["qa_posts"] = out["questions_asked"] + out["answers_given"]
    out["interactions"] = out["reposts"] + out["comments"]
    out = out[[*_ACCOUNT, *COUNT_COLUMNS]]
    return out[out[list(COUNT_COLUMNS)].sum(axis=1) > 0].reset_index(drop=True)


def _flag(values: pd.Series) -> np.ndarray:
    """A boolean column as a numpy mask, a missing value read as False."""
    return np.asarray(values.astype("object").where(values.notna(), False).astype(bool))


def tagged_comments(comments: pd.DataFrame, spellings: list[str]) -> pd.Series:
    """Which comments carry one of the campaign's tag ``spellings`` (in their stored tags or as
    a ``#tag#`` in their text), on a :data:`TAGGED_COMMENT_PLATFORMS` platform only.

    The same matcher as works (``tracker.normalize.tags.CampaignMatcher``), so a comment's tag
    is recognised in every spelling a work's would be.
    """
    flags = np.zeros(len(comments), dtype=bool)
    keys = [s for s in spellings if s and s.strip("#＃ ")]
    if keys and len(comments):
        matcher = CampaignMatcher({"campaign": keys})
        # by position, set once: setting a Series cell by cell costs more than the matching
        eligible = comments["platform"].isin(TAGGED_COMMENT_PLATFORMS).to_numpy(dtype=bool)
        tags_of = comments["hashtags"].to_numpy(dtype=object)[eligible]
        texts = comments["text"].to_numpy(dtype=object)[eligible]
        flags[eligible] = [
            _comment_tagged(matcher, t, x) for t, x in zip(tags_of, texts, strict=True)
        ]
    return pd.Series(flags, index=comments.index, dtype="bool")


def _comment_tagged(matcher: CampaignMatcher, tags: object, text: object) -> bool:
    """One comment's stored tags (string items of a list) or text carry the campaign tag."""
    tag_list = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    return bool(matcher.match(tag_list, text if isinstance(text, str) else None))


def _with_units(accounts: pd.DataFrame, account_units: pd.DataFrame | None) -> pd.DataFrame:
    """Account rows repeated for each unit that lists the account (registry join)."""
    if account_units is None or not len(account_units) or not len(accounts):
        return pd.DataFrame(columns=[*_ACCOUNT, *COUNT_COLUMNS, "unit_id"])
    au = account_units[["platform", "platform_uid", "unit_id"]].drop_duplicates()
    au = au.rename(columns={"platform_uid": "account_uid"})
    au = au.astype({"platform": "object", "account_uid": "object"})
    acc = accounts.astype({"platform": "object", "account_uid": "object"})
    return acc.merge(au, on=_ACCOUNT, how="inner")


def _zero_fill(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    for c in columns:
        frame[c] = frame[c].fillna(0).astype("int64") if c in frame.columns else 0
    return frame


def unit_participation(
    accounts: pd.DataFrame,
    account_units: pd.DataFrame | None,
    units: pd.DataFrame | None,
    *,
    joined: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per unit: participating accounts and each form's count (all registry units).

    ``accounts`` is :func:`account_participation`'s frame; ``account_units`` has platform,
    platform_uid, unit_id; ``units`` unit_id, unit_name, unit_kind, city. Sorted by the three
    forms (descending), then unit id. ``joined``: the registry join when already made (the
    city view needs the same one, and the join is most of either's cost on a small campaign).
    """
    if joined is None:
        joined = _with_units(accounts, account_units)
    if len(joined):
        g = joined.groupby("unit_id", sort=False)
        scores = g[list(COUNT_COLUMNS)].sum()
        scores["participating_accounts"] = g.size()
        scores = scores.reset_index()
    else:
        scores = pd.DataFrame(columns=["unit_id", *COUNT_COLUMNS, "participating_accounts"])
    base_cols = ["unit_id", "unit_name", "unit_kind", "city"]
    if units is not None and len(units):
        base = units[[c for c in base_cols if c in units.columns]].drop_duplicates("unit_id")
        out = base.merge(scores, on="unit_id", how="left")
    else:
        out = scores
    for c in base_cols:
        if c not in out.columns:
            out[c] = None
    out = _zero_fill(out, ["participating_accounts", *COUNT_COLUMNS])
    out = out[[*base_cols, "participating_accounts", *COUNT_COLUMNS]]
    return out.sort_values(
        [*FORM_COLUMNS, "unit_id"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)


def city_participation(
    accounts: pd.DataFrame,
    account_units: pd.DataFrame | None,
    units: pd.DataFrame | None,
    *,
    joined: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per city of the registry: units, participating units and accounts, each form.

    An account two units of one city list is counted once for that city; units without a city
    are gathered under ``（未填写城市）``. ``joined``: as for :func:`unit_participation`.
    """
    if joined is None:
        joined = _with_units(accounts, account_units)
    unit_city = pd.DataFrame(columns=["unit_id", "city"])
    if units is not None and len(units):
        unit_city = units[["unit_id", "city"]].drop_duplicates("unit_id").copy()
        unit_city["city"] = (
            unit_city["city"].astype("object").where(unit_city["city"].notna(), NO_CITY)
        )
    if len(joined):
        joined = joined.merge(unit_city, on="unit_id", how="left")
        joined["city"] = joined["city"].astype("object").where(joined["city"].notna(), NO_CITY)
        per_account = joined.drop_duplicates([*_ACCOUNT, "city"])
        g = per_account.groupby("city", sort=False)
        scores = g[list(COUNT_COLUMNS)].sum()
        scores["participating_accounts"] = g.size()
        scores["participating_units"] = joined.groupby("city", sort=False)["unit_id"].nunique()
        scores = scores.reset_index()
    else:
        scores = pd.DataFrame(
            columns=["city", *COUNT_COLUMNS, "participating_accounts", "participating_units"]
        )
    if len(unit_city):
        base = unit_city.groupby("city", sort=True).size().rename("units").reset_index()
        out = base.merge(scores, on="city", how="outer")
    else:
        out = scores
        out["units"] = 0
    out = _zero_fill(
        out, ["units", "participating_units", "participating_accounts", *COUNT_COLUMNS]
    )
    out = out[["city", "units", "participating_units", "participating_accounts", *COUNT_COLUMNS]]
    return out.sort_values(
        [*FORM_COLUMNS, "city"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)


# --- the store ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ParticipationInputs:
    works: pd.DataFrame
    reposts: pd.DataFrame
    excluded: pd.DataFrame
    account_units: pd.DataFrame
    units: pd.DataFrame
    comments: pd.DataFrame | None = None


@dataclass(slots=True)
class ParticipationFrames:
    accounts: pd.DataFrame
    units: pd.DataFrame
    cities: pd.DataFrame


def load_inputs(
    conn: Connection,
    campaign: str | int,
    *,
    window: tuple[datetime, datetime] | None = None,
    as_of: datetime | None = None,
    counted: CountedWorks | None = None,
) -> ParticipationInputs:
    """The store's rows behind :func:`participation_frames` for one campaign (name or id).

    ``window`` (UTC instants, e.g. ``CampaignConfig.window_utc()``) keeps only works, reposts
    and comments published inside it; by default every linked work counts, as in the ranking.
    ``as_of``: the deadline cut (posts and comments published or first seen after it are left
    out). The comments come with their ``tagged`` and ``work_deleted`` flags. ``counted``:
    the counted works taken from the ranking's frames (``tracker.membership.counted``), which
    are uncut, so only without ``window`` and ``as_of``.
    """
    if counted is not None and (window is not None or as_of is not None):
        raise ValueError("counted works are uncut: not with a window or an as-of cut")
    rows = participation_rows(
        conn,
        campaign,
        window=window,
        as_of=as_of,
        works=counted.works if counted is not None else None,
    )
    found = participation_comments(
        conn,
        campaign,
        tagged_platforms=TAGGED_COMMENT_PLATFORMS,
        window=window,
        as_of=as_of,
    )
    comments = found.comments
    comments["tagged"] = tagged_comments(comments, found.tags)
    return ParticipationInputs(
        rows.works,
        rows.reposts,
        rows.excluded,
        rows.account_units,
        rows.units,
        comments[["platform", "platform_post_id", "commenter_uid", "comment_id"]].assign(
            tagged=comments["tagged"], work_deleted=comments["work_deleted"]
        ),
    )


def participation_frames(
    conn: Connection,
    campaign: str | int,
    comments: pd.DataFrame | None = None,
    *,
    window: tuple[datetime, datetime] | None = None,
    as_of: datetime | None = None,
    counted: CountedWorks | None = None,
) -> ParticipationFrames:
    """Per-account, per-unit and per-city participation of one campaign, from the store
    (``as_of``: as it stood at that instant; ``counted``: see :func:`load_inputs`)."""
    inputs = load_inputs(conn, campaign, window=window, as_of=as_of, counted=counted)
    accounts = account_participation(
        inputs.works,
        inputs.reposts,
        comments if comments is not None else inputs.comments,
        inputs.excluded,
    )
    joined = _with_units(accounts, inputs.account_units)
    return ParticipationFrames(
        accounts=accounts,
        units=unit_participation(accounts, inputs.account_units, inputs.units, joined=joined),
        cities=city_participation(accounts, inputs.account_units, inputs.units, joined=joined),
    )
