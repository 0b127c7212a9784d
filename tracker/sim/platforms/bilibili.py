"""Bilibili as the simulator plays it: ``nav`` (WBI keys), WBI-signed video search, ``view``.

Bodies copy the real shapes (``x/web-interface/search/type`` video items with
``<em class="keyword">`` highlights and ``"M:SS"`` durations; ``view``/``view/detail`` with
``stat``, ``owner``, ``Card.card.fans`` and ``Tags``), so the connector's parser reads them
unchanged. The search is WBI-verified exactly: ``nav`` serves keys derived from the world seed
and the virtual day (they rotate daily, as the real ones do; the previous day's keys are still
accepted), and a request whose ``w_rid`` does not match answers the real disguised block,
``code 0`` with ``data.v_voucher``. Search results stop at 1,000 (50 pages of 20), and honour
``pubtime_begin_s``/``pubtime_end_s``, which is how a connector gets past that cap.

Comments (no signature, as the unsigned ``main`` endpoint needs none):
``x/v2/reply/main?type=1&oid=<aid>&mode=3&next=<n>`` pages a video's top-level comments, hot
first, 20 a page: ``next`` 0 (or absent) is the first page, ``data.cursor.next`` the next one,
``data.cursor.is_end`` the last, ``data.cursor.all_count`` the video's comment count; each comment
carries up to three replies in ``replies`` (``null`` when none). ``x/v2/reply/reply?type=1&
oid=<aid>&root=<rpid>&pn=<page>&ps=<size ≤ 20>`` pages a thread's replies, oldest first, with
``data.page{num, size, count}``; ``replies`` is ``null`` past the end. A reply names its thread
in ``root`` and the comment it answers in ``parent``; a reply to a reply starts
``回复 @name :``.
"""

from __future__ import annotations

import html
import math
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tracker.sim import bilibili_wbi as wbi
from tracker.sim.ids import aid_to_bvid, bvid_to_aid, is_bvid
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

__all__ = ["SIM", "BilibiliSim", "render_search_item", "render_view", "wbi_keys"]

PLATFORM = "bilibili"
SHANGHAI = timezone(timedelta(hours=8))
RESULT_CAP = 1000
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 20
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


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> SimResponse:
    return SimResponse(status=status, body=body, headers=headers or {})


def _error(code: int, message: str, status: int = 200) -> SimResponse:
    return _json({"code": code, "message": message, "ttl": 1, "data": None}, status)


def wbi_keys(ctx: SimContext, day_offset: int = 0) -> tuple[str, str]:
    """``(img_key, sub_key)`` for the virtual day (Asia/Shanghai), from the world seed."""
    day = (ctx.now.astimezone(SHANGHAI) + timedelta(days=day_offset)).date().isoformat()
    rng = ctx.rng("bilibili-wbi", day)
    return f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(128):032x}"


def _ids(post: SimPost) -> tuple[str, int]:
    """(bvid, aid) whether the world keys the post by BV id or by aid."""
    bvid = post.extra.get("bvid") if post.extra else None
    aid = post.extra.get("aid") if post.extra else None
    if not bvid:
        bvid = post.post_id if is_bvid(post.post_id) else aid_to_bvid(int(aid or post.post_id))
    return bvid, int(aid) if aid else bvid_to_aid(bvid)


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _duration_text(seconds: int | None) -> str:
    s = seconds or 0
    return f"{s // 60}:{s % 60:02d}"


def _tag_names(post: SimPost) -> list[str]:
    """Bilibili tags are bare names (no ``#``), as in the ``tag`` string and ``Tags[].tag_name``."""
    out: list[str] = []
    for raw in post.hashtags:
        name = raw.strip().strip("#＃").strip()
        if name.endswith("[话题]"):
            name = name[: -len("[话题]")]
        if name and name not in out:
            out.append(name)
    return out


def _highlight(title: str, keyword: str) -> str:
    """HTML-escape the title and wrap each hit of the keyword as search does."""
    escaped = html.escape(title, quote=False)
    word = html.escape(keyword.strip().strip("#＃").strip(), quote=False)
    if not word:
        return escaped
    return re.sub(
        re.escape(word), lambda m: f'<em class="keyword">{m.group(0)}</em>', escaped, flags=re.I
    )


def _is_org(account: SimAccount) -> bool:
    vt = (account.verify_type or "").lower()
    return any(w in vt for w in _ORG_WORDS)


def _official(account: SimAccount) -> dict[str, Any]:
    if not account.verified:
        return {"role": 0, "title": "", "desc": "", "type": -1}
    if _is_org(account):
        return {"role": 3, "title": f"{account.name}官方账号", "desc": "", "type": 1}
    return {"role": 1, "title": "bilibili 知名UP主", "desc": "", "type": 0}


def _face(account: SimAccount) -> str:
    return account.avatar or f"https://i0.hdslb.com/bfs/face/{account.uid}.jpg"


def _put(target: dict[str, Any], key: str, value: int | None) -> None:
    """Counts the world does not expose are left out (the parser reads them as unknown)."""
    if value is not None:
        target[key] = value


def render_search_item(post: SimPost, keyword: str) -> dict[str, Any]:
    """One ``data.result[]`` video item in the shape of a current search response."""
    bvid, aid = _ids(post)
    m = post.metrics
    item: dict[str, Any] = {
        "type": "video",
        "id": aid,
        "author": post.account.name,
        "mid": int(post.account.uid),
        "typeid": "201",
        "typename": "科学科普",
        "arcurl": f"http://www.bilibili.com/video/av{aid}",
        "aid": aid,
        "bvid": bvid,
        "title": _highlight(post.title, keyword),
        "description": post.text,
        "arcrank": "0",
        "pic": f"//i0.hdslb.com/bfs/archive/{bvid}.jpg",
        "tag": ",".join(_tag_names(post)),
        "pubdate": _epoch(post.published_at),
        "senddate": _epoch(post.published_at),
        "duration": _duration_text(post.duration_s),
        "badgepay": False,
        "hit_columns": ["title", "tag"],
        "view_type": "",
        "is_pay": 0,
        "is_union_video": 0,
        "rec_tags": None,
        "new_rec_tags": [],
        "rank_score": 0,
        "upic": _face(post.account),
    }
    _put(item, "play", m.views)
    _put(item, "favorites", m.favorites)
    _put(item, "review", m.comments)
    _put(item, "like", m.likes)
    danmaku = (m.comments or 0) // 3
    item["video_review"] = danmaku
    item["danmaku"] = danmaku
    return item


def _card(account: SimAccount) -> dict[str, Any]:
    official = _official(account)
    return {
        "card": {
            "mid": account.uid,
            "name": account.name,
            "approve": False,
            "sex": "保密",
            "rank": "10000",
            "face": _face(account),
            "DisplayRank": "0",
            "regtime": 0,
            "spacesta": 0,
            "birthday": "",
            "place": "",
            "description": "",
            "article": 0,
            "attentions": [],
            "fans": account.followers,
            "friend": 0,
            "attention": 0,
            "sign": "",
            "level_info": {"current_level": 6, "current_min": 0, "current_exp": 0, "next_exp": 0},
            "Official": official,
            "official_verify": {"type": official["type"], "desc": official["title"]},
        },
        "following": False,
        "archive_count": 0,
        "article_count": 0,
        "follower": account.followers,
        "like_num": 0,
    }


def render_view(post: SimPost) -> dict[str, Any]:
    """The ``view`` object (``data`` of ``view``, ``data.View`` of ``view/detail``)."""
    bvid, aid = _ids(post)
    m = post.metrics
    stat: dict[str, Any] = {"aid": aid, "danmaku": (m.comments or 0) // 3, "coin": 0}
    _put(stat, "view", m.views)
    _put(stat, "reply", m.comments)
    _put(stat, "favorite", m.favorites)
    _put(stat, "share", m.shares)
    _put(stat, "like", m.likes)
    stat.update({"now_rank": 0, "his_rank": 0, "dislike": 0, "evaluation": "", "vt": 0})
    duration = post.duration_s or 0
    return {
        "bvid": bvid,
        "aid": aid,
        "videos": 1,
        "tid": 201,
        "tname": "科学科普",
        "copyright": 1,
        "pic": f"http://i0.hdslb.com/bfs/archive/{bvid}.jpg",
        "title": post.title,
        "pubdate": _epoch(post.published_at),
        "ctime": _epoch(post.published_at),
        "desc": post.text,
        "desc_v2": [{"raw_text": post.text, "type": 1, "biz_id": 0}],
        "state": 0,
        "duration": duration,
        "owner": {
            "mid": int(post.account.uid),
            "name": post.account.name,
            "face": _face(post.account),
        },
        "stat": stat,
        "dynamic": "".join(f"#{t}#" for t in _tag_names(post)),
        "cid": aid + 1,
        "dimension": {"width": 1920, "height": 1080, "rotate": 0},
        "pages": [
            {"cid": aid + 1, "page": 1, "from": "vupload", "part": post.title, "duration": duration}
        ],
    }


COMMENT_PAGE = 20
REPLY_PAGE = 20
INLINE_REPLIES = 3
_EMOTES = {"[doge]": 26, "[妙啊]": 3243, "[笑哭]": 8}


def _emote(message: str) -> dict[str, Any]:
    return {
        code: {
            "id": eid,
            "text": code,
            "url": f"https://i0.hdslb.com/bfs/emote/{eid}.png",
            "meta": {"size": 1},
        }
        for code, eid in _EMOTES.items()
        if code in message
    }


def render_reply(comment: SimComment, view: SimComments, *, inline: bool = False) -> dict[str, Any]:
    """One ``data.replies[i]``: a top-level comment (``inline``: with its first replies) or a
    reply."""
    rpid = int(comment.comment_id)
    _, aid = _ids(view.post)
    root = int(comment.root_id) if comment.root_id else 0
    parent = int(comment.parent_id) if comment.parent_id else 0
    member = comment.author
    body: dict[str, Any] = {
        "rpid": rpid,
        "oid": aid,
        "type": 1,
        "mid": int(member.uid),
        "root": root,
        "parent": parent,
        "dialog": parent if parent != root else rpid if not root else root,
        "count": comment.reply_count,
        "rcount": comment.reply_count,
        "state": 0,
        "fansgrade": 0,
        "attr": 0,
        "ctime": _epoch(comment.published_at),
        "rpid_str": comment.comment_id,
        "root_str": str(root),
        "parent_str": str(parent),
        "like": comment.likes,
        "action": 0,
        "member": {
            "mid": member.uid,
            "uname": member.name,
            "sex": "保密",
            "sign": "",
            "avatar": _face(member),
            "level_info": {"current_level": 1 + int(member.uid) % 6},
        },
        "content": {
            "message": comment.text,
            "members": [],
            "emote": _emote(comment.text),
            "jump_url": {},
            "max_line": 6,
        },
        "replies": None,
        "up_action": {"like": False, "reply": False},
        "reply_control": {"location": "IP属地：广东"},
    }
    if inline and not root:
        shown = view.replies(comment.comment_id)[:INLINE_REPLIES]
        body["replies"] = [render_reply(r, view) for r in shown] or None
        if comment.reply_count:
            body["reply_control"]["sub_reply_entry_text"] = f"共{comment.reply_count}条回复"
    return body


def _cookie_names(request: SimRequest) -> set[str]:
    raw = next((v for k, v in request.headers.items() if k.lower() == "cookie"), "")
    return {part.split("=", 1)[0].strip() for part in raw.split(";") if "=" in part}


def _int(query: dict[str, str] | Any, name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except (TypeError, ValueError):
        return default


class BilibiliSim:
    """The Bilibili endpoints the live connector uses, in their real shapes."""

    platform = PLATFORM

    def routes(self) -> list[Route]:
        return [
            Route("GET", re.compile(r"^/x/web-interface/nav/?$"), self.nav),
            Route("GET", re.compile(r"^/x/web-interface/wbi/search/type/?$"), self.search),
            Route(
                "GET", re.compile(r"^/x/web-interface/(?:wbi/)?view/detail/?$"), self.view_detail
            ),
            Route("GET", re.compile(r"^/x/web-interface/(?:wbi/)?view/?$"), self.view),
            Route("GET", re.compile(r"^/x/v2/reply/main/?$"), self.reply_main),
            Route("GET", re.compile(r"^/x/v2/reply/reply/?$"), self.reply_reply),
        ]

    # --- failure signals ------------------------------------------------------------------

    def throttle_response(self) -> SimResponse:
        """-412 "request intercepted", sent with HTTP 412 as the real API does."""
        return _error(-412, "请求被拦截", status=412)

    def login_wall_response(self) -> SimResponse:
        return _error(-101, "账号未登录")

    def block_response(self) -> SimResponse:
        """The disguised block: ``code 0`` and no results, only ``data.v_voucher``."""
        voucher = f"voucher_{uuid.uuid4()}"
        return _json(
            {"code": 0, "message": "0", "ttl": 1, "data": {"v_voucher": voucher}},
            headers={"x-bili-gaia-vvoucher": voucher},
        )

    # --- handlers -------------------------------------------------------------------------

    def nav(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        img, sub = wbi_keys(ctx)
        return _json(
            {
                "code": -101,
                "message": "账号未登录",
                "ttl": 1,
                "data": {
                    "isLogin": False,
                    "wbi_img": {
                        "img_url": f"https://i0.hdslb.com/bfs/wbi/{img}.png",
                        "sub_url": f"https://i0.hdslb.com/bfs/wbi/{sub}.png",
                    },
                },
            }
        )

    def _signed(self, request: SimRequest, ctx: SimContext) -> bool:
        return any(wbi.verify(request.query, *wbi_keys(ctx, d)) for d in (0, -1))

    def search(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if "buvid3" not in _cookie_names(request):
            return self.throttle_response()  # no anonymous device cookie: intercepted
        if not self._signed(request, ctx):
            return self.block_response()
        q = request.query
        if q.get("search_type", "video") != "video":
            return _error(-400, "请求错误")
        keyword = q.get("keyword", "")
        if not keyword.strip():
            return _error(-400, "请求错误")
        page = max(1, _int(q, "page", 1))
        size = min(MAX_PAGE_SIZE, max(1, _int(q, "page_size", DEFAULT_PAGE_SIZE)))
        begin, end = _int(q, "pubtime_begin_s", 0), _int(q, "pubtime_end_s", 0)
        since = datetime.fromtimestamp(begin, UTC) if begin > 0 else None
        until = datetime.fromtimestamp(end, UTC) if end > 0 else None  # both ends inclusive
        offset = (page - 1) * size
        limit = max(0, min(size, RESULT_CAP - offset))
        posts: list[SimPost] = []
        if limit:
            posts, total = ctx.search(
                PLATFORM, keyword, offset=offset, limit=limit, since=since, until=until
            )
        else:  # past the cap: only the total is needed
            _, total = ctx.search(PLATFORM, keyword, offset=0, limit=1, since=since, until=until)
        shown = min(total, RESULT_CAP)
        pages = min(math.ceil(shown / size), RESULT_CAP // size) if shown else 0
        result = [render_search_item(p, keyword) for p in posts if not p.deleted]
        data: dict[str, Any] = {
            "seid": str(ctx.rng("bilibili-seid", keyword, page).getrandbits(60)),
            "page": page,
            "pagesize": size,
            "numResults": shown,
            "numPages": pages,
            "suggest_keyword": "",
            "rqt_type": "search",
            "exp_list": {},
            "egg_hit": 0,
            "result": result,
            "show_column": 0,
        }
        if page < pages:
            data["next"] = page + 1
        return _json({"code": 0, "message": "0", "ttl": 1, "data": data})

    def _find(self, request: SimRequest, ctx: SimContext) -> SimPost | None:
        q = request.query
        bvid = q.get("bvid")
        aid = q.get("aid")
        candidates: list[str] = []
        if bvid and is_bvid(bvid):
            candidates += [bvid, str(bvid_to_aid(bvid))]
        elif aid and aid.isdigit() and 0 < int(aid) < 1 << 51:
            candidates += [aid_to_bvid(int(aid)), aid]
        for post_id in candidates:
            post = ctx.post(PLATFORM, post_id)
            if post is not None:
                return None if post.deleted else post
        return None

    def view(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        post = self._find(request, ctx)
        if post is None:
            return _error(-404, "啥都木有")
        return _json({"code": 0, "message": "0", "ttl": 1, "data": render_view(post)})

    def view_detail(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if request.path.rstrip("/").endswith("/wbi/view/detail") and not self._signed(request, ctx):
            return self.block_response()
        post = self._find(request, ctx)
        if post is None:
            return _error(-404, "啥都木有")
        tags = [
            {
                "tag_id": i + 1,
                "tag_name": name,
                "music_id": "",
                "tag_type": "old_channel",
                "jump_url": "",
            }
            for i, name in enumerate(_tag_names(post))
        ]
        data = {
            "View": render_view(post),
            "Card": _card(post.account),
            "Tags": tags,
            "Reply": {"page": None, "replies": []},
            "Related": [],
        }
        return _json({"code": 0, "message": "0", "ttl": 1, "data": data})

    def _comments(self, request: SimRequest, ctx: SimContext) -> SimComments | None:
        oid = request.query.get("oid", "")
        if request.query.get("type", "1") != "1" or not oid.isdigit():
            return None
        return ctx.comments(PLATFORM, oid)

    def reply_main(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if not request.query.get("oid", "").isdigit():
            return _error(-400, "请求错误")
        view = self._comments(request, ctx)
        if view is None:
            return _error(12002, "评论区已关闭")
        page = max(1, _int(request.query, "next", 0))
        offset = (page - 1) * COMMENT_PAGE
        items = view.roots[offset : offset + COMMENT_PAGE]
        is_end = offset + COMMENT_PAGE >= len(view.roots)
        cursor = {
            "is_begin": page == 1,
            "prev": max(1, page - 1),
            "next": page + 1,
            "is_end": is_end,
            "all_count": view.claimed or 0,
            "mode": 3,
            "name": "热门评论",
        }
        data = {
            "cursor": cursor,
            "replies": [render_reply(c, view, inline=True) for c in items] or None,
            "top_replies": None,
            "upper": {"mid": int(view.post.account.uid)},
        }
        return _json({"code": 0, "message": "0", "ttl": 1, "data": data})

    def reply_reply(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        q = request.query
        root_id = q.get("root", "")
        if not q.get("oid", "").isdigit() or not root_id.isdigit():
            return _error(-400, "请求错误")
        view = self._comments(request, ctx)
        root = view.get(root_id) if view is not None else None
        if view is None or root is None or root.root_id is not None:
            return _error(12022, "已经被删除了")
        pn = max(1, _int(q, "pn", 1))
        ps = min(REPLY_PAGE, max(1, _int(q, "ps", 10)))
        replies = view.replies(root_id)
        items = replies[(pn - 1) * ps : pn * ps]
        data = {
            "config": {"showtopic": 1, "show_up_flag": True, "read_only": False},
            "page": {"num": pn, "size": ps, "count": len(replies)},
            "replies": [render_reply(r, view) for r in items] or None,
            "root": render_reply(root, view),
            "upper": {"mid": int(view.post.account.uid)},
        }
        return _json({"code": 0, "message": "0", "ttl": 1, "data": data})


SIM = BilibiliSim()
