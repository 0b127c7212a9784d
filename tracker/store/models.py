"""The database schema (DESIGN section 2) as SQLModel tables.

Natural keys are used for works and accounts — ``(platform, platform_post_id)`` and
``(platform, platform_uid)`` — so every ingest is an idempotent upsert keyed by what the platform
itself calls the thing, snapshots and campaign links can be written without a lookup round-trip,
and the same work arriving through a live run, a capture and a submission is one row.
Ids are strings end to end; datetimes are UTC-aware (SQLModel's ``UTCDateTime``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, BigInteger, Column, Index, MetaData, Table, Text
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

if TYPE_CHECKING:

    class _Table(SQLModel):
        """SQLModel as the type checker should see a ``table=True`` model.

        SQLAlchemy sets ``__table__`` on every mapped class, but SQLModel does not declare it, so
        each ``Model.__table__`` (the Core table the bulk upserts and readers use) would be an
        error. At run time the base is SQLModel itself.
        """

        __table__: ClassVar[Table]

else:
    _Table = SQLModel


class Campaign(_Table, table=True):
    """A campaign: its tags and aliases, window and membership rules (several may coexist)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    title: str | None = None
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    window_start: datetime | None = None
    window_end: datetime | None = None
    timezone: str = "Asia/Shanghai"
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Account(_Table, table=True):
    platform: str = Field(primary_key=True, max_length=20)
    platform_uid: str = Field(primary_key=True, max_length=100)
    name: str | None = None
    url: str | None = None
    followers: int | None = Field(default=None, sa_column=Column(BigInteger))
    verified: bool | None = None
    verify_type: str | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None


class Post(_Table, table=True):
    """A work with its latest metrics; history lives in ``metric_snapshot``."""

    __table_args__ = (
        Index("ix_post_account", "platform", "account_uid"),
        Index("ix_post_published_at", "published_at"),
    )

    platform: str = Field(primary_key=True, max_length=20)
    platform_post_id: str = Field(primary_key=True, max_length=100)
    account_uid: str | None = Field(default=None, max_length=100)
    url: str | None = None
    title: str | None = None
    text: str | None = Field(default=None, sa_column=Column(Text))
    content_type: str | None = Field(default=None, max_length=20)
    published_at: datetime | None = None
    published_at_source: str | None = Field(default=None, max_length=10)
    hashtags: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    repost_of: str | None = Field(default=None, max_length=100)
    duration_s: int | None = None
    views: int | None = Field(default=None, sa_column=Column(BigInteger))
    likes: int | None = Field(default=None, sa_column=Column(BigInteger))
    comments: int | None = Field(default=None, sa_column=Column(BigInteger))
    shares: int | None = Field(default=None, sa_column=Column(BigInteger))
    favorites: int | None = Field(default=None, sa_column=Column(BigInteger))
    lower_bounds: str | None = Field(default=None, max_length=60)
    """Which of the metrics above are floors ("100万+"): a sorted comma list such as
    ``comments,shares``, NULL when every figure is exact (``records.Metrics.lower_bounds``)."""
    first_collected_at: datetime | None = None
    last_collected_at: datetime | None = None
    source: str = Field(default="live", max_length=20)
    deleted: bool = False
    fingerprint: str | None = Field(default=None, max_length=64)
    context: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


class PostCampaign(_Table, table=True):
    """Membership of a work in a campaign and how it matched; ``excluded`` is a manual veto."""

    __tablename__ = "post_campaign"

    platform: str = Field(primary_key=True, max_length=20)
    platform_post_id: str = Field(primary_key=True, max_length=100)
    campaign_id: int = Field(primary_key=True, foreign_key="campaign.id")
    matched_by: str = Field(default="tag", max_length=20)
    matched_value: str | None = None
    excluded: bool = False
    note: str | None = None
    decided_by: str | None = None
    linked_at: datetime | None = None


class MetricSnapshot(_Table, table=True):
    __tablename__ = "metric_snapshot"

    platform: str = Field(primary_key=True, max_length=20)
    platform_post_id: str = Field(primary_key=True, max_length=100)
    captured_at: datetime = Field(primary_key=True)
    views: int | None = Field(default=None, sa_column=Column(BigInteger))
    likes: int | None = Field(default=None, sa_column=Column(BigInteger))
    comments: int | None = Field(default=None, sa_column=Column(BigInteger))
    shares: int | None = Field(default=None, sa_column=Column(BigInteger))
    favorites: int | None = Field(default=None, sa_column=Column(BigInteger))
    lower_bounds: str | None = Field(default=None, max_length=60)
    """The metrics of this snapshot the platform only showed as a floor ("100万+"), as a sorted
    comma list (``comments,shares``); NULL when every figure is exact."""
    followers_at_capture: int | None = Field(default=None, sa_column=Column(BigInteger))
    source: str = Field(default="live", max_length=20)
    run_id: int | None = None


class PendingDetail(_Table, table=True):
    """Fields completing a post that is not stored yet (``records.PostDetail``), one per post.

    A Weibo long text saved or captured before (or without) its post must not become a hollow
    work; it waits here and the ingest layer applies it, then deletes it, when the post arrives.
    Platform-neutral: the completing fields, never a platform's JSON.
    """

    __tablename__ = "pending_detail"

    platform: str = Field(primary_key=True, max_length=20)
    platform_post_id: str = Field(primary_key=True, max_length=100)
    captured_at: datetime
    account_uid: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, sa_column=Column(Text))
    hashtags: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    context: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    source: str = Field(default="live", max_length=20)
    run_id: int | None = None


class Comment(_Table, table=True):
    """A comment or reply on a work (``records.CommentRecord``), with its latest counts.

    Comments are the notice's third form of participation (作品互动): a registry account's
    comment on a campaign work counts for its units. Keyed by the platform's own comment id, so
    every door's capture of a comment is one row; ``platform_post_id`` is the work commented on,
    which need not be stored (yet): a comment read before its work is kept, not dropped.
    """

    __table_args__ = (
        Index("ix_comment_post", "platform", "platform_post_id"),
        Index("ix_comment_commenter", "platform", "commenter_uid"),
    )

    platform: str = Field(primary_key=True, max_length=20)
    platform_comment_id: str = Field(primary_key=True, max_length=100)
    platform_post_id: str = Field(max_length=100)
    parent_comment_id: str | None = Field(default=None, max_length=100)
    root_comment_id: str | None = Field(default=None, max_length=100)
    commenter_uid: str | None = Field(default=None, max_length=100)
    commenter_name: str | None = None
    text: str | None = Field(default=None, sa_column=Column(Text))
    hashtags: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    published_at: datetime | None = None
    likes: int | None = Field(default=None, sa_column=Column(BigInteger))
    reply_count: int | None = Field(default=None, sa_column=Column(BigInteger))
    source: str = Field(default="live", max_length=20)
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    """The capture time of the data the row holds; only a later capture rewrites the row."""
    run_id: int | None = None
    """The run that wrote the row's current data."""
    text_key: int | None = Field(default=None, sa_column=Column(BigInteger))
    """The text's near-duplicate key (``tracker.normalize.text_key``), kept at write time so
    the ranking's copied-comment signal never keys every stored text again."""
    text_chars: int | None = None
    """How many characters the key was taken over (the ranking's minimum applies to it)."""


class Unit(_Table, table=True):
    """An organisation (city association, society, university, ...) from the registry."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    kind: str = Field(default="other", max_length=40)
    city: str | None = Field(default=None, max_length=40)


class AccountUnit(_Table, table=True):
    __tablename__ = "account_unit"

    platform: str = Field(primary_key=True, max_length=20)
    platform_uid: str = Field(primary_key=True, max_length=100)
    unit_id: int = Field(primary_key=True, foreign_key="unit.id")
    source: str = Field(default="registry", max_length=20)
    person: str | None = Field(default=None, max_length=200)


class Run(_Table, table=True):
    """One collection, refresh, import or scheduled job, with its counts and resume cursor."""

    __table_args__ = (Index("ix_run_platform_kind", "platform", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str | None = Field(default=None, max_length=20)
    kind: str = Field(max_length=20)
    job: str | None = Field(default=None, max_length=100)
    scheduled_for: datetime | None = None
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)
    pages: int = 0
    items_read: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    claimed_total: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))
    cursor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Reject(_Table, table=True):
    """Everything that could not be parsed, kept with the reason (never silently dropped)."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, index=True)
    source: str = Field(max_length=40)
    platform: str | None = Field(default=None, max_length=20)
    location: str | None = None
    reason: str = Field(sa_column=Column(Text, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class Review(_Table, table=True):
    """The current review decision of a work."""

    platform: str = Field(primary_key=True, max_length=20)
    platform_post_id: str = Field(primary_key=True, max_length=100)
    status: str = Field(default="pending", max_length=20)
    reviewer: str | None = None
    note: str | None = None
    decided_at: datetime | None = None


class ReviewEvent(_Table, table=True):
    """Every review decision ever made (the audit trail behind ``review``)."""

    __tablename__ = "review_event"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    platform_post_id: str = Field(max_length=100)
    status: str = Field(max_length=20)
    reviewer: str
    note: str | None = None
    decided_at: datetime


class StoredConfig(_Table, table=True):
    """A config file's text as ``tracker init`` / ``tracker config apply`` last read it.

    One row per file (``name``: ``campaign.toml`` or ``units.csv``), so ``tracker --db PATH``
    works from any folder: with no config file at hand, commands read the stored text.
    """

    __tablename__ = "stored_config"

    name: str = Field(primary_key=True, max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: str | None = Field(default=None, sa_column=Column(Text))
    """The file the text was read from, as given (for messages only)."""
    updated_at: datetime


ALL_TABLES = [
    Campaign,
    Account,
    Post,
    PostCampaign,
    MetricSnapshot,
    PendingDetail,
    Comment,
    Unit,
    AccountUnit,
    Run,
    Reject,
    Review,
    ReviewEvent,
    StoredConfig,
]
