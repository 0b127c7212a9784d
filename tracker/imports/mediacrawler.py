"""MediaCrawler output (JSONL, JSON, CSV or its Excel export) -> records.

People who already run MediaCrawler can feed this tracker with what it saved. Its tables are
flat rows, one per work (``weibo_note``, ``douyin_aweme``, ``kuaishou_video``,
``bilibili_video``, ``zhihu_content``, ``xhs_note``); a table is recognised by its columns, not
its file name (MediaCrawler names files ``search_contents_<date>.jsonl`` for every platform).
Each mapping is a pure function of one row.

What the rows do and do not say, and how that is kept honest:

- counts are often strings (``"1.2万"``): parsed with ``parse_count``; a column the table does
  not have is ``None``, never 0;
- the row's ``last_modify_ts`` (ms) is when MediaCrawler saw those counts, so it becomes the
  snapshot time (``add_ts`` when there is no modify time);
- since its 2025 "no personal data" change MediaCrawler keeps only a masked ``nickname`` and a
  ``creator_hash`` per row, which are not platform account ids: such works get no account
  (``account_uid`` None) and keep the hash and nickname in ``context``. Older files still carry
  ``user_id`` and become accounts; older creator tables (``fans``) become accounts with
  follower counts;
- Bilibili rows store the numeric ``aid``: converted to the ``BV`` id every other door uses;
- a Xiaohongshu or Douyin row without its time column is dated from the id (an ObjectId's
  first 8 hex digits, ``aweme_id >> 32``), marked ``published_at_source="id"``;
- comment tables (one layout per platform, all with ``comment_id``) are not works: each row
  becomes a ``CommentRecord`` on the work its id column names, and its commenter an account
  when the row carries a real user id (a masked row keeps only the nickname). The platform is
  told by the work id column (``aweme_id`` Douyin, ``content_id`` Zhihu), else by the folder or
  ``--platform``, else by the columns and the id's form (Weibo's ``comment_like_count``, a
  16-digit mid; Xiaohongshu's 24-hex note id; Bilibili's numeric aid). A reply's parent is
  ``parent_comment_id``; MediaCrawler writes ``0``, ``""`` or (Weibo's ``rootid``) the comment's
  own id for a top-level comment, all read as none.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.bilibili.ids import aid_to_bvid, is_bvid
from connectors.douyin.ids import aweme_id_time
from connectors.xiaohongshu.ids import note_id_time
from tracker.imports.chunk import Chunk
from tracker.imports.textlines import DecodedLines, decode_lines, line_payload
from tracker.normalize.counts import lower_bounded, parse_count
from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.normalize.text import strip_html
from tracker.normalize.times import parse_time
from tracker.records import AccountRecord, CommentRecord, Metrics, PostRecord

__all__ = [
    "COMMENT_TABLE",
    "CONTENT_TABLES",
    "MediaCrawlerRow",
    "detect_table",
    "map_row",
    "platform_from_path",
    "read_mediacrawler",
]

SOURCE = "import"

CONTENT_TABLES: dict[str, str] = {
    "weibo_note": "weibo",
    "douyin_aweme": "douyin",
    "kuaishou_video": "kuaishou",
    "bilibili_video": "bilibili",
    "zhihu_content": "zhihu",
    "xhs_note": "xiaohongshu",
}
"""MediaCrawler content table -> platform id."""

CREATOR_TABLE = "creator"
COMMENT_TABLE = "comment"

_PATH_HINTS = {
    "xhs": "xiaohongshu",
    "xiaohongshu": "xiaohongshu",
    "douyin": "douyin",
    "dy": "douyin",
    "kuaishou": "kuaishou",
    "ks": "kuaishou",
    "bilibili": "bilibili",
    "bili": "bilibili",
    "weibo": "weibo",
    "wb": "weibo",
    "zhihu": "zhihu",
}


def detect_table(columns: Iterable[str]) -> str | None:
    """The MediaCrawler table a row (or header) belongs to, from its column names."""
    keys = {str(c).strip() for c in columns if c is not None}
    if "comment_id" in keys:
        return COMMENT_TABLE
    if "aweme_id" in keys:
        return "douyin_aweme"
    if "content_id" in keys and ({"voteup_count", "content_type", "content_url"} & keys):
        return "zhihu_content"
    if "video_id" in keys and ({"video_play_count", "video_coin_count", "video_danmaku"} & keys):
        return "bilibili_video"
    if "video_id" in keys and ({"viewd_count", "video_play_url", "video_cover_url"} & keys):
        return "kuaishou_video"
    if "note_id" in keys and ({"shared_count", "comments_count", "create_date_time"} & keys):
        return "weibo_note"
    if "note_id" in keys and ({"collected_count", "xsec_token", "tag_list", "note_url"} & keys):
        return "xhs_note"
    if "user_id" in keys and ({"fans", "total_fans", "follows"} & keys):
        return CREATOR_TABLE
    return None


def platform_from_path(path: Path) -> str | None:
    """MediaCrawler saves under ``data/<platform>/<format>/``: the folder names the platform."""
    for part in reversed(path.parts[:-1]):
        hint = _PATH_HINTS.get(part.lower())
        if hint:
            return hint
    stem = path.stem.lower()
    for key, platform in _PATH_HINTS.items():
        if stem.startswith(key + "_"):
            return platform
    return None


# --- small readers -------------------------------------------------------------------------------


def _text(row: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if value is None:
            continue
        text = str(value).strip()
        if text:
            return text
    return None


def _id(row: Mapping[str, Any], *names: str) -> str | None:
    value = _text(row, *names)
    if value is None:
        return None
    if value.endswith(".0") and value[:-2].isdigit():  # a spreadsheet turned the id into a float
        value = value[:-2]
    return value


def _count(row: Mapping[str, Any], name: str) -> int | None:
    value = row.get(name)
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        return None
    try:
        return parse_count(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _metrics(row: Mapping[str, Any], **columns: str) -> Metrics:
    """The counts of ``row`` (metric name = column), a displayed floor marked as one.

    MediaCrawler keeps the platforms' display strings, so a popular note's ``liked_count`` is
    "10万+": stored as 100000 and named in ``lower_bounds``, never read as an exact figure.
    """
    return Metrics(
        **{metric: _count(row, column) for metric, column in columns.items()},
        lower_bounds=lower_bounded(
            **{metric: row.get(column) for metric, column in columns.items()}
        ),
    )


def _time(row: Mapping[str, Any], *names: str) -> datetime | None:
    for name in names:
        value = row.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", 0, "0"):
            continue
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        try:
            return parse_time(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return None


def _published(
    row: Mapping[str, Any], name: str, derived: datetime | None
) -> tuple[datetime | None, str | None]:
    """The row's time column and ``"field"``, else the time its id encodes and ``"id"``."""
    given = _time(row, name)
    if given is not None:
        return given, "field"
    return derived, ("id" if derived is not None else None)


def _tags(*texts: str | None, structured: Iterable[str] = ()) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in [*structured, *(t for text in texts for t in extract_hashtags(text))]:
        key = tag_key(raw) if raw else ""
        if key and key not in seen:
            seen.add(key)
            out.append(raw)
    return out


def _context(row: Mapping[str, Any], **extra: str | None) -> dict[str, str]:
    ctx: dict[str, str] = {}
    for key in ("creator_hash", "source_keyword", "ip_location"):
        value = _text(row, key)
        if value:
            ctx[f"mediacrawler_{key}" if key == "creator_hash" else key] = value
    nickname = _text(row, "nickname", "user_nickname")
    if nickname:
        ctx["author_name"] = nickname
    for key, value in extra.items():
        if value:
            ctx[key] = value
    return ctx


@dataclass(frozen=True, slots=True)
class MediaCrawlerRow:
    """One mapped row: the work or comment it is and its author or commenter (if the row names
    a real id)."""

    post: PostRecord | None
    account: AccountRecord | None
    comment: CommentRecord | None = None


def _account(
    platform: str,
    uid: str | None,
    name: str | None,
    seen_at: datetime,
    *,
    url: str | None = None,
    followers: int | None = None,
) -> AccountRecord | None:
    if uid is None:
        return None
    return AccountRecord(
        platform=platform,
        platform_uid=uid,
        name=name,
        url=url,
        followers=followers,
        seen_at=seen_at,
    )


# --- one mapping per table ------------------------------------------------------------------------


def _weibo_note(row: Mapping[str, Any], at: datetime) -> MediaCrawlerRow:
    mid = _id(row, "note_id")
    if mid is None:
        raise ValueError("note_id: 缺失")
    text = strip_html(_text(row, "content"))
    uid = _id(row, "user_id")
    post = PostRecord(
        platform="weibo",
        platform_post_id=mid,
        captured_at=at,
        account_uid=uid,
        url=_text(row, "note_url") or f"https://m.weibo.cn/detail/{mid}",
        text=text,
        published_at=_time(row, "create_time", "create_date_time"),
        hashtags=_tags(text),
        metrics=_metrics(
            row, likes="liked_count", comments="comments_count", shares="shared_count"
        ),
        source=SOURCE,
        context=_context(row),
    )
    account = _account(
        "weibo", uid, _text(row, "nickname"), at, url=f"https://weibo.com/u/{uid}" if uid else None
    )
    return MediaCrawlerRow(post, account)


def _douyin_aweme(row: Mapping[str, Any], at: datetime) -> MediaCrawlerRow:
    aweme_id = _id(row, "aweme_id")
    if aweme_id is None:
        raise ValueError("aweme_id: 缺失")
    desc = _text(row, "desc")
    title = _text(row, "title")
    image = _text(row, "aweme_type") == "68"
    uid = _id(row, "user_id")
    sec_uid = _text(row, "sec_uid")
    published, published_source = _published(row, "create_time", aweme_id_time(aweme_id, now=at))
    post = PostRecord(
        platform="douyin",
        platform_post_id=aweme_id,
        captured_at=at,
        account_uid=uid,
        url=_text(row, "aweme_url")
        or f"https://www.douyin.com/{'note' if image else 'video'}/{aweme_id}",
        title=title if title and title != desc else None,
        text=desc or title,
        content_type="image" if image else "video",
        published_at=published,
        published_at_source=published_source,
        hashtags=_tags(desc or title),
        metrics=_metrics(
            row,
            likes="liked_count",
            comments="comment_count",
            shares="share_count",
            favorites="collected_count",
        ),
        source=SOURCE,
        context=_context(row, sec_uid=sec_uid),
    )
    account = _account(
        "douyin",
        uid,
        _text(row, "nickname"),
        at,
        url=f"https://www.douyin.com/user/{sec_uid}" if sec_uid else None,
    )
    return MediaCrawlerRow(post, account)


def _kuaishou_video(row: Mapping[str, Any], at: datetime) -> MediaCrawlerRow:
    pid = _id(row, "video_id")
    if pid is None:
        raise ValueError("video_id: 缺失")
    caption = _text(row, "desc", "title")
    uid = _id(row, "user_id")
    post = PostRecord(
        platform="kuaishou",
        platform_post_id=pid,
        captured_at=at,
        account_uid=uid,
        url=_text(row, "video_url") or f"https://www.kuaishou.com/short-video/{pid}",
        text=caption,
        content_type="video",
        published_at=_time(row, "create_time"),
        hashtags=_tags(caption),
        metrics=_metrics(row, views="viewd_count", likes="liked_count"),
        source=SOURCE,
        context=_context(row),
    )
    account = _account(
        "kuaishou",
        uid,
        _text(row, "nickname"),
        at,
        url=f"https://www.kuaishou.com/profile/{uid}" if uid else None,
    )
    return MediaCrawlerRow(post, account)


def _bvid(raw: str | None, url: str | None) -> str:
    for candidate in (raw, (url or "").rstrip("/").rsplit("/", 1)[-1] or None):
        if candidate is None:
            continue
        if is_bvid(candidate):
            return candidate
        digits = candidate.lower().removeprefix("av")
        if digits.isdigit():
            return aid_to_bvid(int(digits))
    raise ValueError(f"video_id: 不是 B 站 aid 或 BV 号: {raw!r}")


def _aid(row: Mapping[str, Any]) -> str | None:
    raw = _id(row, "video_id")
    return raw if raw and raw.isdigit() else None


def _bilibili_video(row: Mapping[str, Any], at: datetime) -> MediaCrawlerRow:
    bvid = _bvid(_id(row, "video_id"), _text(row, "video_url"))
    title = _text(row, "title")
    desc = _text(row, "desc")
    uid = _id(row, "user_id")
    post = PostRecord(
        platform="bilibili",
        platform_post_id=bvid,
        captured_at=at,
        account_uid=uid,
        url=f"https://www.bilibili.com/video/{bvid}",
        title=title,
        text=desc,
        content_type="video",
        published_at=_time(row, "create_time"),
        hashtags=_tags(title, desc),
        metrics=_metrics(
            row,
            views="video_play_count",
            likes="liked_count",
            comments="video_comment",
            shares="video_share_count",
            favorites="video_favorite_count",
        ),
        source=SOURCE,
        context=_context(row, aid=_aid(row)),
    )
    account = _account(
        "bilibili",
        uid,
        _text(row, "nickname"),
        at,
        url=f"https://space.bilibili.com/{uid}" if uid else None,
    )
    return MediaCrawlerRow(post, account)


_ZHIHU_TYPES = {"answer": "answer", "article": "article", "zvideo": "video", "video": "video"}


def _zhihu_content(row: Mapping[str, Any], at: datetime) -> MediaCrawlerRow:
    pid = _id(row, "content_id")
    if pid is None:
        raise ValueError("content_id: 缺失")
    kind = (_text(row, "content_type") or "").lower()
    if kind not in _ZHIHU_TYPES:
        raise ValueError(f"content_type: 不是回答、文章或视频: {kind!r}")
    title = strip_html(_text(row, "title"))
    text = strip_html(_text(row, "content_text", "desc"))
    question_id = _id(row, "question_id")
    uid = _id(row, "user_url_token", "user_id")
    url = _text(row, "content_url")
    if url is None:
        url = {
            "article": f"https://zhuanlan.zhihu.com/p/{pid}",
            "answer": f"https://www.zhihu.com/question/{question_id}/answer/{pid}"
            if question_id
            else f"https://www.zhihu.com/answer/{pid}",
        }.get(kind, f"https://www.zhihu.com/zvideo/{pid}")
    post = PostRecord(
        platform="zhihu",
        platform_post_id=pid,
        captured_at=at,
        account_uid=uid,
        url=url,
        title=title,
        text=text,
        content_type=_ZHIHU_TYPES[kind],
        published_at=_time(row, "created_time"),
        hashtags=_tags(title, text),
        metrics=_metrics(row, likes="voteup_count", comments="comment_count"),
        source=SOURCE,
        context=_context(row, question_id=question_id),
    )
    account = _account(
        "zhihu",
        uid,
        _text(row, "user_nickname"),
        at,
        url=f"https://www.zhihu.com/people/{uid}" if uid else None,
    )
    return MediaCrawlerRow(post, account)


def _xhs_note(row: Mapping[str, Any], at: datetime) -> MediaCrawlerRow:
    pid = _id(row, "note_id")
    if pid is None:
        raise ValueError("note_id: 缺失")
    title = _text(row, "title")
    desc = strip_html(_text(row, "desc"))
    tag_list = [t.strip() for t in (_text(row, "tag_list") or "").split(",") if t.strip()]
    kind = (_text(row, "type") or "").lower()
    uid = _id(row, "user_id")
    token = _text(row, "xsec_token")
    published, published_source = _published(row, "time", note_id_time(pid, now=at))
    post = PostRecord(
        platform="xiaohongshu",
        platform_post_id=pid,
        captured_at=at,
        account_uid=uid,
        url=_text(row, "note_url") or f"https://www.xiaohongshu.com/explore/{pid}",
        title=title,
        text=desc,
        content_type="video" if kind == "video" else "image" if kind == "normal" else None,
        published_at=published,
        published_at_source=published_source,
        hashtags=_tags(desc, structured=tag_list),
        metrics=_metrics(
            row,
            likes="liked_count",
            comments="comment_count",
            shares="share_count",
            favorites="collected_count",
        ),
        source=SOURCE,
        context=_context(row, xsec_token=token),
    )
    account = _account(
        "xiaohongshu",
        uid,
        _text(row, "nickname"),
        at,
        url=f"https://www.xiaohongshu.com/user/profile/{uid}" if uid else None,
    )
    return MediaCrawlerRow(post, account)


def _creator(row: Mapping[str, Any], at: datetime, platform: str | None) -> MediaCrawlerRow:
    keys = set(row)
    if "total_fans" in keys:
        platform = "bilibili"
    elif {"url_token", "anwser_count", "get_voteup_count"} & keys:
        platform = "zhihu"
    if platform is None:
        raise ValueError("创作者表无法判断平台（请用 --platform 指定）")
    uid = _id(row, "url_token") if platform == "zhihu" else None
    uid = uid or _id(row, "user_id")
    if uid is None:
        raise ValueError("user_id: 缺失")
    followers = _count(row, "total_fans") if "total_fans" in keys else _count(row, "fans")
    account = AccountRecord(
        platform=platform,
        platform_uid=uid,
        name=_text(row, "nickname", "user_nickname"),
        followers=followers,
        seen_at=at,
    )
    return MediaCrawlerRow(None, account)


# --- comment tables -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CommentLayout:
    """Where one platform's MediaCrawler comment row keeps each field."""

    work: str
    time: tuple[str, ...]
    likes: str | None
    commenter: tuple[str, ...] = ("user_id",)
    name: tuple[str, ...] = ("nickname",)
    parent_is_root: bool = False
    """The platform's parent id is the thread's top-level comment (Weibo ``rootid``, Douyin
    ``reply_id``), so it is also the reply's root; elsewhere the root is not in the row."""


_COMMENT_LAYOUTS: dict[str, _CommentLayout] = {
    "weibo": _CommentLayout(
        "note_id", ("create_time", "create_date_time"), "comment_like_count", parent_is_root=True
    ),
    "douyin": _CommentLayout("aweme_id", ("create_time",), "like_count", parent_is_root=True),
    "xiaohongshu": _CommentLayout("note_id", ("create_time",), "like_count"),
    "kuaishou": _CommentLayout("video_id", ("create_time",), None),
    "bilibili": _CommentLayout("video_id", ("create_time",), "like_count"),
    "zhihu": _CommentLayout(
        "content_id", ("publish_time",), "like_count", name=("user_nickname", "nickname")
    ),
}
"""Per platform, from MediaCrawler's ``store/<platform>/__init__.py`` (``update_*_comment``)
and ``model/m_zhihu.py`` (``ZhihuComment``)."""

_NO_PARENT = frozenset({"", "0", "None", "null"})


def _comment_platform(row: Mapping[str, Any], hint: str | None) -> str:
    """Which platform a comment row is from (see the module doc); ``ValueError`` when unsure."""
    keys = set(row)
    layout = _COMMENT_LAYOUTS.get(hint) if hint is not None else None
    if hint is not None and layout is not None and layout.work in keys:
        return hint
    if "aweme_id" in keys:
        return "douyin"
    if "content_id" in keys:
        return "zhihu"
    if "note_id" in keys:
        note = _id(row, "note_id") or ""
        if {"comment_like_count", "create_date_time"} & keys or note.isdigit():
            return "weibo"
        if len(note) == 24 and all(c in "0123456789abcdef" for c in note.lower()):
            return "xiaohongshu"
    if "video_id" in keys:
        video = _id(row, "video_id") or ""
        if {"like_count", "parent_comment_id", "sex", "sign"} & keys or video.isdigit():
            return "bilibili"
        if video:
            return "kuaishou"
    if hint is not None and layout is not None:
        return hint  # the row lacks its work id: rejected with that reason
    raise ValueError("评论表无法判断平台（请用 --platform 指定）")


def _parent(row: Mapping[str, Any], own_id: str) -> str | None:
    parent = _id(row, "parent_comment_id")
    if parent is None or parent in _NO_PARENT or parent == own_id:
        return None
    return parent


_ZHIHU_PEOPLE = "/people/"


def _commenter(platform: str, row: Mapping[str, Any], layout: _CommentLayout) -> str | None:
    """The commenter's account id as every other door stores it (a Zhihu url_token, the id the
    registry lists, is read from the profile link; its hex id only when there is none)."""
    if platform == "zhihu":
        link = _text(row, "user_link") or ""
        token = link.rsplit(_ZHIHU_PEOPLE, 1)[-1].strip("/") if _ZHIHU_PEOPLE in link else ""
        if token and token not in ("None", "null"):
            return token
    return _id(row, *layout.commenter)


_ACCOUNT_URLS = {
    "weibo": "https://weibo.com/u/{uid}",
    "xiaohongshu": "https://www.xiaohongshu.com/user/profile/{uid}",
    "kuaishou": "https://www.kuaishou.com/profile/{uid}",
    "bilibili": "https://space.bilibili.com/{uid}",
    "zhihu": "https://www.zhihu.com/people/{uid}",
}


def _comment(row: Mapping[str, Any], at: datetime, hint: str | None) -> MediaCrawlerRow:
    platform = _comment_platform(row, hint)
    layout = _COMMENT_LAYOUTS[platform]
    cid = _id(row, "comment_id")
    if cid is None:
        raise ValueError("comment_id: 缺失")
    work = _id(row, layout.work)
    if work is None:
        raise ValueError(f"{layout.work}: 缺失")
    if platform == "bilibili":
        work = _bvid(work, None)
    text = strip_html(_text(row, "content"))
    parent = _parent(row, cid)
    uid = _commenter(platform, row, layout)
    name = _text(row, *layout.name)
    comment = CommentRecord(
        platform=platform,
        platform_comment_id=cid,
        platform_post_id=work,
        captured_at=at,
        commenter_uid=uid,
        commenter_name=name,
        text=text,
        published_at=_time(row, *layout.time),
        parent_comment_id=parent,
        root_comment_id=parent if layout.parent_is_root else None,
        likes=_count(row, layout.likes) if layout.likes else None,
        reply_count=_count(row, "sub_comment_count"),
        hashtags=_tags(text),
        source=SOURCE,
    )
    if platform == "douyin":
        sec_uid = _text(row, "sec_uid")
        url = f"https://www.douyin.com/user/{sec_uid}" if sec_uid else None
    else:
        url = _ACCOUNT_URLS[platform].format(uid=uid) if uid else None
    return MediaCrawlerRow(None, _account(platform, uid, name, at, url=url), comment)


_MAPPERS: dict[str, Callable[[Mapping[str, Any], datetime], MediaCrawlerRow]] = {
    "weibo_note": _weibo_note,
    "douyin_aweme": _douyin_aweme,
    "kuaishou_video": _kuaishou_video,
    "bilibili_video": _bilibili_video,
    "zhihu_content": _zhihu_content,
    "xhs_note": _xhs_note,
}


def row_time(row: Mapping[str, Any], fallback: datetime) -> datetime:
    """When MediaCrawler saw the row's counts: ``last_modify_ts``, else ``add_ts`` (ms)."""
    return _time(row, "last_modify_ts", "add_ts") or fallback


def map_row(
    table: str, row: Mapping[str, Any], *, fallback_time: datetime, platform: str | None = None
) -> MediaCrawlerRow:
    """Map one row of ``table``; raises ``ValueError`` with the reason for a bad row."""
    at = row_time(row, fallback_time)
    if table == CREATOR_TABLE:
        return _creator(row, at, platform)
    if table == COMMENT_TABLE:
        return _comment(row, at, platform)
    mapper = _MAPPERS.get(table)
    if mapper is None:
        raise ValueError(f"不是作品表或评论表: {table}")
    return mapper(row, at)


# --- files ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class RowEvent:
    """One row read from a file: its location and either the row or why it is unreadable."""

    location: str
    row: Mapping[str, Any] | None
    error: str | None = None
    payload: str = ""
    """What could be read of an unreadable row, kept with its reject."""


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _decode_line(raw: bytes) -> str | None:
    """One JSON line as text: UTF-8, else GBK; None when it is neither (a damaged line).

    Decoding a damaged UTF-8 line as GBK with replacement characters used to import the row
    with every Chinese character garbled; now the line is a reject.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _iter_jsonl(path: Path, label: str) -> Iterator[RowEvent]:
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            decoded = _decode_line(raw)
            if decoded is None:
                yield RowEvent(
                    f"{label}:{line_no}",
                    None,
                    "这一行既不是 UTF-8 也不是 GBK 编码，无法读取",
                    line_payload(raw.rstrip(b"\r\n")),
                )
                continue
            text = decoded.strip()
            if not text:
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RowEvent(f"{label}:{line_no}:{exc.colno}", None, f"JSON 格式错误: {exc.msg}")
                continue
            if not isinstance(row, dict):
                yield RowEvent(f"{label}:{line_no}", None, "不是 JSON 对象")
                continue
            yield RowEvent(f"{label}:{line_no}", row)


def _iter_json_array(path: Path, label: str) -> Iterator[RowEvent]:
    # decoded line by line: a bad byte costs one character, not every line's encoding
    text = decode_lines(path.read_bytes()).text()
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RowEvent(f"{label}:{exc.lineno}:{exc.colno}", None, f"JSON 格式错误: {exc.msg}")
        return
    if not isinstance(rows, list):
        yield RowEvent(label, None, "不是 JSON 数组")
        return
    for i, row in enumerate(rows):
        where = f"{label}#[{i}]"
        if isinstance(row, dict):
            yield RowEvent(where, row)
        else:
            yield RowEvent(where, None, "不是 JSON 对象")


def _iter_csv(path: Path, label: str) -> Iterator[RowEvent]:
    """Rows of a CSV decoded line by line: a row holding a line with a bad byte is a reject at
    that line (its bytes kept), the other rows import. The bad bytes are read as U+FFFD rather
    than the line blanked, so a quoted multi-line ``desc`` cannot swallow the rows after it."""
    decoded = decode_lines(path.read_bytes())
    pending = sorted(decoded.bad.items())
    reader = csv.DictReader(io.StringIO(decoded.text(), newline=""))
    _ = reader.fieldnames  # reads the header, so the lines of each row are known below
    end = reader.line_num
    while pending and pending[0][0] <= end:  # the header itself: its columns may be garbled
        yield _bad_line_event(decoded, pending.pop(0), label)
    for row in reader:
        end = reader.line_num
        if pending and pending[0][0] <= end:
            yield _bad_line_event(decoded, pending.pop(0), label)
            while pending and pending[0][0] <= end:
                pending.pop(0)  # one reject per row
            continue
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        yield RowEvent(f"{label}:{end}", {k: v for k, v in row.items() if k})


def _bad_line_event(decoded: DecodedLines, bad: tuple[int, int], label: str) -> RowEvent:
    line_no, column = bad
    name = "GBK" if decoded.encoding == "gb18030" else decoded.encoding.upper()
    return RowEvent(
        f"{label}:{line_no}",
        None,
        f"{label}:{line_no}:{column}: 这一行不是 {name} 编码，无法读取",
        line_payload(decoded.raw[line_no - 1], decoded.encoding),
    )


def _iter_xlsx(path: Path, label: str) -> Iterator[RowEvent]:
    from openpyxl import load_workbook

    with path.open("rb") as fh:
        yield from _xlsx_rows(load_workbook(fh, read_only=True, data_only=True), label)


def _xlsx_rows(wb: Any, label: str) -> Iterator[RowEvent]:
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if not header:
                continue
            names = [str(h).strip() if h is not None else "" for h in header]
            for line_no, values in enumerate(rows, start=2):
                if values is None or all(v in (None, "") for v in values):
                    continue
                row = {n: v for n, v in zip(names, values, strict=False) if n}
                yield RowEvent(f"{label}[{ws.title}]:{line_no}", row)
    finally:
        wb.close()


def iter_rows(path: Path, label: str) -> Iterator[RowEvent]:
    """Every row of a MediaCrawler file in whichever format it was saved."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return _iter_xlsx(path, label)
    first = _decode(head).lstrip()
    if first.startswith("["):
        return _iter_json_array(path, label)
    if first.startswith("{"):
        return _iter_jsonl(path, label)
    return _iter_csv(path, label)


def read_mediacrawler(
    path: Path, *, label: str, fallback_time: datetime, platform: str | None = None
) -> Iterator[Chunk]:
    """One chunk per row; rejects carry ``file:line`` and the reason.

    The table is recognised per row (a JSONL file holds one table, but MediaCrawler's Excel
    export puts contents, comments and creators in one workbook).
    """
    platform = platform or platform_from_path(path)
    for event in iter_rows(path, label):
        chunk = Chunk(read=1)
        if event.row is None:
            chunk.reject(event.error or "无法读取", location=event.location, payload=event.payload)
            yield chunk
            continue
        table = detect_table(event.row)
        payload = json.dumps(event.row, ensure_ascii=False, default=str)
        if table is None:
            chunk.reject(
                "无法识别的 MediaCrawler 表（列名不符）", location=event.location, payload=payload
            )
            yield chunk
            continue
        try:
            mapped = map_row(table, event.row, fallback_time=fallback_time, platform=platform)
        except (ValueError, TypeError) as exc:
            chunk.reject(
                f"{table}: {exc}",
                location=event.location,
                payload=payload,
                platform=CONTENT_TABLES.get(table, platform),
            )
            yield chunk
            continue
        if mapped.post is not None:
            chunk.page.posts.append(mapped.post)
        if mapped.account is not None:
            chunk.page.accounts.append(mapped.account)
        if mapped.comment is not None:
            chunk.page.comments.append(mapped.comment)
        yield chunk
