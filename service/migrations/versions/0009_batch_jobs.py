"""Background batch jobs (letters build and send) with progress.

Revision ID: 0009_batch_jobs
Revises: 0008_family_contacts
Create Date: 2026-11-28 06:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0009_batch_jobs'
down_revision: str | None = '0008_family_contacts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
