"""Family contact details for delivering letters (outside the extracted record).

Revision ID: 0008_family_contacts
Revises: 0007_letters
Create Date: 2026-11-28 06:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_family_contacts'
down_revision: str | None = '0007_letters'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('family_contacts',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('large_print', sa.Boolean(), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('set_by', sa.Uuid(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('referral_id')
    )


def downgrade() -> None:
    op.drop_table('family_contacts')
