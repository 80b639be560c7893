from datetime import datetime

from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class OrganisationMessage(SQLModel, table=True):
    """The coordinator asks an organisation for changes; shown on its dashboard until marked resolved."""

    __tablename__ = "organisation_message"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    # The author by email, like the audit log: the message stays readable if the account goes.
    author: str = Field(max_length=254)
    text: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = Field(default=None)
    resolved_by: str | None = Field(default=None, max_length=254)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
