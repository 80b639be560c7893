from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint, false
from sqlmodel import Field, Relationship, SQLModel

from bulletin.models.base import utcnow


class Organisation(SQLModel, table=True):
    """An NGO, counselling centre, authority or volunteer group that posts on the board."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, unique=True, index=True)
    name: str = Field(max_length=200)
    type: str = Field(default="other", max_length=20)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=50)
    website: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=300)
    district: str | None = Field(default=None, max_length=100)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # pending: waiting for the coordinator; approved: public; suspended: hidden again.
    status: str = Field(default="pending", max_length=20, index=True)
    verified: bool = Field(default=False)
    # Wants a daily mail listing new offers that match its open requests.
    match_digest: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    featured: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # flyer contact
    logo: str | None = Field(default=None, max_length=100)  # file name in the upload folder
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    texts: list["OrganisationText"] = Relationship(
        back_populates="organisation",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"},
    )

    @property
    def is_public(self) -> bool:
        return self.status == "approved"

    def description(self, language: str) -> "OrganisationText | None":
        """The description in ``language``, else the original one."""
        by_language = {text.language: text for text in self.texts}
        if language in by_language:
            return by_language[language]
        return next((text for text in self.texts if text.is_original), None)


class OrganisationText(SQLModel, table=True):
    """An organisation's self-description in one language."""

    __tablename__ = "organisation_text"
    __table_args__ = (UniqueConstraint("organisation_id", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=8)
    description: str = Field(default="")
    source_language: str = Field(max_length=8)
    # A translation whose original has changed since; saving the translation again clears it.
    outdated: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_at: datetime = Field(default_factory=utcnow)

    organisation: "Organisation" = Relationship(back_populates="texts")

    @property
    def is_original(self) -> bool:
        return self.language == self.source_language
