"""Stored letters, notices and summaries, and the date-of-birth gate on family letter links.

Revision ID: 0007_letters
Revises: 0006_decisions
Create Date: 2026-11-28 05:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_letters'
down_revision: str | None = '0006_decisions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('letter_documents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('decision_id', sa.Uuid(), nullable=True),
    sa.Column('recipient', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('variant', sa.String(length=16), nullable=False),
    sa.Column('file', sa.String(length=200), nullable=False),
    sa.Column('object_key', sa.String(length=300), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('letter_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_documents_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_documents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_documents_referral_id'), ['referral_id'], unique=False)
    op.create_table('letter_link_gates',
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('passed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['disclosure_links.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('link_id')
    )


def downgrade() -> None:
    op.drop_table('letter_link_gates')
    op.drop_table('letter_documents')
