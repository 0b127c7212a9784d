"""Xiaohongshu (小红书) web API in its real shapes: ``search/notes`` cards, ``feed`` detail and the
``user/otherinfo`` profile (the only place a follower count shows).

Shapes follow the web API as public crawler code reads it and ``connectors.xiaohongshu.parse``
reads it: ``{code, success, msg, data{has_more, items[]{id, model_type, xsec_token, note_card}}}``.
Search cards carry the title, author and like count only; ``feed`` (which needs the card's
``xsec_token``) carries the full note: ``time`` in ms, ``interact_info`` counts as strings,
``tag_list[]``, ``video.capa.duration`` in seconds. ``user/otherinfo`` (GET,
``target_user_id``) carries ``basic_info`` and ``interactions[]`` whose ``fans`` entry is the
account's follower count, again as a string.

Counts are rendered as exact digit strings by default (what a verified real capture shows); with
``abbreviate_counts=True`` they use the display form (``"1.2万"``) so the parser's handling of it
runs too. Every request must carry the development ``X-S`` signature (the real one is made by
browser code); a missing or wrong one gets the real "outdated signature" answer, HTTP 406 with
``code -1``.

Comments (signed; the top-level page needs the note's ``xsec_token`` as ``feed`` does, replies
check it when sent): ``GET
api/sns/web/v2/comment/page?note_id=&cursor=&top_comment_id=&image_formats=&xsec_token=`` pages
a note's top-level comments, hot first, 10 a page, in ``data{comments[], cursor, has_more}``;
``cursor`` is the last comment's id (``""`` asks for the first page). Each comment carries its
first reply in ``sub_comments`` with ``sub_comment_cursor``/``sub_comment_has_more``; counts are
strings. ``GET api/sns/web/v2/comment/sub/page?note_id=&root_comment_id=&num=&cursor=`` pages a
thread's replies after ``cursor`` (a reply id; ``""`` from the first), oldest first, ``num`` at
most 10; each reply names the comment it answers in ``target_comment``.
"""

from __future__ import annotations

import base64
import hashlib
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

__all__ = ["SIM", "XiaohongshuSim", "display_count", "xsec_token"]

PLATFORM = "xiaohongshu"
MAX_PAGE_SIZE = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REC_QUERY_AT = 5
COMMENT_PAGE = 10
REPLY_PAGE = 10
INLINE_REPLIES = 1
"""Page 1 carries a "related searches" item at this position, as the real listing does."""


def _ms(dt: datetime) -> int:
    return (dt - _EPOCH) // timedelta(milliseconds=1)


def _digest(*parts: str, size: int = 16) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=size).digest()


def xsec_token(post: SimPost) -> str:
    """The post's ``xsec_token``: from the world when it set one, else derived from the id."""
    given = post.extra.get("xsec_token")
    if given:
        return given
    return "AB" + base64.urlsafe_b64encode(_digest("xsec", post.post_id, size=30)).decode("ascii")


def display_count(n: int) -> str:
    """The display form: exact below 10 000, ``1.2万`` (truncated) above, ``10万+`` from 100 000."""
    if n < 10_000:
        return str(n)
    if n >= 100_000:
        return "10万+"
    tenths = (Decimal(n) / Decimal(10_000)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    text = f"{tenths:f}"
    return (text[:-2] if text.endswith(".0") else text) + "万"


def _json(req: SimRequest) -> dict[str, Any] | None:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _ok(data: dict[str, Any]) -> SimResponse:
    return SimResponse(200, {"code": 0, "success": True, "msg": "成功", "data": data})


def _after(items: tuple[SimComment, ...], cursor: str) -> int:
    """The position after the comment ``cursor`` names (0 for ``""`` or an unknown id)."""
    if cursor:
        for n, c in enumerate(items):
            if c.comment_id == cursor:
                return n + 1
    return 0


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class XiaohongshuSim:
    """``PlatformSim`` for Xiaohongshu."""

    platform = PLATFORM

    def __init__(self, *, abbreviate_counts: bool = False) -> None:
        self.abbreviate_counts = abbreviate_counts

    def routes(self) -> list[Route]:
        return [
            Route("POST", re.compile(r"^/?api/sns/web/v1/search/notes/?$"), self.search_notes),
            Route("POST", re.compile(r"^/?api/sns/web/v1/feed/?$"), self.feed),
            Route("GET", re.compile(r"^/?api/sns/web/v1/user/otherinfo/?$"), self.user_info),
            Route("GET", re.compile(r"^/?api/sns/web/v2/comment/page/?$"), self.comment_page),
            Route(
                "GET", re.compile(r"^/?api/sns/web/v2/comment/sub/page/?$"), self.sub_comment_page
            ),
        ]

    # --- failure signals ------------------------------------------------------------------

    def throttle_response(self) -> SimResponse:
        return SimResponse(
            200,
            {
                "code": 300013,
                "success": False,
                "msg": "访问频次异常，请勿频繁操作或重启试试",
                "data": {},
            },
        )

    def login_wall_response(self) -> SimResponse:
        return SimResponse(200, {"code": -100, "success": False, "msg": "登录已过期", "data": {}})

    def block_response(self) -> SimResponse:
        """The IP-risk captcha: HTTP 461 whose body still says ``success: true``."""
        return SimResponse(
            461,
            {
                "code": 300012,
                "success": True,
                "msg": "IP存在风险，请切换可靠网络环境后重试",
                "data": {},
            },
            headers={"Verifytype": "400", "Verifyuuid": "2089ef37-f373-4042-bbbc-8f53a0f91874"},
        )

    def signature_rejected_response(self) -> SimResponse:
        return SimResponse(406, {"code": -1, "success": False})

    def user_missing_response(self) -> SimResponse:
        """``user/otherinfo`` for an unknown or banned user id.

        The real failure shape is unverified (public client code shows only found profiles):
        modelled as a top-level success whose ``data.result`` says ``success: false``, so a
        client must read ``result``, and must never take its ``-100`` for the top-level
        "login expired" code.
        """
        return SimResponse(
            200,
            {
                "code": 0,
                "success": True,
                "data": {"result": {"success": False, "code": -100, "message": "用户不存在"}},
            },
        )

    # --- rendering ------------------------------------------------------------------------

    def count(self, value: int | None) -> str | None:
        if value is None:
            return None
        return display_count(value) if self.abbreviate_counts else str(value)

    def user(self, account: SimAccount) -> dict[str, Any]:
        avatar = account.avatar or f"https://sns-avatar-qc.xhscdn.com/avatar/{account.uid}.jpg"
        return {
            "user_id": account.uid,
            "nickname": account.name,
            "nick_name": account.name,
            "avatar": avatar,
        }

    def cover(self, post: SimPost) -> dict[str, Any]:
        url = f"https://sns-webpic-qc.xhscdn.com/{post.post_id}/cover"
        return {"url_default": url, "url_pre": url, "height": 1440, "width": 1080}

    def card(self, post: SimPost) -> dict[str, Any]:
        liked = self.count(post.metrics.likes)
        interact: dict[str, Any] = {"liked": False}
        if liked is not None:
            interact["liked_count"] = liked
        return {
            "type": "video" if post.content_type == "video" else "normal",
            "display_title": post.title or post.text[:20],
            "user": self.user(post.account),
            "interact_info": interact,
            "cover": self.cover(post),
        }

    def note_card(self, post: SimPost) -> dict[str, Any]:
        m = post.metrics
        interact: dict[str, Any] = {"liked": False, "collected": False, "followed": False}
        for key, value in (
            ("liked_count", m.likes),
            ("collected_count", m.favorites),
            ("comment_count", m.comments),
            ("share_count", m.shares),
        ):
            if value is not None:
                interact[key] = self.count(value)
        interact["relation"] = "none"
        card: dict[str, Any] = {
            "note_id": post.post_id,
            "type": "video" if post.content_type == "video" else "normal",
            "title": post.title,
            "desc": post.text,
            "time": _ms(post.published_at),
            "last_update_time": _ms(post.published_at),
            "ip_location": "广东",
            "user": self.user(post.account),
            "interact_info": interact,
            "tag_list": [
                {"id": _digest("tag", tag, size=12).hex(), "name": tag, "type": "topic"}
                for tag in post.hashtags
            ],
            "image_list": [self.cover(post)],
            "at_user_list": [],
            "share_info": {"un_share": False},
        }
        if post.content_type == "video" and post.duration_s is not None:
            card["video"] = {"capa": {"duration": post.duration_s}}
        return card

    def comment(
        self, comment: SimComment, view: SimComments, *, inline: bool = False
    ) -> dict[str, Any]:
        """One ``data.comments[i]``: a top-level comment (``inline``: with its first reply) or a
        reply with the comment it answers in ``target_comment``."""
        author = comment.author
        body: dict[str, Any] = {
            "id": comment.comment_id,
            "note_id": view.post.post_id,
            "content": comment.text,
            "create_time": _ms(comment.published_at),
            "like_count": self.count(comment.likes),
            "liked": False,
            "ip_location": "广东",
            "status": 0,
            "user_info": {**self.user(author), "image": self.user(author)["avatar"]},
            "at_users": [],
            "pictures": [],
            "show_tags": ["is_author"] if author.uid == view.post.account.uid else [],
        }
        if comment.root_id is None:
            replies = view.replies(comment.comment_id)
            shown = replies[:INLINE_REPLIES] if inline else ()
            body["sub_comment_count"] = self.count(comment.reply_count)
            body["sub_comments"] = [self.comment(r, view) for r in shown]
            body["sub_comment_cursor"] = shown[-1].comment_id if shown else ""
            body["sub_comment_has_more"] = len(replies) > len(shown)
        else:
            parent = view.get(comment.parent_id or "")
            if parent is not None:
                body["target_comment"] = {
                    "id": parent.comment_id,
                    "user_info": self.user(parent.author),
                }
        return body

    def _comment_view(
        self, req: SimRequest, ctx: SimContext, *, token_required: bool
    ) -> SimComments | SimResponse:
        """The note's comments, or the answer for a missing note or a wrong ``xsec_token``
        (the top-level page needs the token, as ``feed`` does; replies check it when sent)."""
        note_id = str(req.query.get("note_id") or "")
        view = ctx.comments(PLATFORM, note_id) if note_id else None
        if view is None:
            return SimResponse(
                200, {"code": -510000, "success": False, "msg": "笔记不存在", "data": {}}
            )
        token = req.query.get("xsec_token")
        if (token is not None or token_required) and token != xsec_token(view.post):
            return SimResponse(
                200,
                {"code": -510001, "success": False, "msg": "笔记状态异常，请稍后查看", "data": {}},
            )
        return view

    def comment_page(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        if not verify(PLATFORM, req.query, req.headers, req.body):
            return self.signature_rejected_response()
        view = self._comment_view(req, ctx, token_required=True)
        if isinstance(view, SimResponse):
            return view
        start = _after(view.roots, str(req.query.get("cursor") or ""))
        page = view.roots[start : start + COMMENT_PAGE]
        return _ok(
            {
                "comments": [self.comment(c, view, inline=True) for c in page],
                "cursor": page[-1].comment_id if page else "",
                "has_more": start + len(page) < len(view.roots),
                "time": _ms(ctx.now),
                "user_id": "",
                "xsec_token": xsec_token(view.post),
            }
        )

    def sub_comment_page(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        if not verify(PLATFORM, req.query, req.headers, req.body):
            return self.signature_rejected_response()
        view = self._comment_view(req, ctx, token_required=False)
        if isinstance(view, SimResponse):
            return view
        root = view.get(str(req.query.get("root_comment_id") or ""))
        if root is None or root.root_id is not None:
            return SimResponse(
                200, {"code": -510002, "success": False, "msg": "评论不存在", "data": {}}
            )
        replies = view.replies(root.comment_id)
        num = min(REPLY_PAGE, max(1, _int(req.query.get("num"), REPLY_PAGE)))
        start = _after(replies, str(req.query.get("cursor") or ""))
        page = replies[start : start + num]
        return _ok(
            {
                "comments": [self.comment(r, view) for r in page],
                "cursor": page[-1].comment_id if page else "",
                "has_more": start + len(page) < len(replies),
            }
        )

    # --- handlers -------------------------------------------------------------------------

    def search_notes(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        if not verify(PLATFORM, req.query, req.headers, req.body):
            return self.signature_rejected_response()
        body = _json(req)
        if body is None:
            return SimResponse(400, {"code": -1, "success": False, "msg": "参数错误"})
        keyword = str(body.get("keyword") or "")
        page = max(1, _int(body.get("page"), 1))
        size = min(MAX_PAGE_SIZE, max(1, _int(body.get("page_size"), MAX_PAGE_SIZE)))
        note_type = _int(body.get("note_type"), 0)
        offset = (page - 1) * size
        posts, total = (
            ctx.search(PLATFORM, keyword, offset=offset, limit=size) if keyword else ([], 0)
        )
        items: list[dict[str, Any]] = []
        for post in posts:
            if post.deleted:
                continue
            if note_type == 1 and post.content_type != "video":
                continue
            if note_type == 2 and post.content_type == "video":
                continue
            items.append(
                {
                    "id": post.post_id,
                    "model_type": "note",
                    "xsec_token": xsec_token(post),
                    "note_card": self.card(post),
                }
            )
        if page == 1 and len(items) > _REC_QUERY_AT:
            items.insert(
                _REC_QUERY_AT,
                {
                    "id": f"{keyword}#rec",
                    "model_type": "rec_query",
                    "rec_query": {"title": "大家都在搜", "queries": [{"name": keyword}]},
                },
            )
        return _ok({"has_more": offset + size < total, "items": items})

    def feed(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        if not verify(PLATFORM, req.query, req.headers, req.body):
            return self.signature_rejected_response()
        body = _json(req)
        if body is None:
            return SimResponse(400, {"code": -1, "success": False, "msg": "参数错误"})
        note_id = str(body.get("source_note_id") or "")
        post = ctx.post(PLATFORM, note_id) if note_id else None
        if post is None or post.deleted:
            return SimResponse(
                200, {"code": -510000, "success": False, "msg": "笔记不存在", "data": {}}
            )
        if body.get("xsec_token") != xsec_token(post):
            return SimResponse(
                200,
                {"code": -510001, "success": False, "msg": "笔记状态异常，请稍后查看", "data": {}},
            )
        return _ok(
            {
                "cursor_score": "",
                "items": [
                    {"id": post.post_id, "model_type": "note", "note_card": self.note_card(post)}
                ],
                "current_time": _ms(ctx.now),
            }
        )

    def user_info(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        """``user/otherinfo``: the profile, whose ``fans`` interaction is the follower count."""
        if not verify(PLATFORM, req.query, req.headers, req.body):
            return self.signature_rejected_response()
        uid = str(req.query.get("target_user_id") or "")
        account = ctx.account(PLATFORM, uid) if uid else None
        if account is None:
            return self.user_missing_response()
        return _ok(self.user_info_data(account, ctx))

    def user_info_data(self, account: SimAccount, ctx: SimContext) -> dict[str, Any]:
        """The ``data`` of a found profile; figures other than ``fans`` are filler from the seed."""
        rng = ctx.rng(PLATFORM, "otherinfo", account.uid)
        avatar = self.user(account)["avatar"]
        follows = rng.randrange(0, 800)
        interaction = account.followers * rng.randrange(2, 40) + rng.randrange(0, 1000)
        return {
            "basic_info": {
                "nickname": account.name,
                "red_id": str(int.from_bytes(_digest("red_id", account.uid, size=5), "big")),
                "desc": "",
                "ip_location": "广东",
                "gender": 0,
                "images": avatar,
                "imageb": avatar,
            },
            "interactions": [
                {"type": "follows", "name": "关注", "count": self.count(follows)},
                {"type": "fans", "name": "粉丝", "count": self.count(account.followers)},
                {"type": "interaction", "name": "获赞与收藏", "count": self.count(interaction)},
            ],
            "tags": [{"tagType": "location", "name": "广东", "icon": ""}],
            "extra_info": {"fstatus": "none"},
            "result": {"success": True, "code": 0, "message": "success"},
        }


SIM = XiaohongshuSim()
