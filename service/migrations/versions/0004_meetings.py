"""Panel meetings, listed cases, case references, support-plan reviews and uploaded templates.

Revision ID: 0004_meetings
Revises: 0002_referral_checks
Create Date: 2026-11-28 04:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_meetings'
down_revision: str | None = '0002_referral_checks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def _drop_indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('papers_deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    _index('meetings', 'panel', 'date', 'status')

    op.create_table('case_ref_counters',
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('panel', 'year')
    )

    op.create_table('case_references',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_ref'),
    sa.UniqueConstraint('referral_id')
    )

    op.create_table('support_plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('review_due', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('listed_case_id', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('referral_id')
    )
    _index('support_plans', 'panel', 'review_due')

    op.create_table('meeting_cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('case_ref', sa.String(length=32), nullable=False),
    sa.Column('section', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('support_plan_id', sa.Uuid(), nullable=True),
    sa.Column('listed_by', sa.String(length=16), nullable=False),
    sa.Column('listed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['support_plan_id'], ['support_plans.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    _index('meeting_cases', 'meeting_id', 'referral_id', 'panel', 'case_ref', 'support_plan_id')

    op.create_table('template_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('panel', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('object_key', sa.String(length=255), nullable=False),
    sa.Column('storage_backend', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('uploader_type', sa.String(length=16), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('panel', 'kind', 'version', name='uq_template_versions_version')
    )
    _index('template_versions', 'panel')


def downgrade() -> None:
    _drop_indexes('template_versions', 'panel')
    op.drop_table('template_versions')
    _drop_indexes('meeting_cases', 'meeting_id', 'referral_id', 'panel', 'case_ref', 'support_plan_id')
    op.drop_table('meeting_cases')
    _drop_indexes('support_plans', 'panel', 'review_due')
    op.drop_table('support_plans')
    op.drop_table('case_references')
    op.drop_table('case_ref_counters')
    _drop_indexes('meetings', 'panel', 'date', 'status')
    op.drop_table('meetings')
