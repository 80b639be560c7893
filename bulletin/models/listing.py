from datetime import datetime

from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class ListingRevision(SQLModel, table=True):
    """One row that moves whenever what visitors may see could have changed.

    A posting, its texts or its organisation changed: the number goes up in the same transaction, so
    every worker on every host sees the change the moment it is committed, and counts cached under the
    old number are never shown again (bulletin/services/listing_revision.py).
    """

    __tablename__ = "listing_revision"

    id: int = Field(default=1, primary_key=True)  # always 1: a single row
    number: int = Field(default=0)
    changed_at: datetime = Field(default_factory=utcnow)
