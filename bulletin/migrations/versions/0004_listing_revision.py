"""Pages that stay fast at 100,000 postings: the listing revision, and indexes for the newest-first lists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 21:20:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table('listing_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(table, [{'id': 1, 'number': 1, 'changed_at': datetime.now(UTC)}])
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_listing')
        batch_op.drop_index('ix_posting_organisation_id')
        batch_op.create_index('ix_posting_category_newest', ['category', 'created_at'], unique=False)
        batch_op.create_index('ix_posting_organisation_newest',
                              ['organisation_id', 'created_at', 'status', 'moderation', 'valid_until'],
                              unique=False)
        batch_op.create_index('ix_posting_facets', ['category', 'type', 'district', 'status', 'moderation',
                                                    'valid_until', 'organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_facets')
        batch_op.drop_index('ix_posting_organisation_newest')
        batch_op.drop_index('ix_posting_category_newest')
        batch_op.create_index('ix_posting_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index('ix_posting_listing', ['status', 'category', 'valid_until'], unique=False)
    op.drop_table('listing_revision')
