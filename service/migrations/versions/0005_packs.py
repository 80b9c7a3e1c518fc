"""Agenda pack builds, stored packs and the information-sharing log.

Revision ID: 0005_packs
Revises: 0004_meetings
Create Date: 2026-11-28 04:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_packs'
down_revision: str | None = '0004_meetings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pack_builds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('built_by', sa.Uuid(), nullable=True),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['built_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pack_builds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_builds_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_builds_built_at'), ['built_at'], unique=False)

    op.create_table('meeting_packs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('build_id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('file', sa.String(length=80), nullable=False),
    sa.Column('object_key', sa.String(length=255), nullable=False),
    sa.Column('storage_backend', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('case_ids', sa.JSON(), nullable=False),
    sa.Column('withheld', sa.Integer(), nullable=False),
    sa.Column('disclosures', sa.JSON(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_to', sa.String(length=254), nullable=True),
    sa.Column('link_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['build_id'], ['pack_builds.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['disclosure_links.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('build_id', 'agency', name='uq_meeting_packs_agency')
    )
    with op.batch_alter_table('meeting_packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_packs_build_id'), ['build_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_packs_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('information_sharing_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('case_ref', sa.String(length=32), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('pack_id', sa.Uuid(), nullable=True),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('basis', sa.String(length=32), nullable=False),
    sa.Column('chair_decision', sa.JSON(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('shared_by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('information_sharing_log', schema=None) as batch_op:
        for column in ('shared_at', 'referral_id', 'meeting_id', 'agency'):
            batch_op.create_index(batch_op.f(f'ix_information_sharing_log_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('information_sharing_log', schema=None) as batch_op:
        for column in ('shared_at', 'referral_id', 'meeting_id', 'agency'):
            batch_op.drop_index(batch_op.f(f'ix_information_sharing_log_{column}'))
    op.drop_table('information_sharing_log')
    with op.batch_alter_table('meeting_packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_packs_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_packs_build_id'))
    op.drop_table('meeting_packs')
    with op.batch_alter_table('pack_builds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_builds_built_at'))
        batch_op.drop_index(batch_op.f('ix_pack_builds_meeting_id'))
    op.drop_table('pack_builds')
