"""Kuaishou (快手) in its real response shapes: signed REST search, GraphQL search/profile/detail.

No attributable real Kuaishou body is public, so the shapes here are built strictly from the
field paths public crawler code reads (``feeds[]{type, author{id, name, headerUrl},
photo{id, caption, originCaption, timestamp ms, duration ms, realLikeCount, likeCount,
viewCount, commentCount}, tags[]}``, ``pcursor``/``"no_more"``, ``result`` codes,
``visionProfile.userProfile.ownerCount.fan``), the same paths ``connectors.kuaishou.parse``
reads. Counts follow the platform's habits: ``realLikeCount`` exact with ``likeCount`` as a
display string (``"1.2w"``), ``viewCount`` a digit string, follower counts abbreviated
(``"169.8w"``); times in epoch milliseconds.

Signals: ``result 2`` throttles, ``result 50`` rejects an unsigned (or wrongly signed) REST
request, ``result 109`` asks for a login, ``result 2001`` is the captcha block (all HTTP 200).
The GraphQL path carries no signature, as on the real site before the REST move.

Comments are GraphQL operations: ``commentListQuery`` (variables ``photoId``, ``pcursor``) pages
a work's top-level comments, hot first, 20 a page, in ``visionCommentList{commentCount, pcursor,
rootComments[]}``; each carries its first two replies in ``subComments`` and
``subCommentsPcursor`` (``"no_more"`` when those are all). ``visionSubCommentList`` (variables
``photoId``, ``rootCommentId``, ``pcursor``) pages a thread's replies, oldest first, 10 a page.
``pcursor`` is ``""`` for the first page and ``"no_more"`` after the last. A reply names the
user it answers (``replyTo``, ``replyToUserName``), never the comment; the reply list names
neither the thread nor the work (they are request variables). A query that asks for
``rootCommentsV2`` (the site's own does) also gets ``commentCountV2``, ``pcursorV2`` and
``rootCommentsV2`` (no reply count, ``hasSubComments`` instead) for the same page.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from tracker.signing.dev import verify
from tracker.sim.model import (
    Route,
    SimAccount,
    SimComment,
    SimComments,
    SimContext,
    SimPost,
    SimRequest,
    SimResponse,
)

__all__ = ["SIM", "KuaishouSim", "display_count"]

PLATFORM = "kuaishou"
PAGE_SIZE = 20
NO_MORE = "no_more"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CAPTION_LIMIT = 60
COMMENT_PAGE = 20
REPLY_PAGE = 10
INLINE_REPLIES = 2


def _ms(dt: datetime) -> int:
    return (dt - _EPOCH) // timedelta(milliseconds=1)


def display_count(n: int) -> str:
    """Kuaishou's display form: exact below 10 000, else tenths of 万 written ``w`` (truncated)."""
    if n < 10_000:
        return str(n)
    tenths = (Decimal(n) / Decimal(10_000)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    text = f"{tenths:f}"
    return (text[:-2] if text.endswith(".0") else text) + "w"


def _session_id(keyword: str) -> str:
    return "MTRf" + format(abs(hash_text(keyword)) % 10**16, "016d")


def hash_text(text: str) -> int:
    """A process-stable small hash (Python's ``hash`` is salted per process)."""
    value = 0
    for byte in text.encode("utf-8"):
        value = (value * 131 + byte) % (1 << 61)
    return value


def _json(req: SimRequest) -> dict[str, Any] | None:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _page_number(pcursor: Any) -> int | None:
    """``pcursor`` is the page number as a string; empty means the first page."""
    if pcursor in (None, ""):
        return 1
    text = str(pcursor)
    if text == NO_MORE:
        return None
    return max(1, int(text)) if text.isdigit() else 1


def _comment_offset(pcursor: Any) -> int | None:
    """``pcursor`` of the comment lists: ``""`` first, an offset, ``"no_more"`` past the end."""
    text = "" if pcursor is None else str(pcursor)
    if text == NO_MORE:
        return None
    return int(text) if text.isdigit() else 0


class KuaishouSim:
    """``PlatformSim`` for Kuaishou; ``abbreviate_followers`` renders ``fan`` as ``"169.8w"``."""

    platform = PLATFORM

    def __init__(self, *, abbreviate_followers: bool = True) -> None:
        self.abbreviate_followers = abbreviate_followers

    # --- routes ---------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("POST", re.compile(r"^/?rest/v/search/feed/?$"), self.search_feed),
            Route("POST", re.compile(r"^/?graphql/?$"), self.graphql),
        ]

    # --- failure signals ------------------------------------------------------------------

    def throttle_response(self) -> SimResponse:
        return SimResponse(200, {"result": 2, "error_msg": "请求太频繁，请稍后再试"})

    def login_wall_response(self) -> SimResponse:
        return SimResponse(200, {"result": 109, "error_msg": "请登录后重试"})

    def block_response(self) -> SimResponse:
        captcha = {
            "type": 1,
            "url": "https://captcha.zt.kuaishou.com/rest/zt/captcha/sliding/config",
            "captchaSession": "Cgp6dC5jYXB0Y2hhEsim",
            "bizName": "DEFAULT",
        }
        return SimResponse(
            200,
            {
                "result": 2001,
                "error_msg": "[2001] antispam need captcha",
                "request_id": "718853582640944593",
                "captchaConfig": json.dumps(captcha, separators=(",", ":")),
            },
        )

    def signature_rejected_response(self) -> SimResponse:
        return SimResponse(200, {"result": 50, "error_msg": "签名校验失败"})

    # --- rendering ------------------------------------------------------------------------

    def author(self, account: SimAccount) -> dict[str, Any]:
        return {
            "id": account.uid,
            "name": account.name,
            "following": False,
            "headerUrl": account.avatar or f"https://p2.a.yximgs.com/uhead/AB/{account.uid}.jpg",
            "__typename": "User",
        }

    def photo(self, post: SimPost) -> dict[str, Any]:
        text = post.text
        caption = text if len(text) <= _CAPTION_LIMIT else text[:_CAPTION_LIMIT] + "..."
        photo: dict[str, Any] = {
            "id": post.post_id,
            "caption": caption,
            "originCaption": text,
            "coverUrl": f"https://p2.a.yximgs.com/upic/{post.post_id}.jpg",
            "photoUrl": f"https://v2.kwaicdn.com/upic/{post.post_id}.mp4",
            "liked": False,
            "timestamp": _ms(post.published_at),
            "expTag": f"1_a/{hash_text(post.post_id) % 10**18}_xpcwebsearchxxnull0",
            "videoRatio": 0.5625,
            "__typename": "PhotoEntity",
        }
        if post.duration_s is not None:
            photo["duration"] = post.duration_s * 1000
        metrics = post.metrics
        if metrics.likes is not None:
            photo["realLikeCount"] = metrics.likes
            photo["likeCount"] = display_count(metrics.likes)
        if metrics.views is not None:
            photo["viewCount"] = str(metrics.views)
        if metrics.comments is not None:
            photo["commentCount"] = metrics.comments
        return photo

    def feed(self, post: SimPost) -> dict[str, Any]:
        return {
            "type": 1,
            "author": self.author(post.account),
            "photo": self.photo(post),
            "tags": [{"type": 1, "name": tag, "__typename": "Tag"} for tag in post.hashtags],
            "canAddComment": 1,
            "llsid": str(hash_text(post.post_id) % 10**19),
            "status": 1,
            "currentPcursor": "",
            "__typename": "Feed",
        }

    def search_block(self, ctx: SimContext, keyword: str, pcursor: Any) -> dict[str, Any]:
        """``{result, llsid, feeds, searchSessionId, pcursor}``: shared by REST and GraphQL."""
        page = _page_number(pcursor)
        feeds: list[dict[str, Any]] = []
        next_cursor = NO_MORE
        if page is not None and keyword:
            offset = (page - 1) * PAGE_SIZE
            posts, total = ctx.search(PLATFORM, keyword, offset=offset, limit=PAGE_SIZE)
            feeds = [self.feed(p) for p in posts if not p.deleted]
            if offset + PAGE_SIZE < total:
                next_cursor = str(page + 1)
        return {
            "result": 1,
            "llsid": str(hash_text(f"{keyword}:{pcursor}") % 10**19),
            "webPageArea": "searchxxnull",
            "feeds": feeds,
            "searchSessionId": _session_id(keyword),
            "pcursor": next_cursor,
        }

    def profile(self, account: SimAccount) -> dict[str, Any]:
        fan = (
            display_count(account.followers)
            if self.abbreviate_followers
            else str(account.followers)
        )
        return {
            "ownerCount": {
                "fan": fan,
                "photo": None,
                "follow": hash_text(account.uid) % 500,
                "photo_public": hash_text(account.uid) % 300,
                "__typename": "OwnerCount",
            },
            "profile": {
                "gender": "U",
                "user_name": account.name,
                "user_id": account.uid,
                "headurl": self.author(account)["headerUrl"],
                "user_text": "",
                "user_profile_bg_url": "",
                "__typename": "Profile",
            },
            "isFollowing": False,
            "__typename": "UserProfile",
        }

    def comment(self, comment: SimComment, view: SimComments | None = None) -> dict[str, Any]:
        """A root comment (with ``view``: its first replies) or a reply, as GraphQL returns it."""
        author = comment.author
        body: dict[str, Any] = {
            "commentId": comment.comment_id,
            "authorId": author.uid,
            "authorName": author.name,
            "content": comment.text,
            "headurl": self.author(author)["headerUrl"],
            "timestamp": _ms(comment.published_at),
            "likedCount": display_count(comment.likes),
            "realLikedCount": comment.likes,
            "liked": False,
            "status": 0,
            "authorLiked": False,
        }
        if comment.root_id is not None and comment.reply_to is not None:
            body["replyToUserName"] = comment.reply_to.name
            body["replyTo"] = comment.reply_to.uid
        if view is not None:
            replies = view.replies(comment.comment_id)
            shown = replies[:INLINE_REPLIES]
            body["subCommentCount"] = comment.reply_count
            body["subCommentsPcursor"] = str(len(shown)) if len(replies) > len(shown) else NO_MORE
            body["subComments"] = [self.comment(r) for r in shown]
        body["__typename"] = "CommentEntity" if view is not None else "SubComment"
        return body

    def comment_v2(self, comment: SimComment) -> dict[str, Any]:
        """A ``rootCommentsV2`` item: no reply count or replies, only ``hasSubComments``."""
        body = self.comment(comment)
        return {
            **{k: body[k] for k in ("commentId", "authorId", "authorName", "content", "headurl")},
            "timestamp": body["timestamp"],
            "hasSubComments": comment.reply_count > 0,
            "likedCount": body["likedCount"],
            "liked": False,
            "status": 0,
            "__typename": "CommentV2",
        }

    def comment_list(
        self, ctx: SimContext, photo_id: str, pcursor: Any, *, v2: bool = False
    ) -> dict[str, Any]:
        """``visionCommentList``; with ``v2`` (a query asking for the V2 fields, as the site's
        own does) also ``commentCountV2``, ``pcursorV2`` and ``rootCommentsV2`` for the same page."""
        view = ctx.comments(PLATFORM, photo_id) if photo_id else None
        offset = _comment_offset(pcursor)
        roots = view.roots if view is not None else ()
        page = roots[offset : offset + COMMENT_PAGE] if offset is not None else ()
        more = offset is not None and offset + COMMENT_PAGE < len(roots)
        listing: dict[str, Any] = {
            "commentCount": (view.claimed or 0) if view is not None else 0,
            "pcursor": str(offset + COMMENT_PAGE) if more and offset is not None else NO_MORE,
            "rootComments": [self.comment(c, view) for c in page],
            "__typename": "CommentListResult",
        }
        if v2:
            listing["commentCountV2"] = listing["commentCount"]
            listing["pcursorV2"] = listing["pcursor"]
            listing["rootCommentsV2"] = [self.comment_v2(c) for c in page]
        return listing

    def sub_comment_list(
        self, ctx: SimContext, photo_id: str, root_id: str, pcursor: Any
    ) -> dict[str, Any]:
        found = ctx.comment_thread(PLATFORM, root_id) if root_id else None
        replies: tuple[SimComment, ...] = ()
        if found is not None and found[0].post.post_id == photo_id and found[1].root_id is None:
            replies = found[0].replies(root_id)
        offset = _comment_offset(pcursor)
        page = replies[offset : offset + REPLY_PAGE] if offset is not None else ()
        more = offset is not None and offset + REPLY_PAGE < len(replies)
        return {  # the thread and the work are request variables only, as on the real site
            "pcursor": str(offset + REPLY_PAGE) if more and offset is not None else NO_MORE,
            "subComments": [self.comment(r) for r in page],
            "__typename": "SubCommentListResult",
        }

    # --- handlers -------------------------------------------------------------------------

    def search_feed(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        if not verify(PLATFORM, req.query, req.headers, req.body):
            return self.signature_rejected_response()
        body = _json(req)
        if body is None:
            return SimResponse(400, {"result": 400, "error_msg": "invalid request body"})
        return SimResponse(
            200, self.search_block(ctx, str(body.get("keyword") or ""), body.get("pcursor"))
        )

    def graphql(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        body = _json(req)
        if body is None:
            return SimResponse(400, {"errors": [{"message": "Must provide query string."}]})
        operation = body.get("operationName")
        variables = body["variables"] if isinstance(body.get("variables"), dict) else {}
        if operation == "visionSearchPhoto":
            block = self.search_block(
                ctx, str(variables.get("keyword") or ""), variables.get("pcursor")
            )
            block["aladdinBanner"] = None
            block["__typename"] = "VisionSearchPhoto"
            return SimResponse(200, {"data": {"visionSearchPhoto": block}})
        if operation == "visionProfile":
            account = ctx.account(PLATFORM, str(variables.get("userId") or ""))
            return SimResponse(
                200,
                {
                    "data": {
                        "visionProfile": {
                            "result": 1,
                            "hostName": "public-bjxy-c6-kwaiweb-sim",
                            "userProfile": self.profile(account) if account else None,
                            "__typename": "VisionProfile",
                        }
                    }
                },
            )
        if operation == "visionVideoDetail":
            post = ctx.post(PLATFORM, str(variables.get("photoId") or ""))
            if post is None or post.deleted:
                detail: dict[str, Any] = {
                    "status": 1,
                    "type": None,
                    "author": None,
                    "photo": None,
                    "tags": [],
                    "llsid": None,
                    "__typename": "VisionVideoDetail",
                }
            else:
                detail = {
                    "status": 1,
                    "type": 1,
                    "author": self.author(post.account),
                    "photo": self.photo(post),
                    "tags": [{"type": 1, "name": t, "__typename": "Tag"} for t in post.hashtags],
                    "commentLimit": {"canAddComment": 1, "__typename": "CommentLimit"},
                    "llsid": str(hash_text(post.post_id) % 10**19),
                    "danmakuSwitch": False,
                    "__typename": "VisionVideoDetail",
                }
            return SimResponse(200, {"data": {"visionVideoDetail": detail}})
        if operation == "commentListQuery":
            listing = self.comment_list(
                ctx,
                str(variables.get("photoId") or ""),
                variables.get("pcursor"),
                v2="rootCommentsV2" in str(body.get("query") or ""),
            )
            return SimResponse(200, {"data": {"visionCommentList": listing}})
        if operation == "visionSubCommentList":
            sub = self.sub_comment_list(
                ctx,
                str(variables.get("photoId") or ""),
                str(variables.get("rootCommentId") or ""),
                variables.get("pcursor"),
            )
            return SimResponse(200, {"data": {"visionSubCommentList": sub}})
        return SimResponse(
            200,
            {"data": None, "errors": [{"message": f'Unknown operation named "{operation}".'}]},
        )


SIM = KuaishouSim()
