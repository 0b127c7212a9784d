"""Zhihu response bodies -> records (pure; no I/O).

Zhihu wraps the same content objects (``answer``, ``article``, ``zvideo``) in several list shapes:

- ``api/v4/search_v3``: ``data[].object`` (item ``type`` ``search_result`` or ``zvideo``), with
  ``highlight.title``/``description`` holding ``<em>`` marks; ``paging{is_end,next,totals}``;
- feeds (``api/v3/feed/topstory/recommend``, topic feeds, ``questions/{id}/feeds``):
  ``data[].target``;
- ``api/v4/questions/{id}/answers``: ``data[]`` are the answers themselves;
- detail endpoints (``api/v4/answers/{id}`` ...): the object at the top level.

Items that are not works (questions, ads, people, "related searches") are skipped, not rejected:
they are page furniture. A content object that cannot become a record is rejected with its JSON.

Ids: answers, articles and zvideos are keyed by their bare numeric id (as Zhihu URLs and other
tools spell them). Accounts are keyed by ``url_token`` (the handle in ``/people/<token>``), with
the member hash id as fallback; anonymous authors have no account.

Tags: an article's or zvideo's own ``topics[].name``, then ``#话题`` written in its title and text,
one spelling per tag.

Roundtables (圆桌): ``api/v4/roundtables/{id}/hot-questions`` lists questions, and the works are the
answers to them; answers read with a ``roundtable_id`` carry it in ``context``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors._common import claimed_total, reject, strict_id
from connectors.base import Endpoint
from tracker.errors import ParseError
from tracker.normalize.counts import parse_count
from tracker.normalize.tags import extract_hashtags, unique_tags
from tracker.normalize.text import clean_text, strip_html
from tracker.normalize.times import parse_time
from tracker.records import (
    AccountRecord,
    Metrics,
    ParsedPage,
    PostRecord,
    RecordError,
)

PLATFORM = "zhihu"

_reject = partial(reject, PLATFORM, sort_keys=True)
"""Rejects of this platform; its payloads have always been stored with sorted keys."""

__all__ = [
    "CONTENT_TYPES",
    "ENDPOINTS",
    "PLATFORM",
    "HotQuestion",
    "ZhihuError",
    "body_error",
    "hot_questions",
    "next_offset",
    "parse_comments",
    "parse_detail",
    "parse_feed",
    "parse_question_answers",
    "parse_roundtable_hot_questions",
    "parse_search_v3",
    "post_url",
    "unwrap",
]

CONTENT_TYPES: dict[str, str] = {"answer": "answer", "article": "article", "zvideo": "video"}
"""Zhihu object type -> our content_type, for the object types that are works."""

_NOT_FOUND_NAMES = ("NotFoundError", "ResourceNotFound")


class _ItemError(ValueError):
    """One content object cannot become a record; the message is the reject reason."""


class _Skip(Exception):
    """An item that is not a work (question, ad, people card...)."""


@dataclass(frozen=True, slots=True)
class ZhihuError:
    """The ``{"error": {...}}`` object Zhihu answers instead of data."""

    code: int | None
    name: str | None
    message: str | None

    def describe(self) -> str:
        parts = [f"code {self.code}" if self.code is not None else None, self.name, self.message]
        return ", ".join(p for p in parts if p) or "no details"


@dataclass(frozen=True, slots=True)
class HotQuestion:
    """A question listed by a roundtable's hot-questions endpoint."""

    question_id: str
    title: str | None


# ---------------------------------------------------------------------------------------------
# envelopes and small readers


def unwrap(body: Any) -> dict[str, Any]:
    """The platform body inside third-party envelopes such as ``{"code":200,"data":{...}}``.

    Zhihu's own list bodies have a *list* ``data`` (or an ``error``), detail bodies are the object
    itself (with ``type``), so a dict ``data`` under a ``code`` is an envelope.
    """
    if not isinstance(body, dict):
        raise ParseError(
            f"zhihu: expected a JSON object, got {type(body).__name__}", platform=PLATFORM
        )
    obj: dict[str, Any] = body
    for _ in range(3):
        inner = obj.get("data")
        if not isinstance(inner, dict) or "code" not in obj or "type" in obj:
            break
        if "paging" in obj or "error" in obj:
            break
        obj = inner
    return obj


def body_error(body: Any) -> ZhihuError | None:
    """The error object of a Zhihu body, or None when the body is not an error."""
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if not isinstance(err, dict):
        return None
    code = err.get("code")
    if isinstance(code, str) and code.strip().lstrip("-").isdigit():
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool):
        code = None
    name = err.get("name") if isinstance(err.get("name"), str) else None
    message = err.get("message") if isinstance(err.get("message"), str) else None
    return ZhihuError(code=code, name=name, message=message)


def _count(obj: Mapping[str, Any], *fields: str) -> int | None:
    """The first of ``fields`` present in ``obj``, as a count."""
    for field in fields:
        if obj.get(field) is not None:
            try:
                return parse_count(obj[field])
            except ValueError as exc:
                raise _ItemError(f"{field}: {exc}") from exc
    return None


def _time(obj: Mapping[str, Any], captured_at: datetime, *fields: str) -> datetime | None:
    for field in fields:
        value = obj.get(field)
        if value is not None and value != "":
            try:
                return parse_time(value, now=captured_at)
            except ValueError as exc:
                raise _ItemError(f"{field}: {exc}") from exc
    return None


def _html_text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _ItemError(f"{field}: expected a string, got {type(value).__name__}")
    return strip_html(value) or None


def _html_title(value: Any) -> str | None:
    """A title given as HTML (search results mark hits with ``<em>``)."""
    return (clean_text(value) or None) if isinstance(value, str) else None


def _plain(value: Any) -> str | None:
    """A plain-text field (question titles, names outside search): trimmed, never HTML-stripped,
    so a title that literally contains ``<...>`` keeps it."""
    return (value.strip() or None) if isinstance(value, str) else None


def next_offset(paging: Any) -> int | None:
    """The ``offset`` of ``paging.next`` (Zhihu's own idea of where the next page starts)."""
    if not isinstance(paging, dict) or not isinstance(paging.get("next"), str):
        return None
    values = parse_qs(urlsplit(paging["next"]).query).get("offset")
    if values and values[0].isdigit():
        return int(values[0])
    return None


def _paging(page: ParsedPage, body: Mapping[str, Any]) -> None:
    paging = body.get("paging")
    if not isinstance(paging, dict):
        return
    if isinstance(paging.get("is_end"), bool):
        page.has_more = not paging["is_end"]
    offset = next_offset(paging)
    if page.has_more is not False:
        if offset is not None:
            page.cursor = str(offset)
        elif isinstance(paging.get("next"), str):
            query = parse_qs(urlsplit(paging["next"]).query)
            after = query.get("after_id") or query.get("cursor")
            page.cursor = after[0] if after else None
    total = claimed_total(paging.get("totals"))
    if total is not None:
        page.claimed_total = total


# ---------------------------------------------------------------------------------------------
# accounts and works


def _account(author: Any, seen_at: datetime) -> AccountRecord | None:
    """The author as an account; None for anonymous authors (id "0", no url_token)."""
    if author is None:
        return None
    if not isinstance(author, dict):
        raise _ItemError(f"author: expected an object, got {type(author).__name__}")
    token = strict_id(author.get("url_token"))
    member_id = strict_id(author.get("id"))
    if member_id == "0":
        member_id = None
    uid = token or member_id
    if uid is None:
        return None
    is_org = author.get("is_org") is True or author.get("user_type") == "organization"
    badge = author.get("badge")
    verified = None
    verify_type = None
    if isinstance(badge, list):
        verified = bool(badge) or is_org
        first = badge[0] if badge and isinstance(badge[0], dict) else {}
        verify_type = first.get("type") if isinstance(first.get("type"), str) else None
    elif "is_org" in author:
        verified = is_org
    if verify_type is None and is_org:
        verify_type = "organization"
    try:
        return AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=_plain(author.get("name")),
            url=f"https://www.zhihu.com/people/{uid}",
            followers=_count(author, "followers_count", "follower_count"),
            verified=verified,
            verify_type=verify_type,
            seen_at=seen_at,
        )
    except RecordError as exc:
        raise _ItemError(f"author: {exc}") from exc


def _topics(obj: Mapping[str, Any]) -> list[str]:
    """The work's own ``topics[].name`` (articles and videos carry them; an answer's topics sit
    on its question and are the question's, so they are not read). Topics are Zhihu's hashtags:
    a campaign topic on an article is how the article joins the campaign."""
    topics = obj.get("topics")
    if not isinstance(topics, list):
        return []
    return [
        t["name"].strip()
        for t in topics
        if isinstance(t, dict)
        and t.get("type", "topic") == "topic"
        and isinstance(t.get("name"), str)
        and t["name"].strip()
    ]


def post_url(kind: str, post_id: str, question_id: str | None = None) -> str:
    """The public URL of a work."""
    if kind == "article":
        return f"https://zhuanlan.zhihu.com/p/{post_id}"
    if kind == "zvideo":
        return f"https://www.zhihu.com/zvideo/{post_id}"
    if question_id:
        return f"https://www.zhihu.com/question/{question_id}/answer/{post_id}"
    return f"https://www.zhihu.com/answer/{post_id}"


def _work(
    obj: Mapping[str, Any],
    *,
    captured_at: datetime,
    source: str,
    highlight: Mapping[str, Any] | None,
    context: Mapping[str, str],
    html_titles: bool = False,
) -> tuple[PostRecord, AccountRecord | None]:
    kind = obj.get("type")
    title_of = _html_title if html_titles else _plain
    if kind is not None and not isinstance(kind, str):
        raise _ItemError(f"type: expected a string, got {type(kind).__name__}")
    if kind not in CONTENT_TYPES:
        raise _Skip
    post_id = strict_id(obj.get("id")) or strict_id(obj.get("zvideo_id"))
    if post_id is None:
        raise _ItemError(f"{kind}: id missing")
    account = _account(obj.get("author"), captured_at)
    hl = highlight or {}
    extra_context = dict(context)

    if kind == "answer":
        question = obj.get("question")
        if question is not None and not isinstance(question, dict):
            raise _ItemError("answer: question is not an object")
        question = question or {}
        question_id = strict_id(question.get("id")) or context.get("question_id")
        if question_id:
            extra_context["question_id"] = question_id
        title = (
            _plain(question.get("title"))
            or _html_title(question.get("name"))
            or _html_title(hl.get("title"))
        )
        text = _html_text(obj.get("content"), "content") or _html_text(
            obj.get("excerpt"), "excerpt"
        )
        published = _time(obj, captured_at, "created_time", "created")
        views = _count(obj, "visited_count")
        duration = None
        url = post_url(kind, post_id, question_id)
    elif kind == "article":
        title = title_of(obj.get("title")) or _html_title(hl.get("title"))
        text = _html_text(obj.get("content"), "content") or _html_text(
            obj.get("excerpt"), "excerpt"
        )
        published = _time(obj, captured_at, "created", "created_time")
        views = _count(obj, "visited_count")
        duration = None
        url = post_url(kind, post_id)
    else:  # zvideo
        title = title_of(obj.get("title")) or _html_title(hl.get("title"))
        text = _html_text(obj.get("description"), "description") or _html_text(
            obj.get("excerpt"), "excerpt"
        )
        published = _time(obj, captured_at, "published_at", "created_at", "created_time")
        views = _count(obj, "play_count", "visited_count")
        video = obj["video"] if isinstance(obj.get("video"), dict) else {}
        duration = _count(video, "duration") if "duration" in video else _count(obj, "duration")
        url = post_url(kind, post_id)

    hashtags = unique_tags([*_topics(obj), *extract_hashtags(title), *extract_hashtags(text)])
    metrics = Metrics(
        views=views,
        likes=_count(obj, "voteup_count"),
        comments=_count(obj, "comment_count"),
        favorites=_count(obj, "favlists_count", "favorite_count"),
    )
    try:
        record = PostRecord(
            platform=PLATFORM,
            platform_post_id=post_id,
            captured_at=captured_at,
            account_uid=account.platform_uid if account else None,
            url=url,
            title=title,
            text=text,
            content_type=CONTENT_TYPES[kind],
            published_at=published,
            hashtags=hashtags,
            duration_s=duration,
            metrics=metrics,
            followers_at_capture=account.followers if account else None,
            source=source,
            context=extra_context,
        )
    except RecordError as exc:
        raise _ItemError(str(exc)) from exc
    return record, account


def _items(body: Mapping[str, Any], what: str) -> list[Any]:
    err = body_error(body)
    if err is not None:
        raise ParseError(f"zhihu {what}: error body ({err.describe()})", platform=PLATFORM)
    data = body.get("data")
    if not isinstance(data, list):
        raise ParseError(f"zhihu {what}: data is not a list", platform=PLATFORM)
    return data


def _objects(items: list[Any]) -> Iterator[tuple[str, Any, Mapping[str, Any] | None]]:
    """(location, content object, highlight) of each item: ``object``, ``target`` or itself."""
    for i, item in enumerate(items):
        location = f"data[{i}]"
        if not isinstance(item, dict):
            yield location, item, None
        elif "object" in item:
            hl = item["highlight"] if isinstance(item.get("highlight"), dict) else None
            yield f"{location}.object", item["object"], hl
        elif "target" in item:
            yield f"{location}.target", item["target"], None
        else:
            yield location, item, None


def _parse_list(
    body: Any,
    what: str,
    *,
    captured_at: datetime,
    source: str,
    context: Mapping[str, str] | None = None,
    html_titles: bool = False,
) -> ParsedPage:
    body = unwrap(body)
    page = ParsedPage()
    seen_posts: set[str] = set()
    seen_accounts: set[str] = set()
    for location, obj, highlight in _objects(_items(body, what)):
        if not isinstance(obj, dict):
            if obj is not None:
                page.rejects.append(_reject("item: expected an object", obj, location))
            continue
        try:
            record, account = _work(
                obj,
                captured_at=captured_at,
                source=source,
                highlight=highlight,
                context=context or {},
                html_titles=html_titles,
            )
        except _Skip:
            continue
        except (_ItemError, RecordError) as exc:
            page.rejects.append(_reject(str(exc), obj, location))
            continue
        if record.platform_post_id not in seen_posts:
            seen_posts.add(record.platform_post_id)
            page.posts.append(record)
        if account is not None and account.platform_uid not in seen_accounts:
            seen_accounts.add(account.platform_uid)
            page.accounts.append(account)
    _paging(page, body)
    return page


# ---------------------------------------------------------------------------------------------
# endpoint parsers


def parse_search_v3(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """``api/v4/search_v3``: answers, articles and zvideos; ``cursor`` is the next offset."""
    return _parse_list(body, "search_v3", captured_at=captured_at, source=source, html_titles=True)


def parse_feed(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """Feeds whose items hold the work in ``target`` (topstory recommend, topic feeds)."""
    return _parse_list(body, "feed", captured_at=captured_at, source=source)


def parse_question_answers(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    roundtable_id: str | None = None,
    question_id: str | None = None,
) -> ParsedPage:
    """``questions/{id}/answers`` (answers in ``data[]``) or ``questions/{id}/feeds`` (``target``).

    Answers read for a roundtable carry ``context={"roundtable_id": ..., "question_id": ...}``.
    """
    context: dict[str, str] = {}
    if roundtable_id:
        context["roundtable_id"] = roundtable_id
    if question_id:
        context["question_id"] = question_id
    return _parse_list(
        body, "question answers", captured_at=captured_at, source=source, context=context
    )


def hot_questions(body: Any) -> list[HotQuestion]:
    """The questions of a roundtable hot-questions page, in order (items without an id skipped)."""
    body = unwrap(body)
    found: list[HotQuestion] = []
    seen: set[str] = set()
    for item in _items(body, "roundtable hot-questions"):
        if not isinstance(item, dict):
            continue
        question = item["question"] if isinstance(item.get("question"), dict) else item
        qid = strict_id(question.get("id"))
        if qid is None or qid in seen:
            continue
        seen.add(qid)
        found.append(
            HotQuestion(qid, _plain(question.get("title")) or _html_title(question.get("name")))
        )
    return found


def parse_roundtable_hot_questions(
    body: Any, *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """A hot-questions page holds questions, which are not works: no records, only paging.

    Malformed items are still reported as rejects; use :func:`hot_questions` for the ids.
    """
    del captured_at, source  # no records to stamp
    body = unwrap(body)
    page = ParsedPage()
    for i, item in enumerate(_items(body, "roundtable hot-questions")):
        question = item.get("question", item) if isinstance(item, dict) else item
        if not isinstance(question, dict) or strict_id(question.get("id")) is None:
            page.rejects.append(_reject("hot question without an id", item, f"data[{i}]"))
    _paging(page, body)
    return page


def _is_not_found(err: ZhihuError) -> bool:
    return err.code == 404 or (err.name or "") in _NOT_FOUND_NAMES


def parse_detail(
    body: Any, *, captured_at: datetime, source: str = "live", post_id: str | None = None
) -> ParsedPage:
    """A detail body (``api/v4/answers/{id}``, ``articles/{id}``, ``zvideos/{id}``).

    A not-found error becomes a ``deleted`` record when ``post_id`` is known (a refresh asked for
    it); other error bodies raise ``ParseError``.
    """
    body = unwrap(body)
    err = body_error(body)
    if err is not None:
        if _is_not_found(err):
            page = ParsedPage(has_more=False)
            if post_id is not None:
                page.posts.append(
                    PostRecord(
                        platform=PLATFORM,
                        platform_post_id=post_id,
                        captured_at=captured_at,
                        source=source,
                        deleted=True,
                    )
                )
            return page
        raise ParseError(f"zhihu detail: error body ({err.describe()})", platform=PLATFORM)
    kind = body.get("type")
    if not isinstance(kind, str) or kind not in CONTENT_TYPES:
        raise ParseError(
            f"zhihu detail: not an answer, article or zvideo (type={body.get('type')!r})",
            platform=PLATFORM,
        )
    page = ParsedPage(has_more=False)
    try:
        record, account = _work(
            body, captured_at=captured_at, source=source, highlight=None, context={}
        )
    except (_ItemError, RecordError) as exc:
        page.rejects.append(_reject(str(exc), body, "body"))
        return page
    page.posts.append(record)
    if account is not None:
        page.accounts.append(account)
    return page


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a Zhihu response."""
    if "paging" in body and isinstance(body.get("data"), list):
        return True
    return body.get("type") in ("answer", "article", "zvideo") and (
        "voteup_count" in body or "question" in body or "author" in body
    )


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """Parse a saved Zhihu body: a paged list of comments as comments, another paged list as a
    feed, anything else as one work's detail."""
    inner = unwrap(body)
    data = inner.get("data")
    if isinstance(data, list) and any(
        isinstance(i, dict) and i.get("type") == "comment" for i in data[:20]
    ):
        return parse_comments(inner, captured_at=captured_at, source=source)
    if isinstance(data, list):
        return parse_feed(inner, captured_at=captured_at, source=source)
    return parse_detail(inner, captured_at=captured_at, source=source)


_DETAIL_PATH = re.compile(r"/api/v4/(?:answers|articles|zvideos)/(\d+)")
_QUESTION_PATH = re.compile(r"/api/v4/questions/(\d+)/")


_COMMENT_WORK_PATH = re.compile(r"/comment_v5/(?:answers|articles|zvideos|questions|pins)/(\d+)/")
_COMMENT_THREAD_PATH = re.compile(r"/comment_v5/comment/(\d+)/child_comment")


def hints_from_url(url: str) -> dict[str, str]:
    """``post_id`` / ``question_id`` from the request path: detail and question bodies lack them;
    a comment request names its work (``post_id``) or its thread (``root_comment_id``)."""
    hints: dict[str, str] = {}
    m = _DETAIL_PATH.search(url) or _COMMENT_WORK_PATH.search(url)
    if m:
        hints["post_id"] = m.group(1)
    m = _QUESTION_PATH.search(url)
    if m:
        hints["question_id"] = m.group(1)
    m = _COMMENT_THREAD_PATH.search(url)
    if m:
        hints["root_comment_id"] = m.group(1)
    return hints


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A comment or reply page (:mod:`connectors.zhihu.comments`, imported when used: it builds
    on this module)."""
    from connectors.zhihu.comments import parse_comments as parse

    return parse(
        body,
        captured_at=captured_at,
        source=source,
        post_id=post_id,
        root_comment_id=root_comment_id,
    )


def _url(path_re: str) -> re.Pattern[str]:
    """Real hosts or the simulator's ``/zhihu`` mount, then the path, then the end or a query."""
    return re.compile(rf"(?:^https?://(?:www\.|api\.)?zhihu\.com|/zhihu){path_re}/?(?:[?#]|$)")


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(PLATFORM, "search_v3", _url(r"/api/v4/search_v3"), parse_search_v3),
    Endpoint(PLATFORM, "topstory", _url(r"/api/v3/feed/topstory/recommend"), parse_feed),
    Endpoint(
        PLATFORM, "topic feeds", _url(r"(?:/api)?/v(?:4|5\.1)/topics/\d+/feeds/\w+"), parse_feed
    ),
    Endpoint(
        PLATFORM,
        "question answers",
        _url(r"/api/v4/questions/\d+/(?:answers|feeds)"),
        parse_question_answers,
    ),
    Endpoint(
        PLATFORM,
        "roundtable hot-questions",
        _url(r"/api/v4/roundtables/[^/?#]+/hot-questions"),
        parse_roundtable_hot_questions,
    ),
    Endpoint(PLATFORM, "detail", _url(r"/api/v4/(?:answers|articles|zvideos)/\d+"), parse_detail),
    Endpoint(
        PLATFORM,
        "comments",
        _url(r"/api/v4/comment_v5/(?:answers|articles|zvideos|questions|pins)/\d+/root_comment"),
        parse_comments,
    ),
    Endpoint(
        PLATFORM,
        "comment replies",
        _url(r"/api/v4/comment_v5/comment/\d+/child_comment"),
        parse_comments,
    ),
)
