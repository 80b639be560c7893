"""Helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now in UTC, naive: SQLite has no time zones, so every stored time is UTC by convention."""
    return datetime.now(UTC).replace(tzinfo=None)
