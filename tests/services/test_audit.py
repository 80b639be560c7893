"""The audit log can only grow."""

import pytest
from sqlmodel import select

from bulletin.db import AuditLogIsAppendOnly
from bulletin.models import AuditEntry


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
