"""post/metric_snapshot.lower_bounds: which counts are floors ("100万+")

Revision ID: 0005_lower_bounds
Revises: 0004_pending_detail
Create Date: 2026-12-05 10:00:00

Platforms show very large counts as a floor ("100万+" on Weibo, "10万+" on Xiaohongshu, "1w+"
on Kuaishou). The figure (1,000,000) was stored as if exact; the new nullable column names the
metrics of a row that are floors, as a sorted comma list (``comments,shares``). Rows stored
before this revision keep NULL: their figures were read as exact and nothing says otherwise.
The revision id names the column so that it cannot collide with another branch's "0005".
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005_lower_bounds"
down_revision = "0004_pending_detail"
branch_labels = None
depends_on = None

TABLES = ("post", "metric_snapshot")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "lower_bounds", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True
                )
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("lower_bounds")
