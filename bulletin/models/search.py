from datetime import datetime

from sqlalchemy import UniqueConstraint, false
from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class SearchQueueEntry(SQLModel, table=True):
    """A posting whose search document must be written again: the index's durable to-do list.

    A row is added in the same transaction as the change it stands for and deleted once the index holds
    the change, so a crash between the commit and the index write loses nothing. No foreign key: the
    row must outlive a deleted posting, whose document it then removes.
    """

    __tablename__ = "search_queue"

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(index=True)
    # Written to the live index while a rebuild runs; kept so the new index gets the change too.
    done: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow)


class MatchDigestEntry(SQLModel, table=True):
    """An offer already reported to an organisation as a match for one of its requests."""

    __tablename__ = "match_digest_entry"
    __table_args__ = (UniqueConstraint("request_id", "offer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    request_id: int = Field(foreign_key="posting.id", ondelete="CASCADE")
    offer_id: int = Field(foreign_key="posting.id", index=True, ondelete="CASCADE")
    sent_at: datetime = Field(default_factory=utcnow)
