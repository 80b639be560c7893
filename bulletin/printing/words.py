"""Words in one language, tagged with it, so a printed page sets each run of text in its own direction.

A message a catalogue does not translate yet falls back to English; it is tagged English (left to
right) then, so an English fallback inside an Arabic panel keeps its full stop at its end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import force_locale

from bulletin.i18n import SOURCE_LANGUAGE
from bulletin.taxonomy import language_direction


@dataclass(frozen=True)
class Words:
    value: str
    language: str
    direction: str


def words(value: str, language: str) -> Words:
    return Words(value, language, language_direction(language))


def in_language(code: str, message: Callable[[], str]) -> Words:
    """``message()`` as ``code``'s catalogue says it, tagged English where it is still the English."""
    with force_locale(code):
        value = message()
    if code != SOURCE_LANGUAGE:
        with force_locale(SOURCE_LANGUAGE):
            if value == message():
                return words(value, SOURCE_LANGUAGE)
    return words(value, code)
