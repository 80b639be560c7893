from datetime import datetime

from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class Report(SQLModel, table=True):
    """A visitor's "report a problem" about a posting or an organisation.

    Nothing about the visitor is stored: no address, no account, no cookie value; only what they wrote.
    """

    id: int | None = Field(default=None, primary_key=True)
    # The organisation concerned; for a report about a posting, the posting's organisation as well.
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    posting_id: int | None = Field(default=None, foreign_key="posting.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=30)  # a code from bulletin.services.reports.REASONS
    text: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default="open", max_length=10, index=True)  # open | resolved | dismissed
    resolved_by: str | None = Field(default=None, max_length=254)  # the coordinator's email
    resolved_at: datetime | None = Field(default=None)
    note: str | None = Field(default=None, max_length=1000)  # the coordinator's, never shown publicly

    @property
    def target_type(self) -> str:
        return "posting" if self.posting_id is not None else "organisation"
