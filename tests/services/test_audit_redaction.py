"""Personal details leave old audit entries once what they describe is gone for the retention period;
who did what, and when, stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from bulletin.models import AuditEntry, Organisation, User
from bulletin.models.audit import REMOVED
from bulletin.services import accounts, audit, organisations, reports, retention, staff
from bulletin.services.actors import Applicant, SystemActor

NOW = datetime.now(UTC)
BEFORE = NOW - timedelta(days=180)
LONG_AGO = NOW - timedelta(days=200)
PASSWORD = "a long enough password"
APPLICANT = "Anna.Keller@Example.org"  # as typed into the sign-up form


def written_at(db, moment: datetime) -> None:
    """Test setup: every entry so far was written at ``moment``.

    Core SQL on the connection, past the ORM's guard: the log itself never moves back in time.
    """
    db.connection().execute(update(AuditEntry.__table__).values(created_at=moment))
    db.commit()
    db.expire_all()


def entry(db, action: str) -> AuditEntry:
    return db.exec(select(AuditEntry).where(AuditEntry.action == action)).one()


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", email="coordinator@board.example")


@pytest.fixture
def rejected(db, coordinator, make_posting):
    """A sign-up with a posting, rejected by the coordinator."""
    data = organisations.OrganisationInput(
        name="Nachbarschaftshilfe Keller", type="initiative", descriptions={"de": "Ich, Anna Keller, helfe."},
        email="anna@keller.example", phone="+49 7141 55555", address="Lindenweg 4, Neustetten",
        district="Altstadt", languages=["de"],
    )
    user = accounts.sign_up(db, Applicant(APPLICANT), data, APPLICANT, PASSWORD)
    db.commit()
    make_posting(organisation=user.organisation, title="Fahrdienst bei Anna, Tel. 0171 555")
    organisations.reject(db, coordinator, user.organisation, reason="Frau Keller ist eine Privatperson.")
    db.commit()
    return user.organisation_id


def test_a_rejected_sign_up_keeps_what_happened_but_not_who_applied(db, rejected, coordinator):
    written_at(db, LONG_AGO)

    changed = retention.audit_redaction.redact_old_entries(db, BEFORE, NOW)

    created = entry(db, "organisation.create")
    assert created.actor == "" and created.redacted_at is not None
    assert created.object_id == rejected and created.object_key == "nachbarschaftshilfe-keller"
    for field in ("email", "phone", "address", "description"):
        assert created.changes[field] == REMOVED, field
    assert created.changes["name"]["after"] == "Nachbarschaftshilfe Keller"
    assert created.changes["district"]["after"] == "Altstadt"
    member = db.exec(select(AuditEntry).where(AuditEntry.action == "user.create",
                                              AuditEntry.object_id != coordinator.id)).one()
    assert (member.actor, member.object_key) == ("", None)
    assert member.changes == {"role": "member", "organisation": "nachbarschaftshilfe-keller"}
    posting = entry(db, "posting.create")
    assert posting.changes["title"] == REMOVED and posting.changes["body"] == REMOVED
    assert posting.changes["category"]["after"] == "furniture-household"
    decision = entry(db, "organisation.reject")
    assert decision.actor == coordinator.email  # who decided stays
    assert decision.changes == {"name": "Nachbarschaftshilfe Keller", "reason": REMOVED, "members": REMOVED}
    # Nobody's address is left anywhere in the log, but the coordinator's own.
    text = repr([(row.actor, row.object_key, row.changes) for row in db.exec(select(AuditEntry))])
    assert "keller.example" not in text and "Example.org" not in text and "Lindenweg" not in text
    assert changed == 4

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 0


def test_a_sign_up_rejected_lately_keeps_its_details_for_the_whole_period(db, coordinator, make_posting):
    data = organisations.OrganisationInput(name="Spätere Absage", email="info@absage.example")
    user = accounts.sign_up(db, Applicant(APPLICANT), data, APPLICANT, PASSWORD)
    db.commit()
    written_at(db, LONG_AGO)  # signed up long ago ...
    organisations.reject(db, coordinator, user.organisation)  # ... and rejected today
    db.commit()

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 0
    assert entry(db, "organisation.create").changes["email"]["after"] == "info@absage.example"


def test_entries_of_living_organisations_and_active_accounts_stay_whole(db, make_user, make_posting):
    member = make_user(email="ben@tafel.example")
    posting = make_posting(organisation=member.organisation)
    audit.record(db, member, "posting.update", posting, {"status": {"before": "open", "after": "closed"}})
    db.commit()
    written_at(db, LONG_AGO)
    before = [(row.actor, row.object_key, row.changes) for row in db.exec(select(AuditEntry))]

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 0
    assert [(row.actor, row.object_key, row.changes) for row in db.exec(select(AuditEntry))] == before
    assert db.exec(select(AuditEntry).where(AuditEntry.redacted_at.is_not(None))).first() is None


@pytest.fixture
def translator_history(db, coordinator, make_user, make_posting):
    translator = make_user(role="translator", email="tina@translators.example")
    posting = make_posting()
    audit.record(db, translator, "translation.submit", posting, {"language": "en", "draft": 1, "text": "Hi"})
    audit.record(db, coordinator, "translation.approve", posting,
                 {"language": "en", "draft": 1, "translator": translator.email})
    db.commit()
    return translator


def test_a_deactivated_account_loses_its_address_in_the_log_after_the_period(
    db, coordinator, translator_history
):
    staff.set_active(db, coordinator, translator_history, False)
    db.commit()
    written_at(db, LONG_AGO)

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 4
    submitted = entry(db, "translation.submit")
    assert (submitted.actor, submitted.actor_id) == ("", translator_history.id)
    assert submitted.changes["text"] == "Hi"  # the posting is still there: its words are not personal
    assert entry(db, "translation.approve").changes["translator"] == REMOVED
    assert entry(db, "user.deactivate").object_key is None
    created = db.exec(select(AuditEntry).where(AuditEntry.action == "user.create",
                                               AuditEntry.object_id == translator_history.id)).one()
    assert created.object_key is None
    assert db.get(User, translator_history.id).email == "tina@translators.example"  # the account stays


def test_a_recent_deactivation_keeps_the_address_for_the_period(db, coordinator, translator_history):
    written_at(db, LONG_AGO)
    staff.set_active(db, coordinator, translator_history, False)  # today
    db.commit()

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 0
    assert entry(db, "translation.submit").actor == "tina@translators.example"


def test_a_removed_report_loses_the_coordinators_note(db, make_posting):
    report = reports.report_posting(db, make_posting(), "privacy", "Da steht die Adresse von Herrn Öz.")
    reports.close_report(db, SystemActor("coordinator"), report, "resolved", "Herr Öz hat angerufen.")
    report.resolved_at = NOW - timedelta(days=300)
    db.commit()
    retention.remove_closed_reports(db, NOW - timedelta(days=90))
    written_at(db, LONG_AGO)

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 1
    resolved = entry(db, "report.resolve")
    assert resolved.changes == {"status": {"before": "open", "after": "resolved"}, "note": REMOVED}
    assert entry(db, "report.create").changes["reason"] == "privacy"


def test_an_entry_about_an_id_now_used_by_another_organisation_counts_as_gone(db, make_organisation):
    living = make_organisation(name="Neue Tafel")
    # SQLite may give a deleted row's id to the next one: the key tells the two apart.
    earlier = Organisation(id=living.id, key="alte-tafel", name="Alte Tafel")
    audit.record(db, SystemActor("import"), "organisation.update", earlier,
                 {"phone": {"before": "+49 1", "after": "+49 2"}})
    db.commit()
    written_at(db, LONG_AGO)

    assert retention.audit_redaction.redact_old_entries(db, BEFORE, NOW) == 1
    assert entry(db, "organisation.update").changes == {"phone": REMOVED}
    assert entry(db, "organisation.create").redacted_at is None
