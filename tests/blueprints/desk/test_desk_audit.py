"""The audit log at the desk: filtered and paged for the coordinator, shown on each organisation and
posting, and out of reach of every route that changes data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, SQLModel, select

from bulletin import db as database
from bulletin.db import get_engine
from bulletin.models import AuditEntry
from bulletin.models.audit import REMOVED
from bulletin.services import audit
from bulletin.services.actors import SystemActor

READ_ONLY = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", email="coordinator@board.example")


@pytest.fixture
def history(db, make_organisation, make_posting):
    """Entries by two actors, one of them from two weeks ago."""
    organisation = make_organisation(name="Nachbarschaftshilfe")
    make_posting(organisation=organisation, title="Umzugshilfe")
    old = audit.record(db, SystemActor("import"), "organisation.update", organisation, {"name": "Alt"})
    old.created_at = datetime.now(UTC) - timedelta(days=14)
    db.commit()
    return organisation


def entries_on(page: str) -> int:
    return page.count("<tr>") - 1  # less the header row


def test_the_log_lists_every_entry_newest_first_with_before_and_after(client, login, coordinator, history):
    login(coordinator)
    page = client.get("/en/desk/audit").get_data(as_text=True)
    position = {action: page.index(f"<code>{action}</code>")
                for action in ("posting.create", "organisation.create", "organisation.update")}
    # The posting came after its organisation; the import's entry is two weeks old.
    assert position["posting.create"] < position["organisation.create"] < position["organisation.update"]
    assert "<ins dir=\"auto\">Nachbarschaftshilfe</ins>" in page
    assert f"/en/desk/organisations/{history.id}" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=IMPORT", {"organisation.update"}),
        ("action=posting.create", {"posting.create"}),
        ("object_type=user", {"user.create"}),
        ("object_key=board.example", {"user.create"}),
        ("date_to={past}", {"organisation.update"}),
        ("date_from={today}", {"organisation.create", "posting.create", "user.create"}),
    ],
)
def test_the_log_filters_by_actor_action_object_and_days(client, login, coordinator, history, today, query,
                                                          expected):
    login(coordinator)
    query = query.format(past=(today - timedelta(days=10)).isoformat(), today=today.isoformat())
    page = client.get(f"/en/desk/audit?{query}").get_data(as_text=True)
    shown = {action for action in ("organisation.update", "organisation.create", "posting.create",
                                   "user.create") if f"<code>{action}</code>" in page}
    assert shown == expected


@pytest.mark.parametrize(
    "query", ["date_from=yesterday", "date_from=2025-02-01&date_to=2025-01-01", "action=audit.delete",
              "object_type=spaceship", "actor=" + "x" * 300],
)
def test_bad_filters_get_a_message_not_a_list(client, login, coordinator, history, query):
    login(coordinator)
    response = client.get(f"/en/desk/audit?{query}")
    assert response.status_code == 400
    assert "Please check what you entered" in response.get_data(as_text=True)
    assert "<code>" not in response.get_data(as_text=True)


def test_the_log_is_paged(client, login, coordinator, history, db):
    for number in range(55):
        audit.record(db, SystemActor("cli"), "posting.renew", history, {"round": number})
    db.commit()
    login(coordinator)
    first = client.get("/en/desk/audit").get_data(as_text=True)
    assert entries_on(first) == 50 and "page=2" in first
    assert entries_on(client.get("/en/desk/audit?page=2").get_data(as_text=True)) == 9
    assert client.get("/en/desk/audit?page=3").status_code == 404


def test_detail_pages_show_the_entries_of_their_object(client, login, coordinator, history, db):
    login(coordinator)
    organisation_page = client.get(f"/en/desk/organisations/{history.id}").get_data(as_text=True)
    assert "organisation.create" in organisation_page and "posting.create" not in organisation_page
    posting_id = db.exec(select(AuditEntry.object_id).where(AuditEntry.action == "posting.create")).one()
    posting_page = client.get(f"/en/desk/postings/{posting_id}").get_data(as_text=True)
    assert "posting.create" in posting_page and "organisation.create" not in posting_page


def test_entries_whose_personal_details_were_removed_say_so(client, login, coordinator, db):
    db.add(AuditEntry(actor="", actor_id=41, action="organisation.create", object_type="organisation",
                      object_id=999, object_key="nachbarschaftshilfe-keller",
                      changes={"name": {"before": None, "after": "Nachbarschaftshilfe Keller"},
                               "email": dict(REMOVED)},
                      redacted_at=datetime(2026, 3, 2, 5, 0, tzinfo=UTC)))
    db.add(AuditEntry(actor="", action="user.consent", object_type="user", object_id=42,
                      changes={"privacy_notice": True}, redacted_at=datetime(2026, 3, 2, 5, 0, tzinfo=UTC)))
    db.commit()
    login(coordinator)

    response = client.get("/en/desk/audit?action=organisation.create")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "account #41, address removed" in page
    assert re.search(r'<span class="field">email</span>:\s*<span class="removed">removed</span>', page)
    assert '<ins dir="auto">Nachbarschaftshilfe Keller</ins>' in page
    assert "Personal details removed on Mar 2, 2026" in page
    consent = client.get("/en/desk/audit?action=user.consent").get_data(as_text=True)
    assert "address removed" in consent and "user: <bdi>#42</bdi>" in consent


# No route can change the log --------------------------------------------------------------------------------


def stored_entries() -> dict[int, tuple]:
    with Session(get_engine()) as session:
        return {entry.id: tuple(entry.model_dump().values()) for entry in session.exec(select(AuditEntry))}


def sample_url(app, rule, entry_id: int) -> str:
    values = {}
    for argument in rule.arguments:
        converter = type(rule._converters[argument]).__name__
        if argument == "lang":
            values[argument] = "en"
        else:
            values[argument] = entry_id if converter == "IntegerConverter" else "1"
    return app.url_map.bind("board.test").build(rule.endpoint, values)


def test_no_route_changes_or_deletes_audit_entries(
    app, client, login, coordinator, history, csrf_token, make_user
):
    rules = list(app.url_map.iter_rules())
    assert not any(rule.methods & {"PUT", "PATCH", "DELETE"} for rule in rules)
    audit_rules = [rule for rule in rules if "audit" in rule.endpoint or "audit" in rule.rule]
    assert audit_rules and all(rule.methods <= READ_ONLY for rule in audit_rules)

    forged = {"action": "forged", "actor": "nobody", "changes": "{}", "id": "1", "note": "x", "reason": "x",
              "text": "x", "email": "x@example.org", "role": "coordinator"}
    changing = [rule for rule in rules if rule.methods - READ_ONLY]
    assert len(changing) > 20
    member = make_user(organisation=history)  # the dashboard's routes answer members
    before = stored_entries()
    for user in (member, coordinator):  # the member first: the coordinator may deactivate accounts
        client.post("/en/account/logout", data={"csrf_token": csrf_token()})
        for rule in changing:
            for entry_id in list(before)[:3]:
                login(user)  # again: a route may have signed them out
                client.post(sample_url(app, rule, entry_id), data={**forged, "csrf_token": csrf_token()})
    after = stored_entries()
    # New entries may come; none of those before changes or goes.
    assert {entry_id: after.get(entry_id) for entry_id in before} == before


def test_the_append_only_guard_stays_in_place(db, history):
    assert event.contains(Session, "before_flush", database._refuse_audit_changes)
    assert "audit_entry" in SQLModel.metadata.tables
    entry = db.exec(select(AuditEntry)).first()
    db.delete(entry)
    with pytest.raises(database.AuditLogIsAppendOnly):
        db.flush()
    db.rollback()
