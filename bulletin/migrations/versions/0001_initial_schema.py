"""Initial schema: organisations, postings, their texts per language, accounts, the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 20:03:37
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
# sqlmodel's UTCDateTime stores exactly this; the migration names the database type only.
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", String(length=254), nullable=False),
        sa.Column("action", String(length=50), nullable=False),
        sa.Column("object_type", String(length=30), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("object_key", String(length=100), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_action", "audit_entry", ["action"])
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"])
    op.create_index("ix_audit_entry_created_at", "audit_entry", ["created_at"])

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", String(length=100), nullable=False),
        sa.Column("name", String(length=200), nullable=False),
        sa.Column("type", String(length=20), nullable=False),
        sa.Column("email", String(length=254), nullable=True),
        sa.Column("phone", String(length=50), nullable=True),
        sa.Column("website", String(length=300), nullable=True),
        sa.Column("address", String(length=300), nullable=True),
        sa.Column("district", String(length=100), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("status", String(length=20), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("logo", String(length=100), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_organisation_key", "organisation", ["key"], unique=True)
    op.create_index("ix_organisation_status", "organisation", ["status"])

    op.create_table(
        "organisation_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("language", String(length=8), nullable=False),
        sa.Column("description", String(), nullable=False),
        sa.Column("source_language", String(length=8), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "language"),
    )
    op.create_index("ix_organisation_text_organisation_id", "organisation_text", ["organisation_id"])

    op.create_table(
        "posting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", String(length=100), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("type", String(length=10), nullable=False),
        sa.Column("category", String(length=40), nullable=False),
        sa.Column("district", String(length=100), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", String(length=10), nullable=False),
        sa.Column("original_language", String(length=8), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_posting_created_at", "posting", ["created_at"])
    op.create_index("ix_posting_district", "posting", ["district"])
    op.create_index("ix_posting_key", "posting", ["key"], unique=True)
    # What the public lists filter on: open, in a category, not expired.
    op.create_index("ix_posting_listing", "posting", ["status", "category", "valid_until"])
    op.create_index("ix_posting_organisation_id", "posting", ["organisation_id"])
    op.create_index("ix_posting_type", "posting", ["type"])

    op.create_table(
        "posting_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("language", String(length=8), nullable=False),
        sa.Column("title", String(length=200), nullable=False),
        sa.Column("body", String(), nullable=False),
        sa.Column("source_language", String(length=8), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["posting_id"], ["posting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("posting_id", "language"),
    )
    op.create_index("ix_posting_text_posting_id", "posting_text", ["posting_id"])

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", String(length=254), nullable=False),
        sa.Column("password_hash", String(length=255), nullable=False),
        sa.Column("role", String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("last_login_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_account_email", "user_account", ["email"], unique=True)
    op.create_index("ix_user_account_organisation_id", "user_account", ["organisation_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes; dependents go first.
    op.drop_table("user_account")
    op.drop_table("posting_text")
    op.drop_table("posting")
    op.drop_table("organisation_text")
    op.drop_table("organisation")
    op.drop_table("audit_entry")
