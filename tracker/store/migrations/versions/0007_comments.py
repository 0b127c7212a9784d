"""comment: comments and replies on works, the notice's 作品互动

Revision ID: 0007_comments
Revises: 0006_stored_config
Create Date: 2026-12-06 10:00:00

A registry account's comment on a campaign work is participation (作品互动), so comments are
stored by the platform's own comment id with the work they are on and the commenter's id.
A comment may arrive before its work (a MediaCrawler comment table imported first): the work
id is kept without a foreign key. Databases made before this revision have no comments.
The revision id names the table so that it cannot collide with another branch's "0007".
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007_comments"
down_revision = "0006_stored_config"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "platform_comment_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("platform_post_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("parent_comment_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("root_comment_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("commenter_uid", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("commenter_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("hashtags", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("reply_count", sa.BigInteger(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("first_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "platform_comment_id", name=op.f("pk_comment")),
    )
    op.create_index("ix_comment_post", "comment", ["platform", "platform_post_id"], unique=False)
    op.create_index("ix_comment_commenter", "comment", ["platform", "commenter_uid"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_comment_commenter", table_name="comment")
    op.drop_index("ix_comment_post", table_name="comment")
    op.drop_table("comment")
