"""Today's date in one place, so expiry rules and tests agree on it."""

from datetime import date


def today() -> date:
    return date.today()
