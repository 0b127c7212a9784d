"""Weibo (微博) in its real response shapes: m.weibo.cn getIndex plus the weibo.com ajax endpoints.

Served paths (mounted under the simulator's ``/weibo`` prefix; the weibo.com ajax paths share the
mount so one base URL serves both hosts):

- ``api/container/getIndex``: search ``containerid=100103type=<1|61|...>&q=...`` and topic
  ``containerid=231522type=1&t=10&q=#...#``. ``ok``/``data.cards[]``, ten posts a page,
  ``card_type`` 9 cards (the 综合 channel nests the first ones in a ``card_type`` 11
  ``card_group`` the way the app does), ``data.cardlistInfo{total, page}`` with ``page`` the next
  page number and null on the last page; past the end ``{"ok":0,"msg":"这里还没有内容"}``.
- ``ajax/statuses/longtext?id=<mblogid>``: ``data.longTextContent`` of a cut post.
- ``ajax/statuses/show?id=<mid|mblogid>``: one status (``ok:0`` "该微博不存在" when gone).
- ``ajax/profile/info?uid=``: ``data.user`` as in the real capture.
- ``comments/hotflow?id=<mid>&mid=<mid>&max_id_type=0[&max_id=N]``: a work's top-level comments,
  hot first, 20 a page, in ``data.data[]`` with ``data.total_number`` (the work's comment count)
  and ``data.max_id`` (the next page's ``max_id``; 0 on the last page). ``{"ok":0}`` without
  ``data`` when there is nothing (more) to read. A comment carries its first two replies in
  ``comments`` (``false`` when none) and its reply count in ``total_number``.
- ``comments/hotFlowChild?cid=<root id>&max_id=0&max_id_type=0``: a thread's replies, oldest
  first, 10 a page, in ``data[]`` with ``total_number`` and ``max_id`` at the top level; a reply
  to a reply names it in ``reply_comment`` and its text starts ``回复@name:``.

Comment text is HTML like post text: ``#话题#`` as links, emoticons (``[笑cry]``) as
``<span class="url-icon"><img alt=[笑cry] ...></span>``.

``mblog`` follows the real field paths: ``created_at`` in the full ``Sat Sep 14 10:00:00 +0800
2024`` form (the realtime channel writes ``刚刚``/``N分钟前`` for posts under an hour old, relative
to the virtual clock), ``text`` as HTML with topic links (``<span class="surl-text">#话题#</span>``)
and ``<br />``, ``isLongText`` with the text cut and a 全文 link, counts as exact ints,
``user.followers_count`` int plus the ``followers_count_str`` display string, ``page_info`` for
videos and articles, ``retweeted_status`` for reposts (``user: null`` when the original is gone).

Signals: throttling is HTTP 432 with an empty body (418 is the older code), the login wall is
``{"ok":-100,"url":<passport signin>}``, the block is a verification redirect in ``ok:0``.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from tracker.normalize.tags import extract_hashtags
from tracker.sim.ids import mblogid_to_mid, mid_to_mblogid, stable_hash
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

__all__ = ["SIM", "WeiboSim", "created_at_text", "html_text", "render_mblog"]

PLATFORM = "weibo"
PAGE_SIZE = 10
_SHANGHAI = timezone(timedelta(hours=8))
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CUT = 100
"""Characters of a long post shown before the 全文 link."""
_EMPTY = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
_VERIFY_CODES = {
    "individual": 0,
    "government": 1,
    "enterprise": 2,
    "media": 3,
    "campus": 4,
    "school": 4,
    "website": 5,
    "app": 6,
    "organization": 7,
    "org": 7,
}
"""Named verification kinds -> Weibo's ``verified_type`` numbers (digit strings pass through)."""


def created_at_text(when: datetime, now: datetime, *, relative: bool) -> str:
    """``Sat Sep 14 10:00:00 +0800 2024``, or ``刚刚``/``N分钟前`` for recent posts when ``relative``."""
    if relative:
        age = (now - when).total_seconds()
        if 0 <= age < 60:
            return "刚刚"
        if 60 <= age < 3600:
            return f"{int(age // 60)}分钟前"
    local = when.astimezone(_SHANGHAI)
    return (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
        f"{local:%H:%M:%S} +0800 {local.year}"
    )


def _display(n: int) -> str:
    """Weibo's display form of a large number (``152.1万``), as in ``followers_count_str``."""
    if n < 10_000:
        return str(n)
    if n < 100_000_000:
        return f"{n / 10_000:.1f}".rstrip("0").rstrip(".") + "万"
    return f"{n / 100_000_000:.1f}".rstrip("0").rstrip(".") + "亿"


def _mblogid(post: SimPost) -> str:
    return post.extra.get("mblogid") or mid_to_mblogid(post.post_id)


def _int_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _verified_type(account: SimAccount) -> int:
    kind = account.verify_type
    if kind is not None and kind.lstrip("-").isdigit():
        return int(kind)
    if kind is not None and kind.lower() in _VERIFY_CODES:
        return _VERIFY_CODES[kind.lower()]
    return 0 if account.verified else -1


def _user(account: SimAccount) -> dict[str, Any]:
    """The account as a ``user`` object (a fresh dict: callers may change it)."""
    return dict(_user_fields(account))


@lru_cache(maxsize=4096)
def _user_fields(account: SimAccount) -> dict[str, Any]:
    """The ``user`` fields of an account (a pure function of it; flat, so a copy is a deep one).
    Shared between calls: never handed out, :func:`_user` copies it."""
    uid = account.uid
    return {
        "id": _int_id(uid),
        "screen_name": account.name,
        "profile_image_url": account.avatar
        or f"https://tvax1.sinaimg.cn/crop.0.0.180.180.180/{uid}.jpg",
        "profile_url": f"https://m.weibo.cn/u/{uid}?uid={uid}&luicode=10000011",
        "verified": account.verified,
        "verified_type": _verified_type(account),
        "verified_reason": (account.unit or "认证用户") if account.verified else "",
        "description": "",
        "gender": "m" if stable_hash(PLATFORM, uid, "g") % 2 else "f",
        "mbtype": 0,
        "urank": 10 + stable_hash(PLATFORM, uid, "u") % 30,
        "mbrank": stable_hash(PLATFORM, uid, "m") % 7,
        "follow_me": False,
        "following": False,
        "followers_count": account.followers,
        "followers_count_str": _display(account.followers),
        "follow_count": 100 + stable_hash(PLATFORM, uid, "f") % 900,
        "close_blue_v": False,
    }


def _topic_link(tag: str) -> str:
    query = quote(f"231522type=1&t=10&q={tag}", safe="")
    return (
        f'<a  href="https://m.weibo.cn/search?containerid={query}&extparam=%23'
        f'{quote(tag.strip("#"), safe="")}%23" data-hide=""><span class="surl-text">'
        f"{html.escape(tag, quote=False)}</span></a>"
    )


@lru_cache(maxsize=4096)
def html_text(text: str) -> str:
    """Plain post text as m.weibo.cn sends it: escaped, ``#话题#`` as links, newlines as <br />."""
    escaped = html.escape(text, quote=False)
    for tag in extract_hashtags(text):
        if len(tag) > 2 and tag[0] in "#＃" and tag[-1] in "#＃":
            escaped = escaped.replace(html.escape(tag, quote=False), _topic_link(tag))
    return escaped.replace("\n", "<br />")


def _cut_text(post: SimPost) -> str:
    cut = min(_CUT, max(1, len(post.text) // 2))
    return html_text(post.text[:cut]) + f'...<a href="/status/{post.post_id}">全文</a>'


def _page_info(post: SimPost) -> dict[str, Any] | None:
    mid = post.post_id
    if post.content_type == "video":
        media: dict[str, Any] = {
            "stream_url": f"https://f.video.weibocdn.com/o0/{mid}.mp4",
            "duration": float(post.duration_s) if post.duration_s is not None else None,
            "name": post.title,
        }
        info: dict[str, Any] = {
            "type": "video",
            "object_type": 11,
            "page_pic": {"url": f"https://wx1.sinaimg.cn/orj480/{mid}.jpg"},
            "page_url": f"https://video.weibo.com/show?fid=1034:{mid}",
            "page_title": f"{post.account.name}的微博视频",
            "title": post.title,
            "content1": f"{post.account.name}的微博视频",
            "content2": post.title,
            "media_info": media,
        }
        views = post.metrics.views
        if views is not None:
            media["online_users_number"] = views
            media["online_users"] = f"{_display(views)}次观看"
            info["play_count"] = f"{_display(views)}次播放"
        return info
    if post.content_type == "article":
        return {
            "type": "article",
            "object_type": 5,
            "page_url": f"https://weibo.com/ttarticle/p/show?id=2309404{mid[-12:]}",
            "page_title": post.title,
            "content1": post.title,
            "content2": "",
        }
    return None


def _pics(post: SimPost) -> list[dict[str, Any]]:
    count = 1 + stable_hash(PLATFORM, post.post_id, "pics") % 4
    pics = []
    for i in range(count):
        pid = f"{stable_hash(PLATFORM, post.post_id, 'pic', i):016x}ly1h"
        pics.append(
            {
                "pid": pid,
                "url": f"https://wx1.sinaimg.cn/orj360/{pid}.jpg",
                "size": "orj360",
                "large": {"size": "large", "url": f"https://wx1.sinaimg.cn/large/{pid}.jpg"},
            }
        )
    return pics


def _deleted_original(post: SimPost, now: datetime) -> dict[str, Any]:
    return {
        "created_at": created_at_text(post.published_at, now, relative=False),
        "id": post.post_id,
        "mid": post.post_id,
        "text": '抱歉，此微博已被作者删除。查看帮助：<a href="https://t.cn/Rfd3rQV">网页链接</a>',
        "user": None,
        "visible": {"type": 0, "list_id": 0},
        "reposts_count": 0,
        "comments_count": 0,
        "attitudes_count": 0,
        "isLongText": False,
    }


def render_mblog(post: SimPost, now: datetime, *, relative: bool = False) -> dict[str, Any]:
    """A post as an m.weibo.cn ``mblog`` (also the body of weibo.com ``statuses/show``)."""
    mid = post.post_id
    mblog: dict[str, Any] = {
        "visible": {"type": 0, "list_id": 0},
        "created_at": created_at_text(post.published_at, now, relative=relative),
        "id": mid,
        "mid": mid,
        "bid": _mblogid(post),
        "can_edit": False,
        "text": _cut_text(post) if post.long_text else html_text(post.text),
        "textLength": len(post.text.encode("gbk", errors="replace")),
        "source": "微博 weibo.com",
        "favorited": False,
        "pic_ids": [],
        "is_paid": False,
        "mblog_vip_type": 0,
        "user": _user(post.account),
        "isLongText": post.long_text,
        "mblogtype": 0,
        "content_auth": 0,
        "pic_num": 0,
    }
    m = post.metrics
    for field, value in (
        ("reposts_count", m.shares),
        ("comments_count", m.comments),
        ("attitudes_count", m.likes),
    ):
        if value is not None:
            mblog[field] = value
    if post.content_type == "image":
        pics = _pics(post)
        mblog["pics"] = pics
        mblog["pic_ids"] = [p["pid"] for p in pics]
        mblog["pic_num"] = len(pics)
    info = _page_info(post)
    if info is not None:
        mblog["page_info"] = info
    original = post.repost_of
    if original is not None:
        mblog["retweeted_status"] = (
            _deleted_original(original, now)
            if original.deleted
            else render_mblog(original, now, relative=False)
        )
    return mblog


def _split_containerid(containerid: str) -> tuple[str, dict[str, str]]:
    """``100103type=61&q=#x#`` -> (``"100103"``, ``{"type": "61", "q": "#x#"}``)."""
    prefix, rest = containerid[:6], containerid[6:]
    params: dict[str, str] = {}
    for part in rest.split("&"):
        key, sep, value = part.partition("=")
        if sep:
            params.setdefault(key, value)
    return prefix, params


def _page_number(raw: str | None) -> int:
    return max(1, int(raw)) if raw and raw.isdigit() else 1


def _card(post: SimPost, ctx: SimContext, containerid: str, relative: bool) -> dict[str, Any]:
    bid = _mblogid(post)
    return {
        "card_type": 9,
        "itemid": f"seqid:{stable_hash(containerid, post.post_id) % 10**9}|type:{containerid[:6]}",
        "scheme": f"https://m.weibo.cn/status/{bid}?mblogid={bid}&luicode=10000011",
        "mblog": render_mblog(post, ctx.now, relative=relative),
        "show_type": 0,
    }


def _find(ctx: SimContext, ident: str) -> SimPost | None:
    """A post by mid or mblogid (deleted posts are returned too; callers decide)."""
    if not ident:
        return None
    if ident.isdigit():
        return ctx.post(PLATFORM, ident)
    try:
        mid = mblogid_to_mid(ident)
    except (ValueError, KeyError):
        return None
    post = ctx.post(PLATFORM, mid)
    if post is not None and _mblogid(post) != ident:
        return None
    return post


COMMENT_PAGE = 20
REPLY_PAGE = 10
INLINE_REPLIES = 2
_NO_COMMENTS = {"ok": 0, "msg": "快来发表你的评论吧"}
_EMOTICON_FILES = {
    "[笑cry]": "d_xiaoku-f2bd11b506.png",
    "[赞]": "d_zan-44ddc70637.png",
    "[doge]": "d_doge-be7f768d78.png",
    "[心]": "l_xin-43af9086c0.png",
}


def _comment_html(comment: SimComment) -> str:
    """Comment text as m.weibo.cn sends it: topic links, emoticon images, the reply link."""
    text = comment.text
    prefix = ""
    if comment.reply_to is not None and text.startswith("回复@"):
        name, sep, rest = text[3:].partition(":")
        if sep:
            prefix = f"回复<a href='https://m.weibo.cn/n/{quote(name)}'>@{html.escape(name)}</a>:"
            text = rest
    out = html_text(text)
    for code, file in _EMOTICON_FILES.items():
        out = out.replace(
            code,
            f'<span class="url-icon"><img alt={code} src="https://h5.sinaimg.cn/m/emoticon/icon/'
            f'default/{file}" style="width:1em; height:1em;" /></span>',
        )
    return prefix + out


def _comment_user(account: SimAccount) -> dict[str, Any]:
    """The commenter: counts from 10 000 are display strings (``"1.2万"``) in comment lists."""
    user = _user(account)
    if account.followers >= 10_000:
        user["followers_count"] = _display(account.followers)
    return user


def _max_id(post_id: str, offset: int) -> int:
    """An opaque next-page token (the offset, salted): clients pass back what they got."""
    return (offset << 16) | (stable_hash(PLATFORM, "max_id", post_id, offset) & 0xFFFF) or 1


def _offset(raw: str | None) -> int:
    return int(raw) >> 16 if raw and raw.isdigit() else 0


def render_comment(
    comment: SimComment, view: SimComments, now: datetime, *, inline: bool
) -> dict[str, Any]:
    """One comment (``data.data[i]`` of hotflow) or reply (``data[i]`` of hotFlowChild)."""
    cid = comment.comment_id
    body: dict[str, Any] = {
        "created_at": created_at_text(comment.published_at, now, relative=False),
        "id": int(cid),
        "rootid": comment.root_id or cid,
        "rootidstr": comment.root_id or cid,
        "floor_number": 0,
        "text": _comment_html(comment),
        "disable_reply": 0,
        "user": _comment_user(comment.author),
        "mid": cid,
        "readtimetype": "comment",
        "source": "来自广东",
        "bid": _mblogid(view.post),
        "like_count": comment.likes,
        "liked": False,
        "isLikedByMblogAuthor": False,
        "max_id": 0,
        "total_number": comment.reply_count,
    }
    if comment.root_id is None and inline:
        replies = view.replies(cid)
        shown = replies[:INLINE_REPLIES]
        body["comments"] = (
            [render_comment(r, view, now, inline=False) for r in shown] if shown else False
        )
        if len(replies) > len(shown):
            body["more_info"] = {
                "scheme": f"sinaweibo://detail?id={cid}",
                "text": f"共{len(replies)}条回复",
            }
    if comment.parent_id is not None and comment.parent_id != comment.root_id:
        parent = view.get(comment.parent_id)
        body["reply_id"] = comment.parent_id
        if parent is not None:
            body["reply_original_text"] = parent.text
            body["reply_comment"] = {
                "id": int(parent.comment_id),
                "mid": parent.comment_id,
                "text": _comment_html(parent),
                "user": _comment_user(parent.author),
            }
    return body


class WeiboSim:
    """``PlatformSim`` for Weibo."""

    platform = PLATFORM

    def routes(self) -> list[Route]:
        return [
            Route("GET", re.compile(r"^/?api/container/getIndex/?$"), self.get_index),
            Route("GET", re.compile(r"^/?ajax/statuses/longtext/?$"), self.longtext),
            Route("GET", re.compile(r"^/?ajax/statuses/show/?$"), self.status_show),
            Route("GET", re.compile(r"^/?ajax/profile/info/?$"), self.profile_info),
            Route("GET", re.compile(r"^/?comments/hotflow/?$"), self.hotflow),
            Route("GET", re.compile(r"^/?comments/hotFlowChild/?$"), self.hot_flow_child),
        ]

    # --- failure signals ------------------------------------------------------------------

    def throttle_response(self) -> SimResponse:
        return SimResponse(432, b"", content_type="text/html; charset=utf-8")

    def login_wall_response(self) -> SimResponse:
        return SimResponse(
            200,
            {
                "ok": -100,
                "url": "https://passport.weibo.com/sso/signin?entry=wapsso&source=wapssowb"
                "&url=https%3A%2F%2Fm.weibo.cn%2F",
            },
        )

    def block_response(self) -> SimResponse:
        return SimResponse(
            200,
            {
                "ok": 0,
                "msg": "请完成验证后继续访问",
                "url": "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter"
                "&url=https%3A%2F%2Fm.weibo.cn%2F",
            },
        )

    # --- handlers -------------------------------------------------------------------------

    def get_index(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        containerid = req.query.get("containerid", "")
        prefix, params = _split_containerid(containerid)
        query = params.get("q", "")
        if prefix not in ("100103", "231522") or not query:
            return SimResponse(200, dict(_EMPTY))
        channel = params.get("type", "1")
        relative = prefix == "100103" and channel == "61"
        page = _page_number(req.query.get("page"))
        offset = (page - 1) * PAGE_SIZE
        posts, total = ctx.search(PLATFORM, query, offset=offset, limit=PAGE_SIZE)
        posts = [p for p in posts if not p.deleted]
        if not posts and offset >= total:
            return SimResponse(200, dict(_EMPTY))
        cards = [_card(p, ctx, containerid, relative) for p in posts]
        if prefix == "100103" and channel == "1" and cards:
            # The 综合 channel groups its first posts in a card_type 11 card_group.
            head, cards = cards[:2], cards[2:]
            cards.insert(0, {"card_type": 11, "card_group": head, "show_type": 1})
            if page == 1:
                cards.insert(
                    0,
                    {"card_type": 11, "card_group": [{"card_type": 4, "desc": "相关话题"}]},
                )
        more = offset + PAGE_SIZE < total
        body = {
            "ok": 1,
            "data": {
                "cardlistInfo": {
                    "containerid": containerid,
                    "v_p": 42,
                    "show_style": 1,
                    "total": total,
                    "page_size": PAGE_SIZE,
                    "page": page + 1 if more else None,
                },
                "cards": cards,
                "scheme": f"sinaweibo://cardlist?containerid={quote(containerid, safe='')}",
                "showAppTips": 0,
            },
        }
        return SimResponse(200, body)

    def longtext(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        post = _find(ctx, req.query.get("id", ""))
        if post is None or post.deleted:
            return SimResponse(200, {"ok": 1, "data": {}})
        topics = [t for t in extract_hashtags(post.text) if len(t) > 2 and t[-1] in "#＃"]
        data: dict[str, Any] = {
            "longTextContent": post.text,
            "isMarkdown": False,
            "longTextContent_raw": post.text,
        }
        if topics:
            data["topic_struct"] = [
                {"topic_title": t.strip("#＃"), "topic_url": f"sinaweibo://searchall?q={quote(t)}"}
                for t in topics
            ]
        return SimResponse(200, {"ok": 1, "data": data})

    def status_show(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        post = _find(ctx, req.query.get("id", ""))
        if post is None or post.deleted:
            return SimResponse(
                200,
                {"ok": 0, "message": "该微博不存在", "error_code": 20101, "error_type": "toast"},
            )
        status = render_mblog(post, ctx.now)
        status["idstr"] = post.post_id
        status["mblogid"] = _mblogid(post)
        status["ok"] = 1
        return SimResponse(200, status)

    def profile_info(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        account = ctx.account(PLATFORM, req.query.get("uid", ""))
        if account is None:
            return SimResponse(200, {"ok": 0, "msg": "用户不存在"})
        user = _user(account)
        user["idstr"] = account.uid
        user["profile_url"] = f"/u/{account.uid}"
        return SimResponse(200, {"ok": 1, "data": {"user": user, "tabList": [], "blockText": ""}})

    def hotflow(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        post = _find(ctx, req.query.get("id") or req.query.get("mid") or "")
        view = ctx.comments(PLATFORM, post.post_id) if post is not None else None
        if view is None:
            return SimResponse(200, dict(_NO_COMMENTS))
        offset = _offset(req.query.get("max_id"))
        page = view.roots[offset : offset + COMMENT_PAGE]
        if not page:
            return SimResponse(200, dict(_NO_COMMENTS))
        more = offset + COMMENT_PAGE < len(view.roots)
        data = {
            "data": [render_comment(c, view, ctx.now, inline=True) for c in page],
            "total_number": view.claimed or 0,
            "max_id": _max_id(view.post.post_id, offset + COMMENT_PAGE) if more else 0,
            "max_id_type": 0,
        }
        return SimResponse(200, {"ok": 1, "data": data})

    def hot_flow_child(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        found = ctx.comment_thread(PLATFORM, req.query.get("cid", ""))
        if found is None or found[1].root_id is not None:
            return SimResponse(200, dict(_NO_COMMENTS))
        view, root = found
        replies = view.replies(root.comment_id)
        offset = _offset(req.query.get("max_id"))
        page = replies[offset : offset + REPLY_PAGE]
        more = offset + REPLY_PAGE < len(replies)
        if not page and offset:
            return SimResponse(200, dict(_NO_COMMENTS))
        return SimResponse(
            200,
            {
                "ok": 1,
                "data": [render_comment(r, view, ctx.now, inline=False) for r in page],
                "rootComment": [render_comment(root, view, ctx.now, inline=False)],
                "total_number": root.reply_count,
                "max_id": _max_id(root.comment_id, offset + REPLY_PAGE) if more else 0,
                "max_id_type": 0,
            },
        )


SIM = WeiboSim()
