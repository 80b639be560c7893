"""The audit log can only grow; the retention purge alone may remove personal details from it."""

import pytest
from sqlmodel import select

from bulletin.db import AuditLogIsAppendOnly, audit_redaction
from bulletin.models import AuditEntry, utcnow
from bulletin.models.audit import REMOVED


def test_entries_cannot_be_changed_or_deleted(db, make_posting):
    make_posting()
    entry = db.exec(select(AuditEntry)).first()
    entry.action = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        db.commit()
    db.rollback()
    entry = db.exec(select(AuditEntry)).first()
    db.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.commit()
    db.rollback()
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "posting.create")).first() is not None


def test_entries_name_actor_object_and_changes(db, make_organisation):
    organisation = make_organisation(name="Kleiderkammer")
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.create")).one()
    assert entry.actor == "test-setup"
    assert entry.object_type == "organisation" and entry.object_id == organisation.id
    assert entry.changes["name"] == {"before": None, "after": "Kleiderkammer"}


def test_only_the_redaction_block_may_remove_personal_details_and_nothing_else(db, make_organisation):
    make_organisation()
    entry = db.exec(select(AuditEntry)).first()
    entry.actor, entry.redacted_at = "", utcnow()
    with pytest.raises(AuditLogIsAppendOnly):  # outside the block: refused like any change
        db.commit()
    db.rollback()

    with audit_redaction(db):
        entry = db.exec(select(AuditEntry)).first()
        entry.actor = ""  # without the mark that says so
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        entry = db.exec(select(AuditEntry)).first()
        entry.action, entry.redacted_at = "forged", utcnow()
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        db.delete(db.exec(select(AuditEntry)).first())
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()

        entry = db.exec(select(AuditEntry)).first()
        entry.actor, entry.changes, entry.redacted_at = "", {"email": dict(REMOVED)}, utcnow()
        db.commit()
    assert db.exec(select(AuditEntry)).first().changes == {"email": REMOVED}
