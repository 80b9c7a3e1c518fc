"""Stored tracking forms and per-action status.

Revision ID: 0010_tracking
Revises: 0009_batch_jobs
Create Date: 2026-11-28 06:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_tracking'
down_revision: str | None = '0009_batch_jobs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('action_status_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('decision_id', sa.Uuid(), nullable=False),
    sa.Column('action_index', sa.Integer(), nullable=False),
    sa.Column('action_what', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('set_by', sa.Uuid(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['meeting_cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_status_changes_referral_id'), ['referral_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_action_status_changes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_status_changes_set_at'), ['set_at'], unique=False)
    op.create_table('tracking_form_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('sources', sa.String(length=64), nullable=False),
    sa.Column('docx_key', sa.String(length=300), nullable=False),
    sa.Column('csv_key', sa.String(length=300), nullable=False),
    sa.Column('pdf_key', sa.String(length=300), nullable=True),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('built_by', sa.Uuid(), nullable=True),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['built_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('referral_id', 'version', name='uq_tracking_form_versions_version')
    )
    with op.batch_alter_table('tracking_form_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_form_versions_referral_id'), ['referral_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('tracking_form_versions')
    op.drop_table('action_status_changes')
