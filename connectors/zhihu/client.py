"""Live Zhihu connector: ``search_v3`` per tag, roundtable answers, metric refresh.

Every request is signed (``x-zse-96``) through the signer plug-in and needs the login cookie
(``d_c0`` for the signature, ``z_c0`` for search). Zhihu's refusals are told apart from the body:

- ``{"error":{"code":101,...ZERR_NOT_LOGIN}}`` / HTTP 401 -> ``LoginRequired`` (names the cookie
  variable);
- code 10003 ("请求参数异常", the answer to a bad signature), code 100 ("请求头或参数封装错误"),
  code 40362 ("暂时限制本次访问", anti-abuse) and a bare 403 -> ``Blocked``; an ``error`` under
  HTTP 200 is such a block too, never "no results".

Roundtables (圆桌): the campaign asks Zhihu users to answer the questions of its roundtable, so
for each configured roundtable id the connector lists ``roundtables/{id}/hot-questions`` and then
pages ``questions/{qid}/answers``; those answers carry ``context["roundtable_id"]``. Ids come
from the constructor (``roundtables=``) or ``CollectRequest.extra["zhihu_roundtables"]`` (or
``extra["roundtables"]``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from connectors import _client_common as shared
from connectors._comment_reader import read_work_comments
from connectors.base import CollectRequest, CommentWork, Connector, FetchedPage
from connectors.zhihu.comments import parse_comments
from connectors.zhihu.parse import (
    PLATFORM,
    HotQuestion,
    body_error,
    hot_questions,
    next_offset,
    parse_detail,
    parse_question_answers,
    parse_search_v3,
)
from tracker.errors import (
    Blocked,
    ConnectorError,
    LoginRequired,
    ParseError,
    RateLimited,
    SignatureRejected,
)
from tracker.records import ParsedPage

if TYPE_CHECKING:
    from tracker.http.client import HttpClient

__all__ = ["DEFAULT_COOKIE_ENV", "ZhihuConnector", "ZhihuNotFound", "check_body"]

log = logging.getLogger(__name__)

DEFAULT_COOKIE_ENV = "TRACKER_ZHIHU_COOKIE"
MAX_LIMIT = 20
_LOGIN_CODES = {101}
_SIGNATURE_CODES = {100, 10003}
_BLOCK_CODES = {40362}
_THROTTLE_WORDS = ("频繁", "太快")
_HEADERS = {
    "x-api-version": "3.0.91",
    "x-app-za": "OS=Web",
    "x-requested-with": "fetch",
    "x-zse-93": "101_3_3.0",
}
_ANSWER_INCLUDE = (
    "data[*].is_normal,content,excerpt,voteup_count,comment_count,created_time,"
    "updated_time,question,author.follower_count,badge[*].topics"
)
_DETAIL_KINDS = ("answers", "articles", "zvideos")
_KIND_IN_URL = (
    ("zhuanlan.zhihu.com/p/", "articles"),
    ("/zvideo/", "zvideos"),
    ("/answer/", "answers"),
)
"""Where a stored work URL says which kind of work it is (the comment path needs the kind)."""
_MAX_EMPTY_PAGES = 3


class ZhihuNotFound(ConnectorError):
    """A detail endpoint answered "no such work" (deleted, or a different kind of work)."""


def check_body(body: Any, response: Any, *, variable: str = DEFAULT_COOKIE_ENV) -> None:
    """Zhihu's meaning of a decoded body (called for every JSON answer, whatever its status)."""
    status = getattr(response, "status_code", 200)
    err = body_error(body)
    if err is None:
        if status == 403:
            raise Blocked("zhihu: HTTP 403 (请求被拒绝)", platform=PLATFORM)
        return
    detail = err.describe()
    message = err.message or ""
    if status == 404 or err.code == 404 or err.name == "NotFoundError":
        raise ZhihuNotFound(f"zhihu: not found ({detail})", platform=PLATFORM)
    if err.code in _SIGNATURE_CODES:
        raise SignatureRejected(
            f"zhihu: 签名或请求头被拒绝 ({detail}); check the signer plug-in and the d_c0 cookie",
            platform=PLATFORM,
        )
    if err.code in _BLOCK_CODES:
        raise Blocked(
            f"zhihu: 请求被限制 ({detail}); renew the cookie or wait before the next run",
            platform=PLATFORM,
        )
    if (
        status == 401
        or err.code in _LOGIN_CODES
        or err.name == "AuthenticationError"
        or "NOT_LOGIN" in message
    ):
        raise LoginRequired(
            f"zhihu: 登录已失效 ({detail}); 请更新环境变量 {variable} 中的 Cookie",
            platform=PLATFORM,
            variable=variable,
        )
    if status == 403:
        raise Blocked(f"zhihu: HTTP 403 ({detail}) (请求被拒绝)", platform=PLATFORM)
    if status == 429 or any(word in message for word in _THROTTLE_WORDS):
        raise RateLimited(f"zhihu: throttled ({detail})", platform=PLATFORM)
    raise Blocked(f"zhihu: error answer ({detail})", platform=PLATFORM)


def search_word(tag: str) -> str:
    """Zhihu search takes the tag's words without the ``#`` marks."""
    return shared.bare_tag(tag)


class ZhihuConnector(Connector):
    """Collects Zhihu answers, articles and zvideos for tags and roundtables."""

    platform = PLATFORM
    needs_cookie = True
    needs_signer = True
    reads_comments = True

    def __init__(
        self,
        http: HttpClient,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = 20,
        roundtables: Sequence[str] = (),
    ) -> None:
        self.http = http
        self._now = now or shared.utc_now
        self.page_size = max(1, min(MAX_LIMIT, page_size))
        self.roundtables = tuple(roundtables)
        self.cookie_env = http.settings.cookie_env or DEFAULT_COOKIE_ENV

    # ------------------------------------------------------------------ plumbing

    def _check(self, body: Any, response: Any) -> None:
        check_body(body, response, variable=self.cookie_env)

    def _get(self, path: str, params: dict[str, Any], referer: str) -> Any:
        headers = {**_HEADERS, "Referer": referer}
        return self.http.get_json(path, params, headers, sign=True, check=self._check)

    def _url(self, path: str, params: dict[str, Any]) -> str:
        return f"{self.http.base_url}/{path}?{urlencode(params)}"

    def _tasks(self, request: CollectRequest) -> list[tuple[str, str, str]]:
        """(task key, kind, value): one search per distinct tag word, then each roundtable."""
        # width/case/space variants are one search; traditional script is not
        words = shared.unique_words(search_word(tag) for tag in request.tags)
        extra = request.extra or {}
        ids = [
            *self.roundtables,
            *(extra.get("zhihu_roundtables") or ()),
            *(extra.get("roundtables") or ()),
        ]
        rids = list(dict.fromkeys(str(r).strip() for r in ids if str(r).strip()))
        return [(f"search:{w}", "search", w) for w in words] + [
            (f"roundtable:{r}", "roundtable", r) for r in rids
        ]

    # ------------------------------------------------------------------ collect

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        tasks = self._tasks(request)
        start, cursor = 0, request.cursor or {}
        keys = [key for key, _, _ in tasks]
        if not cursor.get("done") and cursor.get("task") in keys:
            start = keys.index(cursor["task"])
        else:
            cursor = {}
        for index in range(start, len(tasks)):
            key, kind, value = tasks[index]
            following = tasks[index + 1][0] if index + 1 < len(tasks) else None
            done: dict[str, Any] = {"task": following} if following else {"done": True}
            resume = cursor if index == start else {}
            if kind == "search":
                yield from self._search(request, key, value, resume, done)
            else:
                yield from self._roundtable(request, key, value, resume, done)

    def _search(
        self,
        request: CollectRequest,
        key: str,
        word: str,
        resume: dict[str, Any],
        done: dict[str, Any],
    ) -> Iterator[FetchedPage]:
        offset = max(0, int(resume.get("offset") or 0))
        referer = f"https://www.zhihu.com/search?q={quote(word)}&type=content"
        fetched = empty_run = 0
        while True:
            params: dict[str, Any] = {
                "gk_version": "gz-gaokao",
                "t": "general",
                "q": word,
                "correction": 1,
                "offset": offset,
                "limit": self.page_size,
                "lc_idx": offset,
                "show_all_topics": 0,
                "search_source": "Filter",
                "sort": "created_time",
            }
            body = self._get("api/v4/search_v3", params, referer)
            parsed = parse_search_v3(body, captured_at=self._now(), source="live")
            parsed, older = shared.window_page(parsed, request.since, request.until)
            fetched += 1
            empty_run = 0 if (parsed.posts or parsed.rejects) else empty_run + 1
            following = next_offset(body.get("paging") if isinstance(body, dict) else None)
            if following is None or following <= offset:
                following = offset + self.page_size
            finished = (
                parsed.has_more is not True
                or older
                or empty_run >= _MAX_EMPTY_PAGES
                or (request.max_pages is not None and fetched >= request.max_pages)
            )
            cursor = done if finished else {"task": key, "offset": following}
            yield FetchedPage(
                parsed=parsed,
                cursor=cursor,
                url=self._url("api/v4/search_v3", params),
                task=key,
            )
            if finished:
                return
            offset = following

    def _hot_questions(self, rid: str) -> list[HotQuestion]:
        questions: list[HotQuestion] = []
        seen: set[str] = set()
        offset = 0
        referer = f"https://www.zhihu.com/roundtable/{rid}"
        path = f"api/v4/roundtables/{quote(rid, safe='')}/hot-questions"
        while True:
            params = {
                "include": "data[*].question.relationship",
                "offset": offset,
                "limit": MAX_LIMIT,
            }
            body = self._get(path, params, referer)
            found = hot_questions(body)
            for question in found:
                if question.question_id not in seen:
                    seen.add(question.question_id)
                    questions.append(question)
            paging = body.get("paging") if isinstance(body, dict) else None
            is_end = paging.get("is_end") if isinstance(paging, dict) else True
            following = next_offset(paging)
            if is_end is not False or not found:
                return questions
            offset = following if following and following > offset else offset + MAX_LIMIT

    def _roundtable(
        self,
        request: CollectRequest,
        key: str,
        rid: str,
        resume: dict[str, Any],
        done: dict[str, Any],
    ) -> Iterator[FetchedPage]:
        questions = self._hot_questions(rid)
        ids = [q.question_id for q in questions]
        start, offset = 0, 0
        if resume.get("question") in ids:
            start = ids.index(resume["question"])
            offset = max(0, int(resume.get("offset") or 0))
        fetched = 0
        for qi in range(start, len(ids)):
            qid = ids[qi]
            after: dict[str, Any] = (
                {"task": key, "question": ids[qi + 1], "offset": 0} if qi + 1 < len(ids) else done
            )
            path = f"api/v4/questions/{qid}/answers"
            referer = f"https://www.zhihu.com/question/{qid}"
            empty_run = 0
            while True:
                params: dict[str, Any] = {
                    "include": _ANSWER_INCLUDE,
                    "offset": offset,
                    "limit": self.page_size,
                    "sort_by": "created",
                }
                body = self._get(path, params, referer)
                parsed = parse_question_answers(
                    body, captured_at=self._now(), roundtable_id=rid, question_id=qid
                )
                parsed, older = shared.window_page(parsed, request.since, request.until)
                fetched += 1
                empty_run = 0 if (parsed.posts or parsed.rejects) else empty_run + 1
                following = next_offset(body.get("paging") if isinstance(body, dict) else None)
                if following is None or following <= offset:
                    following = offset + self.page_size
                limit_hit = request.max_pages is not None and fetched >= request.max_pages
                # sorted by creation, newest first: past ``since`` the question is over
                question_done = (
                    parsed.has_more is not True or older or empty_run >= _MAX_EMPTY_PAGES
                )
                if limit_hit:
                    cursor = done
                elif question_done:
                    cursor = after
                else:
                    cursor = {"task": key, "question": qid, "offset": following}
                yield FetchedPage(
                    parsed=parsed, cursor=cursor, url=self._url(path, params), task=key
                )
                if limit_hit:
                    return
                if question_done:
                    break
                offset = following
            offset = 0
        if not ids:
            yield FetchedPage(
                parsed=ParsedPage(has_more=False),
                cursor=done,
                url=self._url(f"api/v4/roundtables/{rid}/hot-questions", {}),
                task=key,
            )

    # ------------------------------------------------------------------ refresh

    def _detail(self, post_id: str) -> ParsedPage:
        """The work by id; its kind is unknown, so answers, then articles, then zvideos."""
        for kind in _DETAIL_KINDS:
            try:
                with self.http.purpose("detail"):
                    body = self._get(
                        f"api/v4/{kind}/{post_id}", {}, f"https://www.zhihu.com/{kind}/{post_id}"
                    )
            except ZhihuNotFound:
                continue
            return parse_detail(body, captured_at=self._now(), post_id=post_id)
        gone = {"error": {"code": 404, "name": "NotFoundError", "message": "not found"}}
        return parse_detail(gone, captured_at=self._now(), post_id=post_id)

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        batch = self.page_size
        for start in range(0, len(post_ids), batch):
            page = ParsedPage(has_more=start + batch < len(post_ids))
            for post_id in post_ids[start : start + batch]:
                try:
                    page.extend(self._detail(post_id))
                except shared.SESSION_ERRORS:
                    raise
                except (ParseError, ConnectorError) as exc:
                    payload = json.dumps({"id": post_id})
                    where = "api/v4/answers|articles|zvideos"
                    page.rejects.append(shared.refresh_failed(exc, PLATFORM, payload, where))
            end = start + batch
            cursor = {"refresh_index": end} if end < len(post_ids) else {"done": True}
            yield FetchedPage(
                parsed=page, cursor=cursor, url=self._url("api/v4/answers", {}), task="refresh"
            )

    # ------------------------------------------------------------------ comments

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """``comment_v5/{kind}s/{id}/root_comment`` pages (the opaque ``offset`` of
        ``paging.next``), then ``comment_v5/comment/{root}/child_comment`` for each thread cut
        short. The kind comes from the stored URL; without one the first page tries answers,
        articles and zvideos in turn, as the detail read does."""
        post_id = work.post_id
        known = next((k for mark, k in _KIND_IN_URL if work.url and mark in work.url), None)
        kinds = [known] if known else list(_DETAIL_KINDS)
        referer = work.url or f"https://www.zhihu.com/answer/{post_id}"

        def top(cursor: str | None) -> ParsedPage:
            params = {"order_by": "score", "limit": MAX_LIMIT, "offset": cursor or ""}
            for kind in list(kinds):
                path = f"api/v4/comment_v5/{kind}/{post_id}/root_comment"
                try:
                    with self.http.purpose("comments"):
                        body = self._get(path, params, referer)
                except ZhihuNotFound:
                    if len(kinds) == 1:
                        raise
                    kinds.remove(kind)
                    continue
                kinds[:] = [kind]  # found: the next pages ask this kind only
                return parse_comments(body, captured_at=self._now(), post_id=post_id)
            raise ZhihuNotFound(f"zhihu: no comments found for {post_id}", platform=PLATFORM)

        def replies(root: str, cursor: str | None) -> ParsedPage:
            params = {"order_by": "ts", "limit": MAX_LIMIT, "offset": cursor or ""}
            path = f"api/v4/comment_v5/comment/{root}/child_comment"
            with self.http.purpose("comments"):
                body = self._get(path, params, referer)
            return parse_comments(
                body, captured_at=self._now(), post_id=post_id, root_comment_id=root
            )

        yield from read_work_comments(
            PLATFORM,
            post_id,
            top=top,
            replies=replies,
            max_pages=max_pages,
            url=self._url(f"api/v4/comment_v5/{kinds[0]}/{post_id}/root_comment", {}),
        )
