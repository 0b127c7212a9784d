"""Ground truth: every post of a world as it stands at one virtual instant.

Tests and benchmarks compare what the tracker collected with this, so the numbers are the
world's own (the same functions the server uses), not a re-derivation. One dict per post
published at or before ``at``, per platform in index (= publication) order:

``platform, post_id, url, account, account_name, followers, unit, tags, matches_campaign,
deleted, published_at, content_type, title, long_text, repost_of, cross_id, question_id,
roundtable, metrics, anomaly, quality``

``roundtable`` is the Zhihu roundtable id for answers posted in the campaign's roundtable (a
campaign work on Zhihu even without the tag); ``question_id`` is set on Zhihu answers.

``matches_campaign`` is an exact campaign tag-key match on a post that is not deleted at ``at``
(near-miss tags such as ``#千万IP创科普大赛#`` do not match). ``metrics`` hold ``None`` where the
platform does not expose a metric; a deleted post keeps the counts it had when deleted.
``quality`` is the hidden quality in [0, 1] that drove its engagement.

Comments: :func:`comment_truth` gives one visible work's readable comments and replies at an
instant with its claimed comment count; :func:`iter_comment_truth` every visible work's
(see :mod:`tracker.sim.comments` for why readable is below claimed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.safe_files import atomic_text_output
from tracker.sim.clock import parse_instant
from tracker.sim.comments import COMMENT_PLATFORMS
from tracker.sim.engagement import metrics_at
from tracker.sim.model import SimComment, SimComments
from tracker.sim.platform_list import sim_platforms
from tracker.sim.world import DEFAULT_NOW, PlatformWorld, PostSeed, World


def truth_record(pw: PlatformWorld, seed: PostSeed, t: int) -> dict[str, Any]:
    deleted = seed.deleted_at is not None and t >= seed.deleted_at
    at = min(t, seed.deleted_at) if deleted and seed.deleted_at is not None else t
    m = metrics_at(seed.curve, at)
    account = pw.account(seed.account_index)
    repost_of = None
    if seed.repost_index is not None:
        repost_of = pw.post_seed(seed.repost_index).post_id
    return {
        "platform": seed.platform,
        "post_id": seed.post_id,
        "url": pw.world.post_url(seed),
        "account": account.uid,
        "account_name": account.name,
        "followers": account.followers,
        "unit": account.unit,
        "tags": list(seed.hashtags),
        "matches_campaign": seed.matches_key and not deleted,
        "deleted": deleted,
        "published_at": seed.published_at.isoformat(),
        "content_type": seed.content_type,
        "title": seed.title,
        "long_text": seed.long_text,
        "repost_of": repost_of,
        "cross_id": seed.cross_id,
        "question_id": seed.extra.get("question_id"),
        "roundtable": seed.extra.get("roundtable"),
        "metrics": {
            "views": m.views,
            "likes": m.likes,
            "comments": m.comments,
            "shares": m.shares,
            "favorites": m.favorites,
        },
        "anomaly": seed.anomaly,
        "quality": seed.quality,
    }


def iter_world_truth(
    world: World, at: datetime | str | None = None, *, platforms: Iterable[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Truth records of ``world`` at ``at`` (default: the simulator's default virtual time)."""
    instant = parse_instant(at if at is not None else DEFAULT_NOW)
    t = int(instant.timestamp())
    for platform in platforms or sim_platforms():
        pw = world.platform(platform)
        end = pw.layout.index_gt(t)
        for i in range(end):
            # _make_post, not the cached post_seed: a full pass would only churn the cache.
            yield truth_record(pw, pw._make_post(i), t)


def iter_truth(
    seed: int,
    scale: int,
    at: datetime | str | None = None,
    *,
    platforms: Iterable[str] | None = None,
    profile: str = "full",
) -> Iterator[dict[str, Any]]:
    """Truth records of the world ``(seed, scale, profile)`` at ``at`` (see the module doc)."""
    world = World(seed=seed, scale=scale, profile=profile)
    return iter_world_truth(world, at, platforms=platforms)


def write_truth_jsonl(
    path: str | Path,
    seed: int,
    scale: int,
    at: datetime | str | None = None,
    *,
    platforms: Iterable[str] | None = None,
    profile: str = "full",
) -> int:
    """Write the truth as JSON Lines (UTF-8, Chinese kept readable); returns the record count."""
    count = 0
    with atomic_text_output(path) as fh:  # checked like every output (tracker.safe_files)
        for record in iter_truth(seed, scale, at, platforms=platforms, profile=profile):
            fh.write(json.dumps(record, ensure_ascii=False))
            fh.write("\n")
            count += 1
    return count


# --- comments -------------------------------------------------------------------------------------


def comment_record(comment: SimComment) -> dict[str, Any]:
    """One readable comment or reply as the truth states it (ids are strings, times ISO).

    ``root_id``/``parent_id`` are ``None`` on a top-level comment; ``reply_to_uid`` is the
    answered comment's author. ``commenter_uid`` is the platform's account id (Zhihu url_token,
    Douyin uid); ``commenter_sec_uid`` the second id (Douyin ``sec_uid``, Zhihu member hash).
    ``commenter_unit`` names the unit of a registry-linked commenter.
    """
    return {
        "platform": comment.platform,
        "comment_id": comment.comment_id,
        "post_id": comment.post_id,
        "root_id": comment.root_id,
        "parent_id": comment.parent_id,
        "commenter_uid": comment.author.uid,
        "commenter_sec_uid": comment.author.sec_uid,
        "commenter_name": comment.author.name,
        "commenter_unit": comment.author.unit,
        "reply_to_uid": comment.reply_to.uid if comment.reply_to is not None else None,
        "text": comment.text,
        "tags": list(comment.tags),
        "published_at": comment.published_at.isoformat(),
        "likes": comment.likes,
        "reply_count": comment.reply_count,
        "lockstep": comment.lockstep,
    }


def _work_record(view: SimComments) -> dict[str, Any]:
    return {
        "platform": view.post.platform,
        "post_id": view.post.post_id,
        "claimed": view.claimed,
        "readable": len(view.comments),
        "anomaly": view.post.anomaly,
        "comments": [comment_record(c) for c in view.comments],
    }


def comment_truth(
    world: World, platform: str, post_id: str, at: datetime | str | None = None
) -> dict[str, Any] | None:
    """A work's comments at ``at``: ``{platform, post_id, claimed, readable, anomaly,
    comments}`` with ``comments`` chronological; ``None`` if the work is not visible then."""
    instant = parse_instant(at if at is not None else DEFAULT_NOW)
    view = world.comments.for_post(platform, post_id, instant)
    return None if view is None else _work_record(view)


def iter_comment_truth(
    world: World, at: datetime | str | None = None, *, platforms: Iterable[str] | None = None
) -> Iterator[dict[str, Any]]:
    """:func:`comment_truth` of every visible work (generates every work: small worlds only)."""
    instant = parse_instant(at if at is not None else DEFAULT_NOW)
    for platform in platforms or COMMENT_PLATFORMS:
        for view in world.comments.iter_works(platform, instant):
            yield _work_record(view)
