from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class TranslationDraft(SQLModel, table=True):
    """A volunteer's translation waiting for the coordinator's review, of a posting or a profile.

    Exactly one of ``posting_id`` and ``organisation_id`` is set. Approving copies the text into
    PostingText or OrganisationText; approved and rejected drafts stay until the daily purge removes them
    (BULLETIN_DRAFT_RETENTION_DAYS after the review): the audit log keeps the record of the review.
    """

    __tablename__ = "translation_draft"
    __table_args__ = (
        CheckConstraint(
            "(posting_id IS NULL) <> (organisation_id IS NULL)", name="ck_translation_draft_one_subject"
        ),
        Index("ix_translation_draft_status", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int | None = Field(default=None, foreign_key="posting.id", index=True, ondelete="CASCADE")
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, ondelete="CASCADE"
    )
    language: str = Field(max_length=8)
    title: str = Field(default="", max_length=200)  # postings only; a profile has a description alone
    body: str = Field(default="")  # a posting's description, or the organisation's self-description
    # A fingerprint of the original text it was made from: approving it after the original changed
    # publishes it as outdated.
    source_digest: str = Field(max_length=64)
    translator_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    translator_email: str = Field(max_length=254)  # kept when the account is gone
    status: str = Field(default="pending", max_length=10)  # pending | approved | rejected
    created_at: datetime = Field(default_factory=utcnow)
    reviewed_at: datetime | None = Field(default=None)
    reviewer_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
