"""post.published_at_source: how the publish time was obtained

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:00:00

Values are ``field`` (a time field of the body), ``id`` (derived from the post id: Douyin
``aweme_id >> 32``, a Xiaohongshu ObjectId, a Weibo mid) and ``display`` (a display text such as
"04-24"). Rows stored before this revision keep NULL: nobody recorded how their time was read.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "published_at_source",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("published_at_source")
