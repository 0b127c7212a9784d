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
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from tracker.signing.dev import verify
from tracker.sim.model import Route, SimAccount, SimContext, SimPost, SimRequest, SimResponse

__all__ = ["SIM", "XiaohongshuSim", "display_count", "xsec_token"]

PLATFORM = "xiaohongshu"
MAX_PAGE_SIZE = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REC_QUERY_AT = 5
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
