"""Reading filters and page numbers from a query string: known values pass, anything else is refused.

A value the page does not know answers 400 with a message, rather than silently showing an unfiltered
list the reader would take for a filtered one.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, NotFound

MAX_PAGE_DIGITS = 6  # a million pages is far beyond any list here; longer numbers are not pages


class InvalidArgument(BadRequest):
    """A query-string value this page does not accept; ``description`` tells the reader why."""


def page_number(args: MultiDict) -> int:
    """``?page=N`` (1 when absent). Not a number: 400; a number past any real list: 404."""
    value = args.get("page", "").strip()
    if not value:
        return 1
    if not value.isascii() or not value.isdigit() or int(value[:MAX_PAGE_DIGITS + 1]) < 1:
        raise InvalidArgument(_("The page number must be a whole number, 1 or more."))
    if len(value) > MAX_PAGE_DIGITS:
        raise NotFound()
    return int(value)


def choice(args: MultiDict, name: str, allowed: Iterable[str]) -> str | None:
    """A filter value from a fixed list; empty or absent means no filter."""
    value = args.get(name, "")
    if value == "":
        return None
    if value not in set(allowed):
        raise InvalidArgument(_("This filter has a value we do not know. Please choose one from the list."))
    return value


def free_text(args: MultiDict, name: str, limit: int) -> tuple[str, bool]:
    """Typed text without control characters, at most ``limit`` characters; and whether it was cut."""
    value = "".join(ch if ch.isprintable() else " " for ch in args.get(name, ""))
    value = " ".join(value.split())
    return value[:limit], len(value) > limit
