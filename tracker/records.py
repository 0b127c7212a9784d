"""Platform-neutral records: the one contract between parsers and the store.

Every door (live connector, HAR/Zeeschuimer capture, saved JSON, MediaCrawler output, units'
submission lists) ends in these records, so the store never sees a platform's JSON and a parser
never sees the database. They are plain slotted dataclasses validated in ``__post_init__``:
cheap enough for a million rows, strict enough that a bad value fails at the parser, where the
raw item can still be sent to the reject table with a reason.

Rules carried from the design:
- platform ids are strings end to end (16-19 digit ids lose precision as numbers);
- times are UTC-aware datetimes;
- a metric the platform does not expose is ``None``, never 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from tracker.normalize.tags import tag_key

# Staff-facing names of review states and run rows, one wording for the report, the dashboard
# and `rank --explain` (the export sheets keep their own 通过/不通过, which review import reads).
REVIEW_STATUS_ZH: dict[str, str] = {"approved": "已通过", "rejected": "未通过", "pending": "待审核"}
RUN_KIND_ZH: dict[str, str] = {
    "collect": "采集",
    "refresh": "数据刷新",
    "import": "导入",
    "job": "定时任务",
    "comments": "评论读取",
}
RUN_STATUS_ZH: dict[str, str] = {
    "ok": "成功",
    "failed": "失败",
    "running": "进行中",
    "interrupted": "中断（下次续采）",
    "blocked": "被平台拦截",
    "login_required": "需重新登录",
    "signer_missing": "缺少签名插件",
    "skipped": "跳过",
    "stopped": "已停止",
}

Source = Literal["live", "capture", "submission", "import"]
SOURCES: tuple[str, ...] = ("live", "capture", "submission", "import")

ContentType = Literal["video", "image", "text", "article", "answer", "question", "repost", "live"]
CONTENT_TYPES: tuple[str, ...] = (
    "video",
    "image",
    "text",
    "article",
    "answer",
    "question",
    "repost",
    "live",
)

MatchedBy = Literal["tag", "roundtable", "topic", "theme", "submission", "manual"]

PUBLISHED_AT_SOURCES: tuple[str, ...] = ("field", "id", "display")
"""Where a post's ``published_at`` came from, best first: a time field of the body; the post id,
which encodes the creation time on some platforms (Douyin ``aweme_id >> 32``, Xiaohongshu's
ObjectId, Weibo's mid) when the body has no time field; or a display text ("04-24", "3天前")
whose year or precision had to be inferred. Staff and the ranking can then tell an exact time
from a reconstructed one, and the store never lets a weaker source replace a better one."""


class RecordError(ValueError):
    """A record failed validation; the message names the field."""


_PLATFORM_ID = re.compile(r"[a-z][a-z0-9_]{1,31}")


def _check_platform(platform: str) -> None:
    """The id's form only: the platform list lives with the specs (``connectors.catalogue``),
    a layer above records, and every door checks membership there before a record is made."""
    if not isinstance(platform, str) or not _PLATFORM_ID.fullmatch(platform):
        raise RecordError(f"platform: unknown platform id {platform!r}")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL (PostgreSQL text refuses it) and lone surrogates (UTF-8 cannot encode them; a platform
that cuts a text between the two halves of an emoji sends one)."""


def storable_text(value: str) -> str:
    """``value`` as every store accepts it: NUL dropped, a lone surrogate replaced by U+FFFD."""
    if _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


MAX_ID_CHARS = 100
"""The longest id the store's key columns hold (``VARCHAR(100)``; PostgreSQL enforces it)."""


def _check_id(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{name}: must be a non-empty string, got {value!r}")
    if len(value) > MAX_ID_CHARS:
        raise RecordError(f"{name}: longer than {MAX_ID_CHARS} characters: {value[:40]!r}…")


def _check_time(name: str, value: datetime | None, *, required: bool = False) -> None:
    if value is None:
        if required:
            raise RecordError(f"{name}: required")
        return
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise RecordError(f"{name}: must be a timezone-aware datetime, got {value!r}")


def _check_texts(record: object, names: tuple[str, ...]) -> list[str]:
    """Text columns take text (a list or number would fail the whole page at the store)."""
    values = []
    for name in names:
        value = getattr(record, name)
        if value is not None:
            if type(value) is not str:
                raise RecordError(f"{name}: must be a string or None, got {type(value).__name__}")
            values.append(value)
    return values


def _make_storable(record: object, ids: tuple[str, ...], texts: tuple[str, ...]) -> None:
    """The slow path, only for a record that holds NUL or a lone surrogate somewhere."""
    for name in ids:
        value = getattr(record, name)
        if value is not None and _UNSTORABLE.search(value):
            raise RecordError(f"{name}: contains a NUL or an unpaired surrogate, got {value!r}")
    for name in texts:
        value = getattr(record, name)
        if value is not None:
            setattr(record, name, storable_text(value))


_ACCOUNT_TEXTS = ("name", "url", "verify_type")
_POST_TEXTS = ("url", "title", "text", "repost_of")

MAX_COUNT = 2**63 - 1
"""The largest count the store can hold (a signed 64-bit integer in SQLite and PostgreSQL)."""


def _check_count(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{name}: must be a non-negative int or None, got {value!r}")
    if value > MAX_COUNT:
        raise RecordError(f"{name}: {value} is larger than any real count (max {MAX_COUNT})")


def _one_spelling_per_tag(tags: list[str]) -> list[str]:
    """A work's tags are a set of tags: the first spelling of each :func:`tag_key`, in order.

    Every door merges tags from several places (a structured list, the title, the text) and a
    platform may write one tag two ways (``#高考加油#`` and ``#高考加油``); deduplicating here
    holds for all of them. Keys are cached, so this is a few dict lookups per post.
    """
    keys = [tag_key(t) for t in tags]
    if len(set(keys)) == len(keys):
        return tags
    seen: set[str] = set()
    out: list[str] = []
    for tag, key in zip(tags, keys, strict=True):
        if key not in seen:
            seen.add(key)
            out.append(tag)
    return out


def _check_published_at_source(post: PostRecord) -> None:
    """A time read from a body field needs no mark, so ``None`` beside a time means "field";
    only a derived time has to say so. A source without a time is a parser bug."""
    source = post.published_at_source
    if source is None:
        if post.published_at is not None:
            post.published_at_source = "field"
        return
    if source not in PUBLISHED_AT_SOURCES:
        raise RecordError(f"published_at_source: unknown {source!r}")
    if post.published_at is None:
        raise RecordError("published_at_source: given without published_at")


@dataclass(slots=True)
class AccountRecord:
    """An account (creator) as one platform shows it at one moment."""

    platform: str
    platform_uid: str
    name: str | None = None
    url: str | None = None
    followers: int | None = None
    verified: bool | None = None
    verify_type: str | None = None
    seen_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        _check_id("platform_uid", self.platform_uid)
        texts = _check_texts(self, _ACCOUNT_TEXTS)
        if _UNSTORABLE.search("".join((self.platform_uid, *texts))):
            _make_storable(self, ("platform_uid",), _ACCOUNT_TEXTS)
        if self.verified is not None and not isinstance(self.verified, bool):
            raise RecordError(f"verified: must be a bool or None, got {self.verified!r}")
        _check_count("followers", self.followers)
        _check_time("seen_at", self.seen_at)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_uid)


METRIC_NAMES: tuple[str, ...] = ("views", "likes", "comments", "shares", "favorites")
"""The engagement counts a post carries, in the store's column order."""


@dataclass(slots=True)
class Metrics:
    """Engagement counts at one moment; ``None`` means the platform does not say.

    ``lower_bounds`` names the counts the platform only showed as a floor ("100万+" is at least
    1,000,000): the figure is kept, and the mark travels with it to the store, the outputs
    ("≥100万") and the ranking (which treats it as censored, never as exact). A mark on a count
    that is ``None`` is dropped: there is no figure for it to qualify.
    """

    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    favorites: int | None = None
    lower_bounds: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in METRIC_NAMES:
            _check_count(name, getattr(self, name))
        if self.lower_bounds:
            self.lower_bounds = _checked_lower_bounds(self, self.lower_bounds)


def _checked_lower_bounds(metrics: Metrics, names: object) -> frozenset[str]:
    if isinstance(names, str) or not isinstance(names, set | frozenset | list | tuple):
        raise RecordError(f"lower_bounds: must be a set of metric names, got {names!r}")
    unknown = [n for n in names if n not in METRIC_NAMES]
    if unknown:
        raise RecordError(f"lower_bounds: unknown metric {unknown[0]!r}")
    return frozenset(n for n in names if getattr(metrics, n) is not None)


def format_lower_bounds(names: frozenset[str] | set[str]) -> str | None:
    """The store's spelling of a set of floored metrics: a sorted comma list, ``None`` if empty.

    Sorted so that equal sets are equal texts (the upsert merges them per metric in SQL)."""
    return ",".join(sorted(names)) or None


def read_lower_bounds(text: str | None) -> frozenset[str]:
    """The metric names of a stored ``lower_bounds`` text (``None`` or ``""``: none)."""
    if not text:
        return frozenset()
    return frozenset(n for n in text.split(",") if n in METRIC_NAMES)


@dataclass(slots=True)
class PostRecord:
    """One work (post, video, note, answer, article) with its metrics at ``captured_at``.

    ``account_uid`` refers to an ``AccountRecord`` of the same platform, emitted beside it.
    ``hashtags`` are the raw spellings as the platform shows them (for display), one per tag:
    a later spelling of a tag already listed (same ``tracker.normalize.tags.tag_key``) is
    dropped. Matching is done on ``tag_key`` of them and of ``text``.
    ``repost_of`` is the platform post id of the original when this post is a repost.
    ``context`` carries membership hints that are not tags (for example a Zhihu roundtable id or a
    question id) as plain strings.
    ``published_at_source`` says how ``published_at`` was obtained (see
    :data:`PUBLISHED_AT_SOURCES`); left ``None`` beside a time it becomes ``"field"``.
    """

    platform: str
    platform_post_id: str
    captured_at: datetime
    account_uid: str | None = None
    url: str | None = None
    title: str | None = None
    text: str | None = None
    content_type: str | None = None
    published_at: datetime | None = None
    hashtags: list[str] = field(default_factory=list)
    repost_of: str | None = None
    duration_s: int | None = None
    metrics: Metrics = field(default_factory=Metrics)
    followers_at_capture: int | None = None
    source: str = "live"
    deleted: bool = False
    context: dict[str, str] = field(default_factory=dict)
    published_at_source: str | None = None

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        _check_id("platform_post_id", self.platform_post_id)
        if self.account_uid is not None:
            _check_id("account_uid", self.account_uid)
        _check_time("captured_at", self.captured_at, required=True)
        _check_time("published_at", self.published_at)
        _check_published_at_source(self)
        texts = _check_texts(self, _POST_TEXTS)
        if self.repost_of is not None and len(self.repost_of) > MAX_ID_CHARS:
            raise RecordError(f"repost_of: longer than {MAX_ID_CHARS} characters")
        tags, context = self.hashtags, self.context
        if not isinstance(tags, list) or not all(type(t) is str for t in tags):
            raise RecordError(f"hashtags: must be a list of strings, got {tags!r}")
        if len(tags) > 1:
            tags = self.hashtags = _one_spelling_per_tag(tags)
        if not isinstance(context, dict) or not all(
            type(k) is str and type(v) is str for k, v in context.items()
        ):
            raise RecordError(f"context: must map strings to strings, got {context!r}")
        ids = (self.platform_post_id, self.account_uid or "")
        if _UNSTORABLE.search("".join((*ids, *texts, *tags, *context, *context.values()))):
            _make_storable(self, ("platform_post_id", "account_uid"), _POST_TEXTS)
            self.hashtags = [storable_text(t) for t in tags]
            self.context = {storable_text(k): storable_text(v) for k, v in context.items()}
        if self.content_type is not None and self.content_type not in CONTENT_TYPES:
            raise RecordError(f"content_type: unknown {self.content_type!r}")
        if self.source not in SOURCES:
            raise RecordError(f"source: unknown {self.source!r}")
        _check_count("duration_s", self.duration_s)
        _check_count("followers_at_capture", self.followers_at_capture)
        if not isinstance(self.metrics, Metrics):
            raise RecordError("metrics: must be a Metrics instance")

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_post_id)


@dataclass(slots=True)
class PostDetail:
    """Fields that complete a post another response describes; never a post of its own.

    Some bodies only finish a post: Weibo's ``statuses/longtext`` holds the full text of a post
    whose list entry was cut, with no URL, type, time or counts. Stored as a post it would be a
    hollow work, so it is a detail: the ingest layer applies it to the post when that is stored
    (now or in a later run) and keeps it as pending until then. ``text`` replaces the post's
    (cut) text; ``hashtags`` and ``context`` are added to the post's; ``account_uid`` fills a
    missing author.
    """

    platform: str
    platform_post_id: str
    captured_at: datetime
    account_uid: str | None = None
    text: str | None = None
    hashtags: list[str] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)
    source: str = "live"

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        _check_id("platform_post_id", self.platform_post_id)
        if self.account_uid is not None:
            _check_id("account_uid", self.account_uid)
        _check_time("captured_at", self.captured_at, required=True)
        _check_texts(self, ("text",))
        tags, context = self.hashtags, self.context
        if not isinstance(tags, list) or not all(type(t) is str for t in tags):
            raise RecordError(f"hashtags: must be a list of strings, got {tags!r}")
        if not isinstance(context, dict) or not all(
            type(k) is str and type(v) is str for k, v in context.items()
        ):
            raise RecordError(f"context: must map strings to strings, got {context!r}")
        if self.text is not None:
            self.text = storable_text(self.text)
        self.hashtags = [storable_text(t) for t in tags]
        self.context = {storable_text(k): storable_text(v) for k, v in context.items()}
        if self.source not in SOURCES:
            raise RecordError(f"source: unknown {self.source!r}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_post_id)


def complete_post(post: PostRecord, detail: PostDetail) -> PostRecord:
    """``post`` with ``detail`` applied (see :class:`PostDetail`); both are left unchanged.

    The post keeps everything it knows (counts, time, URL, capture time); the detail brings what
    the post's own response cut off. Tags are merged in first-seen order, so a tag that was only
    in the cut part is added and the campaign match sees it.
    """
    tags = list(post.hashtags)
    tags.extend(t for t in detail.hashtags if t not in tags)
    return replace(
        post,
        text=detail.text if detail.text is not None else post.text,
        hashtags=tags,
        context={**post.context, **detail.context},
        account_uid=post.account_uid or detail.account_uid,
    )


_COMMENT_TEXTS = ("commenter_name", "text")


@dataclass(slots=True)
class CommentRecord:
    """One comment or reply on a work, as a platform's comment endpoint or an export gives it.

    Comments are the notice's third form of participation (作品互动): a registry account's
    comment on a campaign work counts for its units, so the commenter is kept by id, never only
    by name. ``platform_post_id`` is the work commented on; ``parent_comment_id`` is the comment
    a reply answers (``None`` for a top-level comment) and ``root_comment_id`` the top-level
    comment of its thread (``None`` for a top-level comment; equal to the parent for a direct
    reply). ``hashtags`` are the tags written in the comment (a tagged Weibo comment takes part
    as the notice says). ``reply_count`` is the platform's own count of replies, which the
    collector compares with the replies it could read. A comment id is unique per platform.
    """

    platform: str
    platform_comment_id: str
    platform_post_id: str
    captured_at: datetime
    commenter_uid: str | None = None
    commenter_name: str | None = None
    text: str | None = None
    published_at: datetime | None = None
    parent_comment_id: str | None = None
    root_comment_id: str | None = None
    likes: int | None = None
    reply_count: int | None = None
    hashtags: list[str] = field(default_factory=list)
    source: str = "live"

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        _check_id("platform_comment_id", self.platform_comment_id)
        _check_id("platform_post_id", self.platform_post_id)
        for name in ("commenter_uid", "parent_comment_id", "root_comment_id"):
            value = getattr(self, name)
            if value is not None:
                _check_id(name, value)
        _check_time("captured_at", self.captured_at, required=True)
        _check_time("published_at", self.published_at)
        texts = _check_texts(self, _COMMENT_TEXTS)
        tags = self.hashtags
        if not isinstance(tags, list) or not all(type(t) is str for t in tags):
            raise RecordError(f"hashtags: must be a list of strings, got {tags!r}")
        if len(tags) > 1:
            tags = self.hashtags = _one_spelling_per_tag(tags)
        ids = (
            self.platform_comment_id,
            self.platform_post_id,
            self.commenter_uid or "",
            self.parent_comment_id or "",
            self.root_comment_id or "",
        )
        if _UNSTORABLE.search("".join((*ids, *texts, *tags))):
            _make_storable(
                self,
                (
                    "platform_comment_id",
                    "platform_post_id",
                    "commenter_uid",
                    "parent_comment_id",
                    "root_comment_id",
                ),
                _COMMENT_TEXTS,
            )
            self.hashtags = [storable_text(t) for t in tags]
        _check_count("likes", self.likes)
        _check_count("reply_count", self.reply_count)
        if self.source not in SOURCES:
            raise RecordError(f"source: unknown {self.source!r}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_comment_id)

    @property
    def work_key(self) -> tuple[str, str]:
        return (self.platform, self.platform_post_id)


@dataclass(slots=True)
class RejectRecord:
    """Something a parser could not turn into a record, kept with the reason (never dropped)."""

    reason: str
    payload: str
    platform: str | None = None
    location: str | None = None


@dataclass(slots=True)
class ParsedPage:
    """What a parser returns for one response body or one imported item.

    ``claimed_total`` is the platform's own total where it states one (for coverage);
    ``has_more`` and ``cursor`` let a client page on without knowing the JSON.
    """

    posts: list[PostRecord] = field(default_factory=list)
    accounts: list[AccountRecord] = field(default_factory=list)
    rejects: list[RejectRecord] = field(default_factory=list)
    claimed_total: int | None = None
    has_more: bool | None = None
    cursor: str | None = None
    details: list[PostDetail] = field(default_factory=list)
    """Fields completing posts (see :class:`PostDetail`); never counted as posts."""
    incomplete: dict[str, int] = field(default_factory=dict)
    """What a connector could not complete on this page, by kind (see :data:`INCOMPLETE_ZH`):
    the works are kept as the listing gave them, and the run says how many gaps it left."""
    comments: list[CommentRecord] = field(default_factory=list)
    """Comments and replies a comment endpoint (or an export's comment table) gave; the
    commenters are in ``accounts`` like any author."""

    def extend(self, other: ParsedPage) -> None:
        self.posts.extend(other.posts)
        self.accounts.extend(other.accounts)
        self.rejects.extend(other.rejects)
        self.details.extend(other.details)
        self.comments.extend(other.comments)
        for kind, n in other.incomplete.items():
            self.incomplete[kind] = self.incomplete.get(kind, 0) + n

    def note_incomplete(self, kind: str, n: int = 1) -> None:
        """Count ``n`` more gaps of ``kind`` (a failed enrichment call that did not stop the run)."""
        if n:
            self.incomplete[kind] = self.incomplete.get(kind, 0) + n


INCOMPLETE_ZH: dict[str, str] = {
    "followers": "粉丝数未读取：{n} 个账号",
    "long_text": "全文未读取：{n} 条（保留截断文本）",
    "detail": "详情未读取：{n} 个作品（保留列表中的数据）",
    "comments": "评论未读全：{n} 次读取失败（保留已读到的评论）",
}
"""Staff wording of each kind of gap a page may carry in ``ParsedPage.incomplete``."""


def incomplete_summary(incomplete: dict[str, int]) -> str | None:
    """One line for the run log, e.g. ``粉丝数未读取：3 个账号``; ``None`` when nothing is missing.

    Pure, so the collect service, the CLI and a report all say it the same way."""
    parts = [
        INCOMPLETE_ZH.get(kind, kind + "：{n}").format(n=n)
        for kind, n in sorted(incomplete.items())
        if n
    ]
    return "；".join(parts) or None


@dataclass(slots=True)
class CampaignLink:
    """A post's membership of a campaign, with how it matched."""

    platform: str
    platform_post_id: str
    campaign: str
    matched_by: str = "tag"
    matched_value: str | None = None
