r"""What text typed by people may hold: one rule for the forms, the services, the import and the commands.

Text comes in two kinds:

- **One line**: names, titles, districts, addresses, phone numbers, web and email addresses, keys, search
  words (the API's q, the audit log's filters; the visitors' search page reads such characters as
  spaces). No control character at all (U+0000-U+001F, U+007F-U+009F: NUL, tab, CR, LF, ...) and no line
  separator (U+2028, U+2029): a line break in an organisation's name ends up in a mail header, a NUL
  cannot be stored in PostgreSQL.
- **Several lines**: descriptions, posting bodies, reports, notes, reasons, messages. Line breaks (LF, CR,
  U+2028, U+2029) and tabs are allowed; every other control character is not.

Neither kind may hold characters that change how the text around them is shown while being invisible
themselves: the bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069), with which
"\u202eevil" is printed as "live"; the deprecated format characters U+206A-U+206F; U+200B ZERO WIDTH
SPACE, U+2060 WORD JOINER and the invisible operators U+2061-U+2064, U+FEFF (byte order mark), U+180E
MONGOLIAN VOWEL SEPARATOR and the annotation marks U+FFF9-U+FFFB, which make two different texts look
the same. Nor a lone surrogate (U+D800-U+DFFF, left by text that was not valid UTF-8) or U+FFFE, U+FFFF,
which are no characters and cannot be stored as UTF-8.

Allowed on purpose, because real writing needs them: U+200C ZERO WIDTH NON-JOINER (Persian, Pashto and
Kurdish spelling: "می‌خواهم"), U+200D ZERO WIDTH JOINER (emoji sequences, Arabic and Indic shaping), and
the direction marks U+200E, U+200F, U+061C, with which writers of right-to-left text place punctuation
next to a left-to-right word. A mark acts like one invisible letter of its direction: it cannot reverse
or hide text, as an override can, and the board shows every typed text isolated (``dir="auto"``, <bdi>).

Passwords are not text anyone reads and are not checked here; the web's safety net (bulletin.input_guard)
still refuses a NUL byte in any field.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

_INVISIBLE = "\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_NOT_CHARACTERS = "\ud800-\udfff\ufffe\uffff"
_ONE_LINE_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_INVISIBLE}{_NOT_CHARACTERS}]")
_SEVERAL_LINES_REFUSED = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}{_NOT_CHARACTERS}]"
)
_UNSTORABLE = re.compile(f"[\x00{_NOT_CHARACTERS}]")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # where str.splitlines() splits
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_NOT_A_CHARACTER = re.compile(f"[{_NOT_CHARACTERS}]")

LINE_BREAK = _l("Line breaks are not allowed here: please write this on one line.")


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def refused_character(value: str | None, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` the rule refuses, or None when it may be stored."""
    if not value:
        return None
    found = (_SEVERAL_LINES_REFUSED if multiline else _ONE_LINE_REFUSED).search(value)
    return found.group() if found else None


def problem(value: str | None, *, multiline: bool = False):
    """What is wrong with ``value`` as typed text (a lazily translated message), or None."""
    character = refused_character(value, multiline=multiline)
    if character is None:
        return None
    if _NOT_A_CHARACTER.match(character):
        return _l("This contains something that is not a valid character (%(code)s). Please type it again.",
                  code=code_point(character))
    if not multiline and character in _LINE_BREAKS:
        return LINE_BREAK
    return _l("This contains an invisible or control character (%(code)s), which is not allowed here. "
              "Please remove it.", code=code_point(character))


def check(errors: dict, field: str, value: str | None, *, multiline: bool = False) -> None:
    """Note in ``errors`` (field name -> message) what is wrong with ``value``, unless ``field`` already
    has a message: the first problem of a field is the one worth telling."""
    if field in errors:
        return
    message = problem(value, multiline=multiline)
    if message is not None:
        errors[field] = message


def storable(value: str) -> bool:
    """Whether every database can hold ``value``: no NUL byte, no lone surrogate."""
    return _UNSTORABLE.search(value) is None


def shown(value: str) -> str:
    """``value`` safe to print in a message or on a terminal: what the one-line rule refuses is written as
    an escape (\\u202e), so an invisible character becomes visible and a terminal cannot be steered."""
    return _ONE_LINE_REFUSED.sub(lambda found: f"\\u{ord(found.group()):04x}", value)


def one_line(value: str) -> str:
    """``value`` on one line, as a mail header needs it: line breaks and other control characters become
    spaces (runs of spaces one), a lone surrogate (unencodable) the replacement character."""
    value = _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", value))
    return re.sub(" {2,}", " ", value).strip()
