from datetime import date

from sqlmodel import Field, SQLModel


class VisitCounter(SQLModel, table=True):
    """Visits of public pages, counted per day, kind of page and language: no cookie, no address, no path."""

    __tablename__ = "visit_counter"

    day: date = Field(primary_key=True)
    page_kind: str = Field(primary_key=True, max_length=30)  # home, category, posting, search, ...
    language: str = Field(primary_key=True, max_length=8)
    count: int = Field(default=0)


class OpenPostingsSnapshot(SQLModel, table=True):
    """How many postings were listed on a day, per type, category and district: the needs over time.

    Written once a day (by send-expiry-reminders, or when the statistics page is first opened that day),
    since the current rows cannot tell how many postings were open on an earlier day.
    """

    __tablename__ = "open_postings_snapshot"

    day: date = Field(primary_key=True)
    type: str = Field(primary_key=True, max_length=10)
    category: str = Field(primary_key=True, max_length=40)
    district: str = Field(primary_key=True, max_length=100)  # "" for postings without a district
    count: int = Field(default=0)
