"""Douyin as the simulator plays it: challenge search, the hashtag aweme list, detail, profile.

Bodies copy the real aweme object (``aweme_id``, ``desc``, ``create_time`` in seconds,
``statistics.*_count``, ``author.uid/sec_uid/nickname``, ``text_extra[].hashtag_name``,
``cha_list``, ``video.duration`` in milliseconds) including its two lies: ``play_count`` is 0 and
``author.follower_count`` is 0 inside lists; the real follower count is only in
``user/profile/other``. Every endpoint needs the ``a_bogus`` query parameter; one that is missing
or does not verify against the development signer's scheme gets Douyin's real block: an empty
HTTP 200 body (and, on the search endpoint, ``search_nil_info`` with ``verify_check``).

A challenge lists only works whose structured hashtags carry its tag (the world's search also
returns near misses, which belong to their own challenge). Challenge ids are the world's hashtag
ids (by tag key) and are remembered, so ``challenge/aweme?ch_id=`` can find the tag again. The
profile call looks the account up by ``sec_uid``; ``sec_uid``s seen in served awemes are also
remembered, for a context that only knows accounts by ``uid``.

Comments (signed like every endpoint): ``comment/list/?aweme_id=&cursor=&count=`` pages a work's
top-level comments (hot first) and ``comment/list/reply/?item_id=&comment_id=&cursor=&count=`` a
thread's replies (oldest first), both ``{status_code, comments (null when empty), cursor,
has_more, total}`` with ``cursor`` the next offset. A reply's ``reply_id`` is its thread's root
``cid`` and ``reply_to_reply_id`` the reply it answers (``"0"`` when it answers the root).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from tracker.normalize.tags import tag_key
from tracker.signing.dev import verify
from tracker.sim.model import (
    Route,
    SimAccount,
    SimComment,
    SimContext,
    SimPost,
    SimRequest,
    SimResponse,
)
from tracker.sim.world import hashtag_id

__all__ = ["SIM", "DouyinSim", "challenge_id", "render_aweme", "render_user"]

PLATFORM = "douyin"
MAX_COUNT = 20
NEAR_MISS_SUFFIXES = ("大赛", "挑战")
_ORG_WORDS = (
    "org",
    "enterprise",
    "gov",
    "media",
    "institution",
    "机构",
    "企业",
    "政府",
    "媒体",
    "官方",
)


def _json(body: Any, status: int = 200) -> SimResponse:
    return SimResponse(status=status, body=body)


def _logid(ctx: SimContext, *key: object) -> str:
    stamp = ctx.now.strftime("%Y%m%d%H%M%S")
    return f"{stamp}{ctx.rng('douyin-logid', *key).getrandbits(80):020X}"


def _extra(ctx: SimContext, *key: object) -> dict[str, Any]:
    logid = _logid(ctx, *key)
    return {
        "extra": {"now": int(ctx.now.timestamp() * 1000), "logid": logid, "fatal_item_ids": []},
        "log_pb": {"impr_id": logid},
    }


def _bare(tag: str) -> str:
    name = tag.strip().strip("#＃").strip()
    if name.endswith("[话题]"):
        name = name[: -len("[话题]")].rstrip("#＃")
    return name


def challenge_id(name: str) -> str:
    """The tag's 16-digit challenge id: the world's hashtag id (by tag key, so spellings share it)."""
    return hashtag_id(name)


def _is_org(account: SimAccount) -> bool:
    vt = (account.verify_type or "").lower()
    return any(w in vt for w in _ORG_WORDS)


def _verify_fields(account: SimAccount) -> dict[str, str]:
    if not account.verified:
        return {"custom_verify": "", "enterprise_verify_reason": ""}
    if _is_org(account):
        return {"custom_verify": "", "enterprise_verify_reason": f"{account.name}官方账号"}
    return {
        "custom_verify": account.verify_type or "优质科普创作者",
        "enterprise_verify_reason": "",
    }


def _avatar(account: SimAccount) -> dict[str, Any]:
    url = account.avatar or f"https://p3-pc.douyinpic.com/aweme/100x100/{account.uid}.jpeg"
    return {"uri": f"aweme-avatar/{account.uid}", "url_list": [url], "width": 720, "height": 720}


def _author(account: SimAccount) -> dict[str, Any]:
    """The author object inside an aweme: follower_count is 0 here, as on the real site."""
    return {
        "uid": account.uid,
        "sec_uid": account.sec_uid,
        "short_id": account.uid[-11:],
        "unique_id": "",
        "nickname": account.name,
        "signature": "",
        "avatar_thumb": _avatar(account),
        "follow_status": 0,
        "follower_count": 0,
        "following_count": 0,
        "total_favorited": 0,
        "is_verified": True,
        "verification_type": 1,
        **_verify_fields(account),
        "region": "CN",
        "is_ad_fake": False,
        "prevent_download": False,
    }


def render_user(account: SimAccount) -> dict[str, Any]:
    """``user/profile/other``'s ``user``: the one place with the real follower count."""
    return {
        "uid": account.uid,
        "sec_uid": account.sec_uid,
        "short_id": account.uid[-11:],
        "unique_id": "",
        "nickname": account.name,
        "signature": "",
        "avatar_thumb": _avatar(account),
        "avatar_larger": _avatar(account),
        "follower_count": account.followers,
        "mplatform_followers_count": account.followers,
        "max_follower_count": account.followers,
        "following_count": 0,
        "aweme_count": 0,
        "total_favorited": 0,
        "favoriting_count": 0,
        **_verify_fields(account),
        "ip_location": "IP属地：广东",
        "is_block": False,
        "user_age": -1,
    }


def _text_extra(post: SimPost) -> list[dict[str, Any]]:
    """Hashtags as Douyin structures them: bare, lower-case names with offsets into ``desc``."""
    out: list[dict[str, Any]] = []
    ids = (post.extra.get("hashtag_ids") or "").split(",") if post.extra else []
    for n, raw in enumerate(post.hashtags):
        name = _bare(raw)
        if not name:
            continue
        start = post.text.find(raw)
        out.append(
            {
                "start": max(start, 0),
                "end": max(start, 0) + len(raw),
                "type": 1,
                "hashtag_name": name.lower(),
                "hashtag_id": ids[n] if n < len(ids) and ids[n] else challenge_id(name),
                "is_commerce": False,
                "caption_start": 0,
                "caption_end": 0,
            }
        )
    return out


def _put(target: dict[str, Any], key: str, value: int | None) -> None:
    if value is not None:
        target[key] = value


def render_aweme(post: SimPost) -> dict[str, Any]:
    """One aweme object (``aweme_list[i]`` / ``aweme_detail``) in Douyin's web shape."""
    image = post.content_type == "image"
    m = post.metrics
    stats: dict[str, Any] = {
        "aweme_id": post.post_id,
        "play_count": m.views or 0,  # the web never shows plays: 0 unless the world knows them
        "download_count": 0,
        "forward_count": 0,
        "admire_count": 0,
    }
    _put(stats, "digg_count", m.likes)
    _put(stats, "comment_count", m.comments)
    _put(stats, "share_count", m.shares)
    _put(stats, "collect_count", m.favorites)
    duration_ms = 0 if image else (post.duration_s or 0) * 1000
    tags = [_bare(t) for t in post.hashtags if _bare(t)]
    kind = "note" if image else "video"
    aweme: dict[str, Any] = {
        "aweme_id": post.post_id,
        "group_id": post.post_id,
        "desc": post.text,
        "caption": post.text,
        "item_title": post.title,
        "create_time": int(post.published_at.timestamp()),
        "aweme_type": 68 if image else 0,
        "media_type": 2 if image else 4,
        "author_user_id": int(post.account.uid) if post.account.uid.isdigit() else 0,
        "author": _author(post.account),
        "statistics": stats,
        "text_extra": _text_extra(post),
        "cha_list": [
            {"cid": challenge_id(tags[0]), "cha_name": tags[0].lower(), "desc": "", "type": 0}
        ]
        if tags
        else [],
        "duration": duration_ms,
        "video": {
            "duration": duration_ms,
            "cover": {"url_list": [f"https://p3-pc-sign.douyinpic.com/obj/{post.post_id}.jpeg"]},
            "width": 1080,
            "height": 1920,
        },
        "share_url": f"https://www.iesdouyin.com/share/{kind}/{post.post_id}/",
        "share_info": {"share_url": f"https://www.iesdouyin.com/share/{kind}/{post.post_id}/"},
        "status": {"aweme_id": post.post_id, "is_delete": False, "allow_share": True},
        "images": [{"url_list": [f"https://p3-sign.douyinpic.com/{post.post_id}.webp"]}]
        if image
        else None,
        "prevent_download": False,
        "region": "CN",
    }
    return aweme


def render_comment(comment: SimComment, post: SimPost) -> dict[str, Any]:
    """One ``comments[i]`` of ``comment/list`` (a reply on ``comment/list/reply``)."""
    user = comment.author
    is_reply = comment.root_id is not None
    to_reply = is_reply and comment.parent_id != comment.root_id
    body: dict[str, Any] = {
        "cid": comment.comment_id,
        "text": comment.text,
        "aweme_id": post.post_id,
        "create_time": int(comment.published_at.timestamp()),
        "digg_count": comment.likes,
        "status": 1,
        "user": {
            "uid": user.uid,
            "sec_uid": user.sec_uid,
            "nickname": user.name,
            "avatar_thumb": _avatar(user),
        },
        "reply_id": comment.root_id if is_reply else "0",
        "reply_to_reply_id": comment.parent_id if to_reply else "0",
        "reply_comment": None,
        "reply_comment_total": comment.reply_count,
        "user_digged": 0,
        "is_author_digged": False,
        "text_extra": [],
        "label_text": "作者" if user.uid == post.account.uid else "",
        "ip_label": "广东",
    }
    if to_reply and comment.reply_to is not None:
        body["reply_to_username"] = comment.reply_to.name
        body["reply_to_userid"] = comment.reply_to.uid
    return body


def _int(query: Any, name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except (TypeError, ValueError):
        return default


class DouyinSim:
    """The Douyin web endpoints the live connector uses, in their real shapes."""

    platform = PLATFORM

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._challenges: dict[str, str] = {}
        self._sec_uids: dict[str, str] = {}

    def routes(self) -> list[Route]:
        return [
            Route("GET", re.compile(r"^/aweme/v1/web/challenge/search/?$"), self.challenge_search),
            Route("GET", re.compile(r"^/aweme/v1/web/challenge/aweme/?$"), self.challenge_aweme),
            Route("GET", re.compile(r"^/aweme/v1/web/aweme/detail/?$"), self.aweme_detail),
            Route("GET", re.compile(r"^/aweme/v1/web/user/profile/other/?$"), self.user_profile),
            Route("GET", re.compile(r"^/aweme/v1/web/comment/list/?$"), self.comment_list),
            Route("GET", re.compile(r"^/aweme/v1/web/comment/list/reply/?$"), self.comment_replies),
        ]

    # --- failure signals ------------------------------------------------------------------

    def throttle_response(self) -> SimResponse:
        """Douyin has no documented throttle code; the gateway answers 429."""
        return SimResponse(
            status=429,
            body={"status_code": 2154, "status_msg": "请求太频繁，请稍后再试"},
            headers={"Retry-After": "1"},
        )

    def login_wall_response(self) -> SimResponse:
        return _json({"status_code": 8, "status_msg": "用户未登录", "log_pb": {"impr_id": ""}})

    def block_response(self) -> SimResponse:
        """The silent block: HTTP 200 with an empty body."""
        return SimResponse(status=200, body=b"", content_type="application/json; charset=utf-8")

    def _search_block(self, ctx: SimContext) -> SimResponse:
        return _json(
            {
                "status_code": 0,
                "challenge_list": [],
                "has_more": 0,
                "cursor": 0,
                "search_nil_info": {
                    "search_nil_type": "verify_check",
                    "search_nil_item": "",
                    "text_type": 0,
                    "is_load_more": "",
                },
                **_extra(ctx, "nil"),
            }
        )

    @staticmethod
    def _signed(request: SimRequest) -> bool:
        return verify(PLATFORM, request.query, request.headers, request.body)

    # --- handlers -------------------------------------------------------------------------

    def challenge_search(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not self._signed(request):
            return self._search_block(ctx)
        keyword = _bare(request.query.get("keyword", ""))
        if not keyword:
            return _json({"status_code": 2, "status_msg": "参数不合法"})
        infos: list[dict[str, Any]] = []
        for name in (keyword, *(keyword + s for s in NEAR_MISS_SUFFIXES)):
            cid = challenge_id(name)
            with self._lock:
                self._challenges[cid] = name
            _, total = ctx.search(PLATFORM, name, offset=0, limit=1)
            infos.append(
                {
                    "challenge_info": {
                        "cid": cid,
                        "cha_name": name.lower(),
                        "desc": "",
                        "schema": f"aweme://aweme/challenge/detail?cid={cid}",
                        "user_count": total,
                        "view_count": total * 1000,
                        "type": 1,
                        "is_commerce": False,
                    }
                }
            )
        body = {
            "status_code": 0,
            "challenge_list": infos,
            "has_more": 0,
            "cursor": len(infos),
            "keyword": keyword,
            **_extra(ctx, "cs", keyword),
        }
        return _json(body)

    def _remember(self, posts: list[SimPost]) -> None:
        with self._lock:
            for post in posts:
                self._sec_uids[post.account.sec_uid] = post.account.uid

    def challenge_aweme(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not self._signed(request):
            return self.block_response()
        q = request.query
        with self._lock:
            name = self._challenges.get(q.get("ch_id", ""))
        cursor = max(0, _int(q, "cursor", 0))
        count = min(MAX_COUNT, max(1, _int(q, "count", MAX_COUNT)))
        if name is None:
            return _json(
                {"status_code": 0, "aweme_list": [], "has_more": 0, "cursor": cursor, **_extra(ctx)}
            )
        posts, total = ctx.search(PLATFORM, name, offset=cursor, limit=count)
        key = tag_key(name)  # a challenge lists its own tag only, not the search's near misses
        shown = [p for p in posts if not p.deleted and key in {tag_key(h) for h in p.hashtags}]
        self._remember(shown)
        nxt = cursor + count
        body = {
            "status_code": 0,
            "aweme_list": [render_aweme(p) for p in shown],
            "has_more": 1 if nxt < total else 0,
            "cursor": nxt if nxt < total else cursor + len(posts),
            **_extra(ctx, "ca", name, cursor),
        }
        return _json(body)

    def aweme_detail(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not self._signed(request):
            return self.block_response()
        aweme_id = request.query.get("aweme_id", "")
        post = ctx.post(PLATFORM, aweme_id) if aweme_id.isdigit() else None
        if post is None or post.deleted:
            return _json(
                {
                    "status_code": 0,
                    "aweme_detail": None,
                    "filter_detail": {
                        "aweme_id": aweme_id,
                        "filter_reason": "status_deleted",
                        "detail_msg": "因作品权限或已被删除，无法观看，去看看其他作品吧",
                        "icon": "",
                        "notice": "",
                    },
                    **_extra(ctx, "d", aweme_id),
                }
            )
        self._remember([post])
        return _json(
            {"status_code": 0, "aweme_detail": render_aweme(post), **_extra(ctx, "d", aweme_id)}
        )

    def user_profile(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not self._signed(request):
            return self.block_response()
        sec_uid = request.query.get("sec_user_id", "")
        account = ctx.account(PLATFORM, sec_uid) if sec_uid else None
        if account is None:  # a world that looks accounts up by uid only
            with self._lock:
                uid = self._sec_uids.get(sec_uid)
            account = ctx.account(PLATFORM, uid) if uid else None
        if account is None:
            return _json(
                {"status_code": 5, "status_msg": "用户不存在", **_extra(ctx, "u", sec_uid)}
            )
        return _json({"status_code": 0, "user": render_user(account), **_extra(ctx, "u", sec_uid)})

    def _comment_page(
        self, ctx: SimContext, items: tuple[SimComment, ...], post: SimPost | None,
        request: SimRequest, total: int, *key: object,
    ) -> SimResponse:  # fmt: skip
        cursor = max(0, _int(request.query, "cursor", 0))
        count = min(MAX_COUNT, max(1, _int(request.query, "count", MAX_COUNT)))
        page = items[cursor : cursor + count] if post is not None else ()
        nxt = cursor + len(page)
        body = {
            "status_code": 0,
            "comments": [render_comment(c, post) for c in page] if page and post else None,
            "cursor": nxt,
            "has_more": 1 if nxt < len(items) else 0,
            "total": total,
            **_extra(ctx, *key, cursor),
        }
        return _json(body)

    def comment_list(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not self._signed(request):
            return self.block_response()
        aweme_id = request.query.get("aweme_id", "")
        view = ctx.comments(PLATFORM, aweme_id) if aweme_id.isdigit() else None
        if view is None:
            return self._comment_page(ctx, (), None, request, 0, "cl", aweme_id)
        return self._comment_page(
            ctx, view.roots, view.post, request, view.claimed or 0, "cl", aweme_id
        )

    def comment_replies(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not self._signed(request):
            return self.block_response()
        cid = request.query.get("comment_id", "")
        found = ctx.comment_thread(PLATFORM, cid)
        item_id = request.query.get("item_id", "")
        if found is None or found[0].post.post_id != item_id or found[1].root_id is not None:
            return self._comment_page(ctx, (), None, request, 0, "cr", cid)
        view, root = found
        replies = view.replies(root.comment_id)
        return self._comment_page(ctx, replies, view.post, request, len(replies), "cr", cid)


SIM = DouyinSim()
