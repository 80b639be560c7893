"""Export of the whole board as JSON Lines, in the format the importer reads (docs/import-format.md).

All organisations come first, then all postings, each ordered by key, with every field written out in a
fixed order. So an export imported into an empty board exports again to the very same bytes.
Logos (files, not data) and accounts are not part of the format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session, select

from bulletin.models import Organisation, Posting
from bulletin.services.organisations import profile_record
from bulletin.taxonomy import language_rank


@dataclass(frozen=True)
class ExportCounts:
    organisations: int
    postings: int


def _language_rank(code: str, original: str | None) -> tuple[int, int]:
    """Sort key: the original language first, then the board's usual order of languages."""
    return (0 if code == original else 1, language_rank(code))


def organisation_record(organisation: Organisation) -> dict:
    return {
        "kind": "organisation",
        "key": organisation.key,
        **profile_record(organisation),
        "status": organisation.status,
    }


def posting_record(posting: Posting) -> dict:
    texts = sorted(posting.texts, key=lambda text: _language_rank(text.language, posting.original_language))
    return {
        "kind": "posting",
        "key": posting.key,
        "organisation": posting.organisation.key,
        "type": posting.type,
        "category": posting.category,
        "title": {text.language: text.title for text in texts},
        "body": {text.language: text.body for text in texts if text.body},
        "original_language": posting.original_language,
        "district": posting.district,
        "valid_until": posting.valid_until.isoformat() if posting.valid_until else None,
        "status": posting.status,
    }


def _by_key(rows: Iterable) -> list:
    # Sorted here, not in SQL: a database's collation would make the order differ between backends.
    return sorted(rows, key=lambda row: row.key)


def export_records(session: Session) -> Iterator[dict]:
    for organisation in _by_key(session.exec(select(Organisation))):
        yield organisation_record(organisation)
    for posting in _by_key(session.exec(select(Posting))):
        yield posting_record(posting)


def record_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_export(session: Session, stream: BinaryIO) -> ExportCounts:
    """Write the board to a binary ``stream`` as UTF-8 and say how much was written."""
    counts = {"organisation": 0, "posting": 0}
    for record in export_records(session):
        stream.write(record_line(record).encode("utf-8"))
        counts[record["kind"]] += 1
    return ExportCounts(organisations=counts["organisation"], postings=counts["posting"])


def export_text(session: Session) -> str:
    return "".join(record_line(record) for record in export_records(session))
