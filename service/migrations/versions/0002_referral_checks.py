"""Referral checks: effective/extracted record, triage facts, evaluations, corrections, attachments, consent events.

Revision ID: 0002_referral_checks
Revises: 0001
Create Date: 2026-11-28 04:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002_referral_checks'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extracted_record', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('extracted_confidence', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('triage', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('route', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('harm_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('social_care_reference', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('linked_referral_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_route'), ['route'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_harm_due_at'), ['harm_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_linked_referral_id'), ['linked_referral_id'],
                              unique=False)
        batch_op.create_foreign_key('fk_referrals_linked_referral_id_referrals', 'referrals',
                                    ['linked_referral_id'], ['id'], ondelete='SET NULL')
    # records extracted before this revision were never corrected: what was read is what holds
    op.execute('UPDATE referrals SET extracted_record = record')

    op.create_table('referral_evaluations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('route', sa.String(length=32), nullable=False),
    sa.Column('basis', sa.String(length=32), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('profile', sa.String(length=64), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referral_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_evaluations_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_evaluations_evaluated_at'), ['evaluated_at'],
                              unique=False)

    op.create_table('referral_corrections',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('extracted_value', sa.JSON(), nullable=False),
    sa.Column('previous_value', sa.JSON(), nullable=False),
    sa.Column('new_value', sa.JSON(), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('corrected_by', sa.Uuid(), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrected_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('referral_id', 'version', name='uq_referral_corrections_version')
    )
    with op.batch_alter_table('referral_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_corrections_referral_id'), ['referral_id'], unique=False)

    op.create_table('referral_documents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=False),
    sa.Column('attached_by', sa.Uuid(), nullable=True),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attached_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id')
    )
    with op.batch_alter_table('referral_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_documents_referral_id'), ['referral_id'], unique=False)

    op.create_table('consent_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('on', sa.Date(), nullable=True),
    sa.Column('given_by', sa.String(length=64), nullable=True),
    sa.Column('excluded_agencies', sa.JSON(), nullable=False),
    sa.Column('how_recorded', sa.String(length=200), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_events_referral_id'), ['referral_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_events_referral_id'))
    op.drop_table('consent_events')
    with op.batch_alter_table('referral_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_documents_referral_id'))
    op.drop_table('referral_documents')
    with op.batch_alter_table('referral_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_corrections_referral_id'))
    op.drop_table('referral_corrections')
    with op.batch_alter_table('referral_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_evaluations_evaluated_at'))
        batch_op.drop_index(batch_op.f('ix_referral_evaluations_referral_id'))
    op.drop_table('referral_evaluations')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint('fk_referrals_linked_referral_id_referrals', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referrals_linked_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_harm_due_at'))
        batch_op.drop_index(batch_op.f('ix_referrals_route'))
        batch_op.drop_column('linked_referral_id')
        batch_op.drop_column('social_care_reference')
        batch_op.drop_column('harm_due_at')
        batch_op.drop_column('route')
        batch_op.drop_column('triage')
        batch_op.drop_column('extracted_confidence')
        batch_op.drop_column('extracted_record')
