"""Helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC and time-zone aware: stored times are always UTC."""
    return datetime.now(UTC)
