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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

PLATFORMS: tuple[str, ...] = (
    "weibo",
    "douyin",
    "kuaishou",
    "zhihu",
    "bilibili",
    "xiaohongshu",
    "tiktok",
    "kepuchina",
    "xuexi",
    "qqnews",
)
"""Every platform id the tool knows, in display order."""

PLATFORM_NAMES_ZH: dict[str, str] = {
    "weibo": "微博",
    "douyin": "抖音",
    "kuaishou": "快手",
    "zhihu": "知乎",
    "bilibili": "哔哩哔哩",
    "xiaohongshu": "小红书",
    "tiktok": "TikTok",
    "kepuchina": "科普中国",
    "xuexi": "学习强国",
    "qqnews": "腾讯新闻",
}

# Staff-facing names of review states and run rows, one wording for the report, the dashboard
# and `rank --explain` (the export sheets keep their own 通过/不通过, which review import reads).
REVIEW_STATUS_ZH: dict[str, str] = {"approved": "已通过", "rejected": "未通过", "pending": "待审核"}
RUN_KIND_ZH: dict[str, str] = {
    "collect": "采集",
    "refresh": "数据刷新",
    "import": "导入",
    "job": "定时任务",
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


class RecordError(ValueError):
    """A record failed validation; the message names the field."""


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
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


@dataclass(slots=True)
class Metrics:
    """Engagement counts at one moment; ``None`` means the platform does not say."""

    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    favorites: int | None = None

    def __post_init__(self) -> None:
        for name in ("views", "likes", "comments", "shares", "favorites"):
            _check_count(name, getattr(self, name))


@dataclass(slots=True)
class PostRecord:
    """One work (post, video, note, answer, article) with its metrics at ``captured_at``.

    ``account_uid`` refers to an ``AccountRecord`` of the same platform, emitted beside it.
    ``hashtags`` are the raw spellings as the platform shows them (for display); matching is done
    on ``tracker.normalize.tags.tag_key`` of them and of ``text``.
    ``repost_of`` is the platform post id of the original when this post is a repost.
    ``context`` carries membership hints that are not tags (for example a Zhihu roundtable id or a
    question id) as plain strings.
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

    def __post_init__(self) -> None:
        _check_platform(self.platform)
        _check_id("platform_post_id", self.platform_post_id)
        if self.account_uid is not None:
            _check_id("account_uid", self.account_uid)
        _check_time("captured_at", self.captured_at, required=True)
        _check_time("published_at", self.published_at)
        texts = _check_texts(self, _POST_TEXTS)
        if self.repost_of is not None and len(self.repost_of) > MAX_ID_CHARS:
            raise RecordError(f"repost_of: longer than {MAX_ID_CHARS} characters")
        tags, context = self.hashtags, self.context
        if not isinstance(tags, list) or not all(type(t) is str for t in tags):
            raise RecordError(f"hashtags: must be a list of strings, got {tags!r}")
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

    def extend(self, other: ParsedPage) -> None:
        self.posts.extend(other.posts)
        self.accounts.extend(other.accounts)
        self.rejects.extend(other.rejects)


@dataclass(slots=True)
class CampaignLink:
    """A post's membership of a campaign, with how it matched."""

    platform: str
    platform_post_id: str
    campaign: str
    matched_by: str = "tag"
    matched_value: str | None = None
