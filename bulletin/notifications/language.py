"""Which language a mail speaks.

A composer in this package writes in the current language (``bulletin.i18n.current_language`` and the
Babel locale). An answer to someone's own request (a reset link, a sign-up's confirmation) is composed in
the language of that request. Mails that answer nobody's request, to the coordinators or the daily ones
to organisations, are composed inside ``in_board_language()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g
from flask_babel import force_locale

from bulletin import i18n

_UNSET = object()


@contextmanager
def in_board_language() -> Iterator[str]:
    """Compose in the board's language: its words and dates (the Babel locale) and the ``lang`` of its
    links (``g.lang``). Afterwards the request or the console speaks its own language again."""
    language = i18n.default_language()
    previous = g.get("lang", _UNSET)
    with force_locale(language):
        g.lang = language
        try:
            yield language
        finally:
            if previous is _UNSET:
                g.pop("lang", None)
            else:
                g.lang = previous
