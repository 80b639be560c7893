from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class ExpiryReminder(SQLModel, table=True):
    """A reminder mailed about one posting's coming expiry, and the state of its one-click renew link.

    One row per posting and valid-until date, so nobody is reminded twice of the same expiry; the signed
    link names this row and its nonce, and works once (``used_at``).
    """

    __tablename__ = "expiry_reminder"
    __table_args__ = (UniqueConstraint("posting_id", "valid_until"),)

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="posting.id", index=True, ondelete="CASCADE")
    valid_until: date
    nonce: str = Field(max_length=64)
    sent_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = Field(default=None)
