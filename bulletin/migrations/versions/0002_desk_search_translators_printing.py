"""The coordinator's desk, the search queue, volunteer translators and printed flyers.

Moderation state and reasons on postings, reports from visitors, messages to organisations, expiry
reminders, visit counters and daily snapshots; the search index queue and match digests; outdated
flags and translation drafts; featured organisations for the flyer.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:27:25.565397
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('open_postings_snapshot',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'type', 'category', 'district')
    )
    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_queue_posting_id'), ['posting_id'], unique=False)

    op.create_table('visit_counter',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('page_kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'page_kind', 'language')
    )
    op.create_table('organisation_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organisation_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_message_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('expiry_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('posting_id', 'valid_until')
    )
    with op.batch_alter_table('expiry_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expiry_reminder_posting_id'), ['posting_id'], unique=False)

    op.create_table('match_digest_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['posting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['posting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'offer_id')
    )
    with op.batch_alter_table('match_digest_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_digest_entry_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_digest_entry_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_status'), ['status'], unique=False)

    op.create_table('translation_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('translator_id', sa.Integer(), nullable=True),
    sa.Column('translator_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(posting_id IS NULL) <> (organisation_id IS NULL)', name='ck_translation_draft_one_subject'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['translator_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('translation_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_translation_draft_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_translation_draft_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index('ix_translation_draft_status', ['status', 'created_at'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_digest', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('featured', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('organisation_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outdated', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderation', sqlmodel.sql.sqltypes.AutoString(length=10), server_default='visible', nullable=False))
        batch_op.add_column(sa.Column('moderation_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('view_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('posting_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outdated', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default='[]', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('languages')

    with op.batch_alter_table('posting_text', schema=None) as batch_op:
        batch_op.drop_column('outdated')

    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_column('view_count')
        batch_op.drop_column('moderation_reason')
        batch_op.drop_column('moderation')

    with op.batch_alter_table('organisation_text', schema=None) as batch_op:
        batch_op.drop_column('outdated')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('featured')
        batch_op.drop_column('match_digest')

    with op.batch_alter_table('translation_draft', schema=None) as batch_op:
        batch_op.drop_index('ix_translation_draft_status')
        batch_op.drop_index(batch_op.f('ix_translation_draft_posting_id'))
        batch_op.drop_index(batch_op.f('ix_translation_draft_organisation_id'))

    op.drop_table('translation_draft')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_status'))
        batch_op.drop_index(batch_op.f('ix_report_posting_id'))
        batch_op.drop_index(batch_op.f('ix_report_organisation_id'))

    op.drop_table('report')
    with op.batch_alter_table('match_digest_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_digest_entry_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_match_digest_entry_offer_id'))

    op.drop_table('match_digest_entry')
    with op.batch_alter_table('expiry_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expiry_reminder_posting_id'))

    op.drop_table('expiry_reminder')
    with op.batch_alter_table('organisation_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_message_organisation_id'))

    op.drop_table('organisation_message')
    op.drop_table('visit_counter')
    with op.batch_alter_table('search_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_queue_posting_id'))

    op.drop_table('search_queue')
    op.drop_table('open_postings_snapshot')
