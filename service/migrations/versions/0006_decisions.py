"""Panel decisions, versioned, with their delivery states; progress ratings for tracking forms.

Revision ID: 0006_decisions
Revises: 0005_packs
Create Date: 2026-11-28 05:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_decisions'
down_revision: str | None = '0005_packs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('decisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_id', sa.String(length=64), nullable=False),
    sa.Column('outcome_label', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lead_name', sa.String(length=255), nullable=False),
    sa.Column('lead_agency', sa.String(length=255), nullable=False),
    sa.Column('lead_contact', sa.String(length=255), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('taf_date', sa.Date(), nullable=True),
    sa.Column('child_views', sa.Text(), nullable=True),
    sa.Column('dissent', sa.Text(), nullable=True),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('letter_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('letter_channel', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['meeting_cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'version', name='uq_decisions_case_version')
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_panel'), ['panel'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_review_date'), ['review_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_recorded_at'), ['recorded_at'], unique=False)

    op.create_table('outcome_ratings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('outcome_index', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outcome_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_ratings_referral_id'), ['referral_id'], unique=False)


def downgrade() -> None:
    op.drop_table('outcome_ratings')
    op.drop_table('decisions')
