"""Family contact details for delivering letters (outside the extracted record).

Revision ID: 0008_family_contacts
Revises: 0007_letters
Create Date: 2026-11-28 06:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0008_family_contacts'
down_revision: str | None = '0007_letters'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
