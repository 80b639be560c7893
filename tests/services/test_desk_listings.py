"""The desk's listings load what their pages show in one go: members of sign-ups, subjects of reports."""

from __future__ import annotations

from sqlalchemy import event

from bulletin.db import get_engine
from bulletin.services import desk_listings, reports


def recorded_statements() -> list[str]:
    statements: list[str] = []
    event.listen(get_engine(), "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_each_report_comes_with_its_posting_or_organisation(app, db, make_organisation, make_posting):
    organisation = make_organisation(name="Fahrradwerkstatt")
    posting = make_posting(organisation=organisation, title="Fahrräder gegen Gebühr")
    about_posting = reports.report_posting(db, posting, "money", "Sie wollen 50 Euro.")
    about_organisation = reports.report_organisation(db, organisation, "other", "Seltsame Website")
    db.commit()
    db.expunge_all()

    items = {item.report.id: item for item in desk_listings.reports_page(db, status="open", page=1,
                                                                          per_page=10).items}

    assert items[about_posting.id].posting.id == posting.id
    assert items[about_posting.id].organisation.name == "Fahrradwerkstatt"
    assert items[about_organisation.id].posting is None
    assert items[about_organisation.id].organisation.id == organisation.id


def test_subjects_of_many_reports_take_a_fixed_number_of_queries(app, db, make_organisation, make_posting):
    for number in range(4):
        organisation = make_organisation()
        reports.report_posting(db, make_posting(organisation=organisation), "other", f"Posting {number}")
        reports.report_organisation(db, organisation, "other", f"Organisation {number}")
    db.commit()
    db.expunge_all()
    found = reports.about_organisation(db, organisation.id) + list(db.exec(reports.queue("open")))
    statements = recorded_statements()

    desk_listings.with_subjects(db, found)

    # Postings, organisations, and the texts and organisations eagerly loaded with them: a fixed number
    # of statements for eight reports, not one (or more) per report.
    assert len(statements) <= 5


def test_sign_ups_come_with_their_members(db, make_organisation, make_user):
    waiting = make_organisation(name="Neu hier", status="pending")
    make_user(organisation=waiting, email="b@example.org")
    make_user(organisation=waiting, email="a@example.org")
    make_organisation(name="Schon dabei")

    sign_ups = desk_listings.sign_ups(db)

    assert [sign_up.organisation.name for sign_up in sign_ups] == ["Neu hier"]
    assert [member.email for member in sign_ups[0].members] == ["a@example.org", "b@example.org"]
