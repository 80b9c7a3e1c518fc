"""Stored tracking forms and per-action status.

Revision ID: 0010_tracking
Revises: 0009_batch_jobs
Create Date: 2026-11-28 06:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0010_tracking'
down_revision: str | None = '0009_batch_jobs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
