"""Bulk import of organisations and postings from JSON Lines (the format: docs/import-format.md).

Every line is checked (bulletin.import_checks) before anything is written. A file with an invalid line
imports nothing, unless the caller asks to skip invalid lines. Records are written by the services' rules,
by the operator (``SystemActor("import")``), in the caller's transaction: organisations and changed
postings through the upsert functions, new postings many at a time (bulk_import.py). Importing the same
file twice changes nothing, and the second run writes no audit entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from bulletin import bulk_import
from bulletin.import_checks import KINDS, LineError, OrganisationRecord, Record, check_text
from bulletin.services import listing_revision, organisations
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData, ServiceError

OUTCOMES = ("created", "updated", "unchanged")
IMPORT_ACTOR = SystemActor("import")


@dataclass
class ImportResult:
    """What an import did, or would do (dry run), or why it did nothing (refused)."""

    dry_run: bool = False
    skip_invalid: bool = False
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(OUTCOMES, 0) for kind in KINDS}
    )
    errors: list[LineError] = field(default_factory=list)

    @property
    def invalid_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    @property
    def refused(self) -> bool:
        """Nothing was imported because of invalid lines."""
        return bool(self.errors) and not self.skip_invalid

    @property
    def saved(self) -> bool:
        return not self.refused and not self.dry_run

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[kind][outcome]

    def total(self, outcome: str) -> int:
        return sum(self.counts[kind][outcome] for kind in KINDS)


def _write_organisation(session: Session, record: OrganisationRecord, result: ImportResult,
                        known: bulk_import.OrganisationsByKey) -> None:
    known.forget(record.key)
    existing = organisations.get_by_key(session, record.key)
    status = record.status
    if status is None:
        # Verified organisations appear at once; an existing one keeps the coordinator's decision.
        status = existing.status if existing else ("approved" if record.verified else "pending")
    outcome = organisations.upsert_organisation(
        session, IMPORT_ACTOR, record.key, record.data, status=status, verified=record.verified
    )
    result.counts["organisation"][outcome] += 1


def _runs(records: list[Record]) -> Iterator[list[Record]]:
    """The records in file order, as runs of one kind: an organisation is written before the postings
    after it, and the postings of a run go to the database a chunk at a time."""
    for _kind, run in itertools.groupby(records, key=type):
        yield list(run)


def _write(session: Session, records: list[Record], result: ImportResult) -> None:
    """Upsert every record; raises RecordRefused naming the record a service refused."""
    known = bulk_import.OrganisationsByKey(session)
    for run in _runs(records):
        if isinstance(run[0], OrganisationRecord):
            for record in run:
                try:
                    _write_organisation(session, record, result, known)
                except ServiceError as error:
                    raise bulk_import.RecordRefused(record, error) from error
            continue
        for chunk in bulk_import.chunks(run):
            outcome = bulk_import.write_chunk(session, IMPORT_ACTOR, chunk, known)
            for name in OUTCOMES:
                result.counts["posting"][name] += getattr(outcome, name)


def import_text(session: Session, text: str, *, skip_invalid: bool = False,
                dry_run: bool = False) -> ImportResult:
    """Import JSON Lines into ``session``'s transaction; the caller commits when ``result.saved``.

    A dry run does everything, counts what would change, and rolls back.
    """
    result = ImportResult(dry_run=dry_run, skip_invalid=skip_invalid)
    records, result.errors = check_text(session, text)
    if result.refused:
        return result
    try:
        _write(session, records, result)
    except bulk_import.RecordRefused as refused:
        # The checks above apply the same rules, so this is unexpected; still, nothing half-written stays.
        session.rollback()
        error, record = refused.error, refused.record
        messages = error.errors.values() if isinstance(error, InvalidData) else [_l("Not allowed.")]
        failed = [LineError(record.line, record.key, message) for message in messages]
        return ImportResult(dry_run=dry_run, errors=[*result.errors, *failed])
    session.flush()
    if dry_run:
        session.rollback()
    elif result.count("posting", "created"):
        # The new postings went in as plain INSERTs, which the ORM's watch over the listing does not see.
        listing_revision.bump(session.connection())
    return result
