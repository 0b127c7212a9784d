"""Zhihu (知乎) in its real response shapes: search_v3, roundtables, question answers, details.

Served paths (under the simulator's ``/zhihu`` mount), every one checked for the development
``x-zse-96`` signature (a missing or wrong one gets HTTP 403 with error code 10003, "请求参数异常",
which is what the real site answers to a bad signature):

- ``api/v4/search_v3?q=&offset=&limit=``: ``data[]`` items ``search_result`` (answers,
  articles) and ``zvideo`` with the work in ``object`` and ``<em>`` marks in ``highlight`` and in
  the answer's ``question.name``; ``paging{is_end, next, totals}``; a "related searches" item on
  the first page as the real page has.
- ``api/v4/roundtables/{id}/hot-questions``: ``data[].question`` for the questions that have
  answers in the roundtable. The world is asked ``search("zhihu", "__roundtable__:<id>")``
  for the roundtable's answers (each with ``extra["question_id"]``).
- ``api/v4/questions/{qid}/answers`` (answers in ``data[]``) and ``.../feeds`` (answers in
  ``data[].target``): the world is asked ``search("zhihu", "__question__:<qid>")``.
- ``api/v4/answers/{id}``, ``articles/{id}``, ``zvideos/{id}``: the object itself; a deleted
  work is a 404 ``NotFoundError``.

- ``api/v4/comment_v5/{answers|articles|zvideos|questions}/{id}/root_comment?order_by=score&
  limit=&offset=``: a work's top-level comments, hot first (``limit`` at most 20), each with its
  first two replies in ``child_comments``; ``counts.total_counts`` is the work's comment count,
  ``paging.totals`` the readable top-level ones. ``api/v4/comment_v5/comment/{root id}/
  child_comment?order_by=ts&limit=&offset=`` (also under ``.../{kind}s/{id}/root_comment/{root
  id}/child_comment``): a thread's replies, oldest first, each naming its
  thread (``reply_root_comment_id``) and the comment it answers (``reply_comment_id``). The
  ``offset`` is opaque (``<n>_<last comment id>_0``, as real next links carry): clients take it
  from ``paging.next``; empty is the first page, ``paging.is_end`` marks the last.

Times are epoch seconds; counts are exact ints (Zhihu's JSON never abbreviates them).

Signals: throttling is HTTP 429 with ``Retry-After``; the login wall is 401
``{"error":{"code":101,"name":"AuthenticationError","message":"ZERR_NOT_LOGIN"}}``; the block is
the anti-abuse answer ``{"error":{"code":40362,...}}`` under HTTP 200.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tracker.signing.dev import verify
from tracker.sim.ids import stable_hash
from tracker.sim.model import (
    Handler,
    Route,
    SimAccount,
    SimComment,
    SimComments,
    SimContext,
    SimPost,
    SimRequest,
    SimResponse,
)

__all__ = ["QUESTION_QUERY", "ROUNDTABLE_QUERY", "SIM", "ZhihuSim", "render_object"]

PLATFORM = "zhihu"
API = "https://www.zhihu.com/api/v4"
DEFAULT_LIMIT = 20
MAX_LIMIT = 20
ROUNDTABLE_QUERY = "__roundtable__:"
"""``ctx.search`` query prefix: the answers posted in a roundtable (圆桌), newest first."""
QUESTION_QUERY = "__question__:"
"""``ctx.search`` query prefix: the answers to one question, newest first."""
_SCAN = 100
_TYPES = {"answer": "answer", "article": "article", "video": "zvideo"}
_NOT_FOUND = {
    "error": {
        "code": 404,
        "name": "NotFoundError",
        "message": "你似乎来到了没有知识存在的荒原",
    }
}
_BAD_SIGNATURE = {"error": {"code": 10003, "message": "请求参数异常，请升级客户端后重试"}}


def _epoch(dt: datetime) -> int:
    return int(dt.astimezone(UTC).timestamp())


def _int_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _kind(post: SimPost) -> str:
    return _TYPES.get(post.content_type, "answer")


def _question_id(post: SimPost) -> str:
    qid = post.extra.get("question_id")
    return qid or str(300_000_000 + stable_hash(PLATFORM, "q", post.post_id) % 300_000_000)


def _author(account: SimAccount) -> dict[str, Any]:
    is_org = (account.verify_type or "").lower() in ("organization", "org")
    badge = []
    if account.verified:
        badge = [
            {
                "type": account.verify_type or "identity",
                "description": account.unit or "已认证的个人",
                "topics": [],
            }
        ]
    member_id = account.sec_uid or account.uid
    return {
        "id": member_id,
        "url_token": account.uid,
        "name": account.name,
        "headline": account.unit or "",
        "avatar_url": account.avatar or f"https://pic1.zhimg.com/v2-{member_id[:12]}_l.jpg",
        "type": "people",
        "user_type": "organization" if is_org else "people",
        "url": f"https://api.zhihu.com/people/{member_id}",
        "is_org": is_org,
        "gender": stable_hash(PLATFORM, account.uid, "g") % 2,
        "badge": badge,
        "followers_count": account.followers,
        "is_following": False,
        "is_followed": False,
    }


def _paragraphs(text: str) -> str:
    """Zhihu stores bodies as HTML paragraphs."""
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def _highlight(text: str, query: str | None) -> str:
    """``text`` escaped, with the search words wrapped in ``<em>`` as search results show them."""
    escaped = html.escape(text, quote=False)
    word = (query or "").strip().strip("#＃").strip()
    if not word:
        return escaped
    return escaped.replace(html.escape(word, quote=False), f"<em>{html.escape(word)}</em>")


def _counts(post: SimPost, obj: dict[str, Any]) -> None:
    m = post.metrics
    for field, value in (
        ("voteup_count", m.likes),
        ("comment_count", m.comments),
        ("visited_count" if _kind(post) != "zvideo" else "play_count", m.views),
        ("favlists_count", m.favorites),
    ):
        if value is not None:
            obj[field] = value


def render_object(post: SimPost, *, query: str | None = None) -> dict[str, Any]:
    """A work as Zhihu's content object; ``query`` adds search ``<em>`` marks to titles."""
    kind = _kind(post)
    created = _epoch(post.published_at)
    excerpt = _highlight(post.text[:80], query)
    obj: dict[str, Any]
    if kind == "answer":
        qid = _question_id(post)
        question: dict[str, Any] = {
            "id": _int_id(qid),
            "type": "question",
            "url": f"https://api.zhihu.com/questions/{qid}",
        }
        if query is None:
            question["title"] = post.title
        else:
            question["name"] = _highlight(post.title, query)
        obj = {
            "id": _int_id(post.post_id),
            "type": "answer",
            "url": f"https://api.zhihu.com/answers/{post.post_id}",
            "author": _author(post.account),
            "created_time": created,
            "updated_time": created,
            "question": question,
            "excerpt": excerpt,
            "content": _paragraphs(post.text),
            "thumbnail": "",
            "relationship": {"is_thanked": False, "voting": 0},
        }
    elif kind == "article":
        obj = {
            "id": _int_id(post.post_id),
            "type": "article",
            "url": f"https://api.zhihu.com/articles/{post.post_id}",
            "title": post.title if query is None else _highlight(post.title, query),
            "author": _author(post.account),
            "created": created,
            "updated": created,
            "excerpt": excerpt,
            "content": _paragraphs(post.text),
            "image_url": "",
        }
    else:
        obj = {
            "id": post.post_id,
            "zvideo_id": post.post_id,
            "type": "zvideo",
            "url": f"https://www.zhihu.com/zvideo/{post.post_id}",
            "title": post.title if query is None else _highlight(post.title, query),
            "description": html.escape(post.text, quote=False),
            "author": _author(post.account),
            "created_at": created,
            "published_at": created,
            "video": {
                "video_id": str(stable_hash(PLATFORM, "v", post.post_id) % 10**19),
                "duration": post.duration_s if post.duration_s is not None else 0,
            },
        }
        if post.duration_s is None:
            del obj["video"]["duration"]
    _counts(post, obj)
    return obj


def _int_param(req: SimRequest, name: str, default: int) -> int:
    raw = req.query.get(name, "")
    return int(raw) if raw.isdigit() else default


def _paging(path: str, params: dict[str, Any], offset: int, limit: int, total: int) -> dict:
    is_end = offset + limit >= total
    following = dict(params, offset=offset + limit, limit=limit)
    previous = dict(params, offset=max(0, offset - limit), limit=limit)
    return {
        "is_end": is_end,
        "is_start": offset == 0,
        "next": f"{API}/{path}?{urlencode(following)}",
        "previous": f"{API}/{path}?{urlencode(previous)}",
        "totals": total,
    }


INLINE_REPLIES = 2


def _comment_offset(raw: str) -> int:
    """The position an opaque ``offset`` (``<n>_<id>_0``) or a plain number names."""
    head = raw.split("_", 1)[0]
    return int(head) if head.isdigit() else 0


def render_comment(
    comment: SimComment, view: SimComments, *, inline: bool = False
) -> dict[str, Any]:
    """One comment_v5 comment (a root with ``inline``: its first replies too)."""
    is_reply = comment.root_id is not None
    kind = _kind(view.post)
    body: dict[str, Any] = {
        "id": comment.comment_id,
        "type": "comment",
        "resource_type": kind,
        "url": (
            f"https://www.zhihu.com/api/v4/comment_v5/{kind}s/{view.post.post_id}/root_comment/"
            f"{comment.comment_id}"
        ),
        "content": html.escape(comment.text, quote=False),
        "created_time": _epoch(comment.published_at),
        "is_delete": False,
        "collapsed": False,
        "reviewing": False,
        "reply_comment_id": comment.parent_id if is_reply else "0",
        "reply_root_comment_id": comment.root_id if is_reply else "0",
        "liked": False,
        "like_count": comment.likes,
        "disliked": False,
        "dislike_count": 0,
        "is_author": comment.author.uid == view.post.account.uid,
        "can_reply": True,
        "author": _author(comment.author),
        "author_tag": [],
        "reply_author_tag": [],
        "comment_tag": [{"type": "ip_info", "text": "IP 属地广东", "color": "#8590A6"}],
        "child_comment_count": comment.reply_count,
        "child_comment_next_offset": None,
        "child_comments": [],
    }
    if is_reply and comment.reply_to is not None:
        body["reply_to_author"] = _author(comment.reply_to)
    if inline and not is_reply:
        body["child_comments"] = [
            render_comment(r, view) for r in view.replies(comment.comment_id)[:INLINE_REPLIES]
        ]
    return body


def _comment_page(
    path: str, params: dict[str, Any], items: tuple[SimComment, ...], view: SimComments | None,
    req: SimRequest, *, inline: bool,
) -> dict[str, Any]:  # fmt: skip
    offset = _comment_offset(req.query.get("offset", ""))
    limit = min(MAX_LIMIT, max(1, _int_param(req, "limit", DEFAULT_LIMIT)))
    page = items[offset : offset + limit]
    end = offset + len(page)
    is_end = end >= len(items)
    token = f"{end}_{page[-1].comment_id}_0" if page else f"{end}_0_0"
    following = urlencode(dict(params, limit=limit, offset=token))
    return {
        "data": [render_comment(c, view, inline=inline) for c in page] if view else [],
        "paging": {
            "is_end": is_end,
            "is_start": offset == 0,
            "next": "" if is_end else f"{API}/{path}?{following}",
            "previous": "",
            "totals": len(items),
        },
        "counts": {
            "total_counts": 0,  # the handler fills in what its list counts
            "collapsed_counts": 0,
            "reviewing_counts": 0,
            "segment_count": 0,
        },
    }


def _live(posts: list[SimPost]) -> list[SimPost]:
    return [p for p in posts if not p.deleted]


class ZhihuSim:
    """``PlatformSim`` for Zhihu."""

    platform = PLATFORM

    def routes(self) -> list[Route]:
        signed = self._signed
        return [
            Route("GET", re.compile(r"^/?api/v4/search_v3/?$"), signed(self.search_v3)),
            Route(
                "GET",
                re.compile(r"^/?api/v4/roundtables/(?P<rid>[^/]+)/hot-questions/?$"),
                signed(self.hot_questions),
            ),
            Route(
                "GET",
                re.compile(r"^/?api/v4/questions/(?P<qid>\d+)/(?P<shape>answers|feeds)/?$"),
                signed(self.question_answers),
            ),
            Route(
                "GET",
                re.compile(r"^/?api/v4/(?P<kind>answers|articles|zvideos)/(?P<id>\d+)/?$"),
                signed(self.detail),
            ),
            Route(
                "GET",
                re.compile(
                    r"^/?api/v4/comment_v5/(?P<kind>answers|articles|zvideos|questions)/"
                    r"(?P<id>\d+)/root_comment/?$"
                ),
                signed(self.root_comments),
            ),
            Route(
                "GET",
                re.compile(
                    r"^/?api/v4/comment_v5/(?:comment|(?:answers|articles|zvideos)/\d+/"
                    r"root_comment)/(?P<id>\d+)/child_comment/?$"
                ),
                signed(self.child_comments),
            ),
        ]

    # --- failure signals ------------------------------------------------------------------

    def throttle_response(self) -> SimResponse:
        return SimResponse(
            429,
            {"error": {"message": "请求过于频繁，请稍后再试", "name": "TooManyRequests"}},
            headers={"Retry-After": "1"},
        )

    def login_wall_response(self) -> SimResponse:
        return SimResponse(
            401,
            {"error": {"code": 101, "name": "AuthenticationError", "message": "ZERR_NOT_LOGIN"}},
        )

    def block_response(self) -> SimResponse:
        return SimResponse(
            200,
            {
                "error": {
                    "code": 40362,
                    "message": "您当前请求存在异常，暂时限制本次访问。如有疑问，您可以通过手机摇一摇"
                    "或登录后私信知乎小管家反馈。",
                }
            },
        )

    # --- handlers -------------------------------------------------------------------------

    @staticmethod
    def _signed(handler: Handler) -> Handler:
        """Answer the bad-signature block unless ``x-zse-96`` verifies."""

        def wrapped(req: SimRequest, ctx: SimContext) -> SimResponse:
            if not verify(PLATFORM, req.query, req.headers, req.body):
                return SimResponse(403, _BAD_SIGNATURE)
            return handler(req, ctx)

        return wrapped

    def search_v3(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        query = req.query.get("q", "")
        offset = _int_param(req, "offset", 0)
        limit = min(MAX_LIMIT, max(1, _int_param(req, "limit", DEFAULT_LIMIT)))
        if not query.strip():
            return SimResponse(200, {"data": [], "paging": {"is_end": True, "next": ""}})
        posts, total = ctx.search(PLATFORM, query, offset=offset, limit=limit)
        data: list[dict[str, Any]] = []
        if offset == 0:
            data.append(
                {
                    "type": "relevant_query",
                    "query_list": [{"query": f"{query.strip('#')} 活动"}],
                }
            )
        for post in _live(posts):
            obj = render_object(post, query=query)
            kind = obj["type"]
            data.append(
                {
                    "type": "zvideo" if kind == "zvideo" else "search_result",
                    "highlight": {
                        "title": _highlight(post.title, query),
                        "description": _highlight(post.text[:80], query),
                    },
                    "object": obj,
                }
            )
        params = {"t": req.query.get("t", "general"), "q": query, "correction": 1}
        body = {
            "paging": _paging("search_v3", params, offset, limit, total),
            "data": data,
            "search_action_info": {
                "lc_idx": offset + limit,
                "search_hash_id": f"{stable_hash(PLATFORM, query) % 16**32:032x}",
                "isfeed": True,
            },
        }
        return SimResponse(200, body)

    def _all(self, ctx: SimContext, query: str) -> list[SimPost]:
        """Every post the world returns for ``query`` (the roundtable scan)."""
        found: list[SimPost] = []
        offset = 0
        while True:
            posts, total = ctx.search(PLATFORM, query, offset=offset, limit=_SCAN)
            found.extend(posts)
            offset += _SCAN
            if not posts or offset >= total:
                return found

    def hot_questions(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        rid = req.path.rstrip("/").split("/")[-2]
        offset = _int_param(req, "offset", 0)
        limit = max(1, _int_param(req, "limit", 5))
        questions: dict[str, dict[str, Any]] = {}
        for post in _live(self._all(ctx, ROUNDTABLE_QUERY + rid)):
            qid = _question_id(post)
            entry = questions.get(qid)
            if entry is None:
                questions[qid] = {
                    "id": _int_id(qid),
                    "type": "question",
                    "title": post.title,
                    "url": f"https://api.zhihu.com/questions/{qid}",
                    "created": _epoch(post.published_at),
                    "answer_count": 1,
                    "follower_count": stable_hash(PLATFORM, "qf", qid) % 5000,
                }
            else:
                entry["answer_count"] += 1
                entry["created"] = min(entry["created"], _epoch(post.published_at))
        listed = list(questions.values())
        page = listed[offset : offset + limit]
        body = {
            "data": [{"question": q, "type": "roundtable_question"} for q in page],
            "paging": _paging(f"roundtables/{rid}/hot-questions", {}, offset, limit, len(listed)),
        }
        return SimResponse(200, body)

    def question_answers(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        parts = req.path.rstrip("/").split("/")
        qid, shape = parts[-2], parts[-1]
        offset = _int_param(req, "offset", 0)
        limit = min(MAX_LIMIT, max(1, _int_param(req, "limit", DEFAULT_LIMIT)))
        posts, total = ctx.search(PLATFORM, QUESTION_QUERY + qid, offset=offset, limit=limit)
        answers = [render_object(p) for p in _live(posts)]
        if shape == "feeds":
            data: list[dict[str, Any]] = [
                {"target_type": "answer", "target": a, "skip_count": False} for a in answers
            ]
        else:
            data = answers
        params = {"sort_by": req.query.get("sort_by", "default")}
        body = {
            "data": data,
            "paging": _paging(f"questions/{qid}/{shape}", params, offset, limit, total),
        }
        return SimResponse(200, body)

    def detail(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        parts = req.path.rstrip("/").split("/")
        kind, post_id = parts[-2], parts[-1]
        post = ctx.post(PLATFORM, post_id)
        if post is None or post.deleted or _kind(post) + "s" != kind:
            return SimResponse(404, _NOT_FOUND)
        return SimResponse(200, render_object(post))

    def root_comments(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        parts = req.path.rstrip("/").split("/")
        kind, post_id = parts[-3], parts[-2]
        path = f"comment_v5/{kind}/{post_id}/root_comment"
        params = {"order_by": req.query.get("order_by") or req.query.get("order") or "score"}
        if kind == "questions":  # the world's questions carry no comments of their own
            return SimResponse(200, _comment_page(path, params, (), None, req, inline=True))
        view = ctx.comments(PLATFORM, post_id)
        if view is None or _kind(view.post) + "s" != kind:
            return SimResponse(404, _NOT_FOUND)
        body = _comment_page(path, params, view.roots, view, req, inline=True)
        body["counts"]["total_counts"] = view.claimed or 0
        return SimResponse(200, body)

    def child_comments(self, req: SimRequest, ctx: SimContext) -> SimResponse:
        root_id = req.path.rstrip("/").split("/")[-2]
        found = ctx.comment_thread(PLATFORM, root_id)
        if found is None or found[1].root_id is not None:
            return SimResponse(404, _NOT_FOUND)
        view, root = found
        path = f"comment_v5/comment/{root_id}/child_comment"
        params = {"order_by": req.query.get("order_by") or req.query.get("order") or "ts"}
        replies = view.replies(root.comment_id)
        body = _comment_page(path, params, replies, view, req, inline=False)
        body["counts"]["total_counts"] = len(replies)
        return SimResponse(200, body)


SIM = ZhihuSim()
