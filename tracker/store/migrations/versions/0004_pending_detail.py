"""pending_detail: fields completing a post that is not stored yet

Revision ID: 0004_pending_detail
Revises: 0003
Create Date: 2026-12-04 21:30:00

A body that only completes a post (a Weibo ``statuses/longtext``: the full text of a cut post,
without URL, type, time or counts) used to be stored as a hollow post of its own. It is now a
``PostDetail``: applied to the post when that exists, else kept here until it arrives. The
revision id names the table so that it cannot collide with another branch's "0004".
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004_pending_detail"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_detail",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("platform_post_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("captured_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("account_uid", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("hashtags", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("context", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "platform_post_id", name=op.f("pk_pending_detail")),
    )


def downgrade() -> None:
    op.drop_table("pending_detail")
