"""stored_config: the campaign config and units registry texts a database was made with

Revision ID: 0006_stored_config
Revises: 0005_lower_bounds
Create Date: 2026-12-04 22:15:00

``tracker init`` and ``tracker config apply`` keep the text of ``campaign.toml`` and
``units.csv`` here, so ``tracker --db PATH <command>`` works from a folder without ``config/``.
Databases made before this revision have no rows: their commands still need the files.
The revision id names the table so that it cannot collide with another branch's "0006".
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006_stored_config"
down_revision = "0005_lower_bounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_config",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stored_config")),
    )


def downgrade() -> None:
    op.drop_table("stored_config")
