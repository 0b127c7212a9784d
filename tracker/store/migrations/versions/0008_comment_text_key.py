"""comment.text_key, comment.text_chars: each comment's near-duplicate key, kept at write time

Revision ID: 0008_comment_text_key
Revises: 0007_comments
Create Date: 2026-12-06 12:00:00

The ranking keyed every stored comment text on every run (about 6 µs a text) for its
copied-comment signal. The key and the length it was taken over are now written with the
comment; the comments already stored are keyed here, a batch at a time in key order.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from alembic import op

from tracker.normalize.text_key import text_keys

revision = "0008_comment_text_key"
down_revision = "0007_comments"
branch_labels = None
depends_on = None

BATCH = 20_000


def upgrade() -> None:
    op.add_column("comment", sa.Column("text_key", sa.BigInteger(), nullable=True))
    op.add_column("comment", sa.Column("text_chars", sa.Integer(), nullable=True))
    bind = op.get_bind()
    comment = sa.table(
        "comment",
        sa.column("platform", sa.String),
        sa.column("platform_comment_id", sa.String),
        sa.column("text", sa.Text),
        sa.column("text_key", sa.BigInteger),
        sa.column("text_chars", sa.Integer),
    )
    update = (
        comment.update()
        .where(
            comment.c.platform == sa.bindparam("p"),
            comment.c.platform_comment_id == sa.bindparam("c"),
        )
        .values(text_key=sa.bindparam("k"), text_chars=sa.bindparam("n"))
    )
    key = sa.tuple_(comment.c.platform, comment.c.platform_comment_id)
    after: tuple[str, str] | None = None
    while True:  # one batch at a time, in key order: never every text in memory at once
        query = sa.select(comment.c.platform, comment.c.platform_comment_id, comment.c.text)
        query = query.where(comment.c.text.is_not(None))
        if after is not None:
            query = query.where(key > sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
        chunk = bind.execute(
            query.order_by(comment.c.platform, comment.c.platform_comment_id).limit(BATCH)
        ).all()
        if not chunk:
            return
        keys, lengths = text_keys(pd.Series([r.text for r in chunk], dtype=object))
        bind.execute(
            update,
            [
                {"p": r.platform, "c": r.platform_comment_id, "k": int(k), "n": int(n)}
                for r, k, n in zip(chunk, keys, lengths, strict=True)
            ],
        )
        after = (chunk[-1].platform, chunk[-1].platform_comment_id)


def downgrade() -> None:
    op.drop_column("comment", "text_chars")
    op.drop_column("comment", "text_key")
