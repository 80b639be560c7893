from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, false
from sqlmodel import Field, Relationship, SQLModel

from bulletin.models.base import utcnow
from bulletin.models.organisation import Organisation


class Posting(SQLModel, table=True):
    """An offer or a request of an organisation. Its words live in PostingText, one row per language."""

    # Public lists are newest first, of all, of one category or of one organisation: with these an index
    # walk in that order stops at the page's end instead of sorting every listed posting. The counts
    # (services/listing_tally.py) read ix_posting_facets and ix_posting_organisation_newest alone, in
    # their order: the columns the visibility rule asks about are in both.
    __table_args__ = (
        Index("ix_posting_category_newest", "category", "created_at"),
        Index("ix_posting_organisation_newest", "organisation_id", "created_at", "status", "moderation",
              "valid_until"),
        Index("ix_posting_facets", "category", "type", "district", "status", "moderation", "valid_until",
              "organisation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, unique=True, index=True)
    organisation_id: int = Field(foreign_key="organisation.id")  # indexed by ix_posting_organisation_newest
    type: str = Field(max_length=10, index=True)  # offer | request
    category: str = Field(max_length=40)
    district: str | None = Field(default=None, max_length=100, index=True)
    valid_until: date | None = Field(default=None)
    status: str = Field(default="open", max_length=10)  # open | closed
    # The coordinator's say, apart from the author's status: visible (shown while listed), held (waiting
    # for review, BULLETIN_POSTING_REVIEW) or hidden (taken down; the reason is shown to the organisation).
    moderation: str = Field(default="visible", max_length=10, sa_column_kwargs={"server_default": "visible"})
    moderation_reason: str | None = Field(default=None, max_length=1000)
    original_language: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    # Times the public page was opened: the translators' queue puts much-read postings first.
    view_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    organisation: Organisation = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    texts: list["PostingText"] = Relationship(
        back_populates="posting",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"},
    )

    def is_expired(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today

    def is_listed(self, today: date) -> bool:
        """Whether visitors may see it: open, unexpired, not held or hidden, from an approved organisation.

        The same rule as bulletin.services.listing_clause.is_listed_clause, for one posting already loaded.
        """
        return (
            self.status == "open"
            and not self.is_expired(today)
            and self.moderation == "visible"
            and self.organisation.is_public
        )

    def text(self, language: str) -> "PostingText | None":
        """The text in ``language`` if there is one, else the original."""
        by_language = {text.language: text for text in self.texts}
        return by_language.get(language) or by_language.get(self.original_language) or (
            self.texts[0] if self.texts else None
        )

    @property
    def languages(self) -> list[str]:
        """The languages it can be read in, the original first."""
        others = sorted(text.language for text in self.texts if text.language != self.original_language)
        return [self.original_language, *others]


class PostingText(SQLModel, table=True):
    """A posting's title and body in one language; ``source_language`` says what it was written from."""

    __tablename__ = "posting_text"
    __table_args__ = (UniqueConstraint("posting_id", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="posting.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=8)
    title: str = Field(max_length=200)
    body: str = Field(default="")
    source_language: str = Field(max_length=8)
    # A translation whose original has changed since; saving the translation again clears it.
    outdated: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_at: datetime = Field(default_factory=utcnow)

    posting: "Posting" = Relationship(back_populates="texts")

    @property
    def is_original(self) -> bool:
        return self.language == self.source_language
