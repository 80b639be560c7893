"""Reading an import file: every line parsed and checked against the services' rules, nothing written.

A line becomes a record (an organisation or a posting, ready for the services' upsert functions) or a
list of problems, each a lazy message that speaks the reader's language. The services' ``InvalidData``
messages become line errors here, so the form, the API and the import always agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from bulletin.services import organisations, postings, text_rules
from bulletin.services.errors import InvalidData
from bulletin.taxonomy import ORGANISATION_STATUSES

KINDS = ("organisation", "posting")
KEY_MAX = 100

ORGANISATION_FIELDS = ("kind", "key", "name", "type", "description", "email", "phone", "website", "address",
                       "district", "languages", "verified", "status")
POSTING_FIELDS = ("kind", "key", "organisation", "type", "category", "title", "body", "original_language",
                  "district", "valid_until", "status")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class LineError:
    """What is wrong with one line. ``message`` is a lazy string: it speaks the reader's language."""

    line: int
    key: str | None
    message: object

    def describe(self) -> object:
        if self.key:
            return _l("line %(line)d (%(key)s): %(message)s", line=self.line, key=self.key,
                      message=self.message)
        return _l("line %(line)d: %(message)s", line=self.line, message=self.message)


@dataclass
class OrganisationRecord:
    line: int
    key: str
    data: organisations.OrganisationInput
    verified: bool
    status: str | None  # the extension field; None: new ones follow `verified`, existing ones keep theirs


@dataclass
class PostingRecord:
    line: int
    key: str
    organisation_key: str
    data: postings.PostingInput


@dataclass
class _Line:
    """One non-blank line on its way through the checks."""

    number: int
    kind: str | None = None
    key: str | None = None
    fields: dict | None = None
    record: OrganisationRecord | PostingRecord | None = None
    problems: list[object] = field(default_factory=list)


class _DuplicateField(ValueError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateField(name)
        result[name] = value
    return result


def physical_lines(text: str) -> Iterable[tuple[int, str]]:
    """Numbered lines (from 1), split at newlines only: JSON strings may hold other line separators."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r")


def _parse(number: int, raw: str) -> _Line:
    line = _Line(number)
    try:
        value = json.loads(raw, object_pairs_hook=_object_without_duplicates)
    except _DuplicateField as duplicate:
        line.problems.append(_l("The field %(field)s appears twice.", field=duplicate.name))
        return line
    except json.JSONDecodeError as error:
        line.problems.append(
            _l("This line is not valid JSON (%(problem)s at column %(column)d).", problem=error.msg,
               column=error.colno)
        )
        return line
    except RecursionError:
        line.problems.append(_l("This line is nested too deeply."))
        return line
    if not isinstance(value, dict):
        line.problems.append(_l("A line must be one JSON object ({...})."))
        return line
    line.fields = value
    kind = value.get("kind")
    if kind is None:
        line.problems.append(_l("The field kind is missing: write \"organisation\" or \"posting\"."))
    elif kind not in KINDS:
        line.problems.append(
            _l("Unknown kind %(kind)s: write \"organisation\" or \"posting\".", kind=_show(kind))
        )
    else:
        line.kind = kind
    key = value.get("key")
    if key is None:
        line.problems.append(_l("The field key is missing."))
    elif not isinstance(key, str) or not key.strip():
        line.problems.append(_l("The key must be a non-empty text."))
    elif len(key) > KEY_MAX:
        line.problems.append(_l("The key may have at most %(max)d characters.", max=KEY_MAX))
    elif (problem := text_rules.problem(key)) is not None:
        # Checked before anything looks the key up: PostgreSQL refuses a NUL even in a query.
        line.problems.append(_l("%(field)s: %(message)s", field="key", message=problem))
    else:
        line.key = key
    if line.kind is not None:
        allowed = ORGANISATION_FIELDS if line.kind == "organisation" else POSTING_FIELDS
        unknown = [text_rules.shown(name) for name in value if name not in allowed]
        if unknown:
            line.problems.append(_l("Unknown fields: %(fields)s", fields=", ".join(unknown)))
    return line


def _show(value: object) -> str:
    return text_rules.shown(json.dumps(value, ensure_ascii=False))[:60]


# Type checks: each returns the value to use (None when absent) or raises _WrongType with the message.
class _WrongType(ValueError):
    def __init__(self, message: object):
        super().__init__(str(message))
        self.message = message


def _text(name: str) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if value is not None and not isinstance(value, str):
            raise _WrongType(_l("The field %(field)s must be a text.", field=name))
        return value

    return check


def _boolean(name: str) -> Callable[[object], bool | None]:
    def check(value: object) -> bool | None:
        if value is not None and not isinstance(value, bool):
            raise _WrongType(_l("The field %(field)s must be true or false.", field=name))
        return value

    return check


def _language_texts(name: str) -> Callable[[object], dict[str, str] | None]:
    def check(value: object) -> dict[str, str] | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
            raise _WrongType(
                _l("The field %(field)s must be an object of language codes and texts, "
                   "for example {\"de\": \"...\"}.", field=name)
            )
        return value

    return check


def _language_list(name: str) -> Callable[[object], list[str] | None]:
    def check(value: object) -> list[str] | None:
        if value is not None and (not isinstance(value, list) or not all(isinstance(c, str) for c in value)):
            raise _WrongType(_l("The field %(field)s must be a list of language codes.", field=name))
        return value

    return check


def _day(name: str) -> Callable[[object], date | None]:
    def check(value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, str) and DATE_PATTERN.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise _WrongType(_l("The field %(field)s must be a date written YYYY-MM-DD, or null.", field=name))

    return check


ORGANISATION_FIELD_CHECKS = {
    "name": _text("name"),
    "type": _text("type"),
    "description": _language_texts("description"),
    "email": _text("email"),
    "phone": _text("phone"),
    "website": _text("website"),
    "address": _text("address"),
    "district": _text("district"),
    "languages": _language_list("languages"),
    "verified": _boolean("verified"),
    "status": _text("status"),
}
POSTING_FIELD_CHECKS = {
    "organisation": _text("organisation"),
    "type": _text("type"),
    "category": _text("category"),
    "title": _language_texts("title"),
    "body": _language_texts("body"),
    "original_language": _text("original_language"),
    "district": _text("district"),
    "valid_until": _day("valid_until"),
    "status": _text("status"),
}
REQUIRED = {"organisation": ("name",), "posting": ("organisation", "type", "category", "title")}


def _typed_values(line: _Line, checks: dict) -> dict | None:
    """The line's values after the type checks, or None (with problems noted) when one fails."""
    values, wrong = {}, False
    for name, check in checks.items():
        try:
            values[name] = check(line.fields.get(name))
        except _WrongType as problem:
            line.problems.append(problem.message)
            values[name], wrong = problem, True
    missing = [name for name in REQUIRED[line.kind] if values[name] is None]
    for name in missing:
        line.problems.append(_l("The field %(field)s is required.", field=name))
    return None if wrong or missing else values


def _service_problems(line: _Line, error: InvalidData, known_fields: Iterable[str]) -> None:
    for name, message in error.errors.items():
        if name == "original_language" and name not in line.fields and "language" in error.errors:
            continue  # taken from an unknown title language, which the "language" error already names
        if name in known_fields:
            line.problems.append(_l("%(field)s: %(message)s", field=name, message=message))
        else:
            line.problems.append(message)


def _check_organisation(line: _Line) -> None:
    values = _typed_values(line, ORGANISATION_FIELD_CHECKS)
    if values is None:
        return
    data = organisations.OrganisationInput(
        name=values["name"],
        type=values["type"] if values["type"] is not None else "other",
        descriptions=values["description"] or {},
        email=values["email"],
        phone=values["phone"],
        website=values["website"],
        address=values["address"],
        district=values["district"],
        languages=values["languages"] or [],
    )
    try:
        organisations.validate(data)
    except InvalidData as error:
        _service_problems(line, error, ORGANISATION_FIELDS)
    status = values["status"]
    if status is not None and status not in ORGANISATION_STATUSES:
        choices = ", ".join(ORGANISATION_STATUSES)
        message = _l("Unknown status: write one of %(choices)s.", choices=choices)
        line.problems.append(_l("%(field)s: %(message)s", field="status", message=message))
    if not line.problems and line.key:
        line.record = OrganisationRecord(line.number, line.key, data, bool(values["verified"]), status)


def _check_posting(line: _Line) -> None:
    values = _typed_values(line, POSTING_FIELD_CHECKS)
    if values is None:
        return
    titles = values["title"]
    if not titles:
        line.problems.append(
            _l("The field title needs at least one language, for example {\"de\": \"...\"}.")
        )
        return
    reference = text_rules.problem(values["organisation"])
    if reference is not None:  # a key with a NUL must not reach the database's lookup
        line.problems.append(_l("%(field)s: %(message)s", field="organisation", message=reference))
        return
    data = postings.PostingInput(
        type=values["type"],
        category=values["category"],
        titles=titles,
        bodies=values["body"] or {},
        original_language=values["original_language"] or next(iter(titles)),
        district=values["district"],
        valid_until=values["valid_until"],
        status=values["status"] if values["status"] is not None else "open",
    )
    try:
        postings.validate(data)
    except InvalidData as error:
        _service_problems(line, error, POSTING_FIELDS)
    if not line.problems and line.key:
        line.record = PostingRecord(line.number, line.key, values["organisation"], data)


def _check_duplicates(lines: list[_Line]) -> None:
    first_line: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.kind is None or line.key is None:
            continue
        seen = first_line.setdefault((line.kind, line.key), line.number)
        if seen != line.number:
            line.problems.append(
                _l("The key %(key)s appears more than once in this file (first on line %(line)d).",
                   key=line.key, line=seen)
            )
            line.record = None


def _check_references(session: Session, lines: list[_Line]) -> None:
    """A posting's organisation must be earlier in the file (on a valid line) or already on the board."""
    organisation_lines = {
        line.key: line for line in reversed(lines) if line.kind == "organisation" and line.key is not None
    }
    wanted = {line.record.organisation_key for line in lines if isinstance(line.record, PostingRecord)}
    on_board = organisations.existing_keys(session, wanted)
    for line in lines:
        if not isinstance(line.record, PostingRecord):
            continue
        key = line.record.organisation_key
        defined = organisation_lines.get(key)
        if defined is not None and defined.number > line.number:
            line.problems.append(
                _l("The organisation %(key)s comes later in the file (line %(line)d); "
                   "organisations must come before their postings.", key=key, line=defined.number)
            )
        elif defined is not None and defined.problems and key not in on_board:
            line.problems.append(
                _l("The organisation %(key)s is on line %(line)d, which has errors.", key=key,
                   line=defined.number)
            )
        elif defined is None and key not in on_board:
            line.problems.append(
                _l("Unknown organisation %(key)s: it is neither earlier in this file nor on the board.",
                   key=key)
            )
        if line.problems:
            line.record = None


Record = OrganisationRecord | PostingRecord


def check_text(session: Session, text: str) -> tuple[list[Record], list[LineError]]:
    """Check every line of ``text``: the records of the valid lines, and the errors of the others."""
    lines = []
    for number, raw in physical_lines(text):
        if raw.strip():
            lines.append(_parse(number, raw))
    for line in lines:
        if line.fields is None or line.kind is None:
            continue
        if line.kind == "organisation":
            _check_organisation(line)
        else:
            _check_posting(line)
    _check_duplicates(lines)
    _check_references(session, lines)
    records = [line.record for line in lines if line.record is not None]
    errors = [LineError(line.number, line.key, problem) for line in lines for problem in line.problems]
    return records, errors
