"""Reports from visitors: what is kept, and how the coordinator closes them."""

import pytest
from sqlmodel import SQLModel, select

from bulletin.models import AuditEntry, Report
from bulletin.services import reports
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData, PermissionDenied

COORDINATOR = SystemActor("coordinator@board.example")


def test_a_report_keeps_only_what_the_visitor_chose_and_wrote(db, make_posting):
    posting = make_posting()
    report = reports.report_posting(db, posting, "wrong", "  Die Nummer stimmt nicht.  ")
    db.commit()
    assert (report.reason, report.text, report.status) == ("wrong", "Die Nummer stimmt nicht.", "open")
    assert report.organisation_id == posting.organisation_id and report.target_type == "posting"
    columns = set(SQLModel.metadata.tables["report"].columns.keys())
    assert not columns & {"ip", "address", "remote_addr", "user_agent", "email", "session"}
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "report.create")).one()
    assert entry.actor == "visitor" and entry.actor_id is None


@pytest.mark.parametrize(
    ("reason", "text", "field"),
    [("spam", "", "reason"), ("wrong", "x" * 1001, "text"), ("other", "   ", "text")],
)
def test_unknown_reasons_long_texts_and_unexplained_other_are_refused(
    db, make_organisation, reason, text, field
):
    organisation = make_organisation()
    with pytest.raises(InvalidData) as refused:
        reports.report_organisation(db, organisation, reason, text)
    assert field in refused.value.errors
    assert db.exec(select(Report)).first() is None


def test_the_coordinator_resolves_or_dismisses_once(db, make_organisation, make_user):
    organisation = make_organisation()
    first = reports.report_organisation(db, organisation, "money", "")
    second = reports.report_organisation(db, organisation, "other", "Seltsam")
    db.commit()
    assert [report.id for report in db.exec(reports.queue("open"))] == [first.id, second.id]
    reports.close_report(db, COORDINATOR, first, "resolved", "Angerufen, geklärt.")
    reports.close_report(db, COORDINATOR, second, "dismissed")
    db.commit()
    assert (first.status, first.note) == ("resolved", "Angerufen, geklärt.")
    assert first.resolved_by == COORDINATOR.email
    assert second.status == "dismissed" and second.note is None and second.resolved_at is not None
    assert reports.open_count(db) == 0
    with pytest.raises(InvalidData):
        reports.close_report(db, COORDINATOR, first, "dismissed")
    with pytest.raises(PermissionDenied):
        reports.close_report(db, make_user(organisation=organisation), second, "resolved")
