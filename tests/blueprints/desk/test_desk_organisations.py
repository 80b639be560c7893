"""The desk's organisations: the list, the detail page, suspend and restore (checked on every public
surface), the verified badge, and asking for changes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, Organisation, OrganisationMessage, Posting
from bulletin.services import accounts


@pytest.fixture
def tafel(make_organisation, make_user, make_posting):
    organisation = make_organisation(name="Tafel Neustetten", descriptions={"de": "Lebensmittel für alle."})
    make_user(organisation=organisation, email="anna@tafel.example")
    make_user(organisation=organisation, email="ben@tafel.example")
    make_posting(organisation=organisation, title="Brot und Gemüse jeden Freitag")
    return organisation


def post(client, csrf_token, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token()})


def public_surfaces(client, organisation: Organisation, posting_id: int) -> dict[str, bool]:
    """Whether the organisation or its posting shows on each public surface."""
    search = client.get("/en/search?q=Gemüse").get_data(as_text=True)
    api_list = client.get("/api/v1/postings?q=Gemüse").get_json()
    return {
        "organisation page": client.get(f"/en/organisations/{organisation.key}").status_code == 200,
        "organisation list": organisation.name in client.get("/en/organisations").get_data(as_text=True),
        "posting page": client.get(f"/en/postings/{posting_id}").status_code == 200,
        "category page": "Brot und Gemüse" in client.get("/en/categories/furniture-household").get_data(
            as_text=True
        ),
        "search": "Brot und Gemüse" in search,
        "api list": any(item["id"] == posting_id for item in api_list["items"]),
        "api posting": client.get(f"/api/v1/postings/{posting_id}").status_code == 200,
        "api organisation": client.get(f"/api/v1/organisations/{organisation.key}").status_code == 200,
    }


def test_the_list_filters_by_status_and_badge(client, coordinator, tafel, make_organisation):
    make_organisation(name="Wartet noch", status="pending")
    make_organisation(name="Geprüfte Gruppe", verified=True)
    page = client.get("/en/desk/organisations/all").get_data(as_text=True)
    assert all(name in page for name in ("Tafel Neustetten", "Wartet noch", "Geprüfte Gruppe"))
    pending = client.get("/en/desk/organisations/all?status=pending").get_data(as_text=True)
    assert "Wartet noch" in pending and "Tafel Neustetten" not in pending
    verified = client.get("/en/desk/organisations/all?verified=yes").get_data(as_text=True)
    assert "Geprüfte Gruppe" in verified and "Tafel Neustetten" not in verified
    assert client.get("/en/desk/organisations/all?status=deleted").status_code == 400


def test_the_detail_page_shows_members_postings_and_history(client, coordinator, tafel):
    page = client.get(f"/en/desk/organisations/{tafel.id}").get_data(as_text=True)
    assert "Lebensmittel für alle." in page
    assert "anna@tafel.example" in page and "ben@tafel.example" in page
    assert "Brot und Gemüse jeden Freitag" in page
    assert "organisation.create" in page  # the audit entries about it
    assert client.get("/en/desk/organisations/99999").status_code == 404


def test_suspending_hides_everything_at_once_and_restoring_brings_it_back(
    client, coordinator, tafel, csrf_token, db, mails
):
    posting_id = db.exec(select(Posting.id).where(Posting.organisation_id == tafel.id)).one()
    assert all(public_surfaces(client, tafel, posting_id).values())

    response = post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/suspend",
                    reason="Mehrere Beschwerden über Gebühren.")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is suspended" in page and "Restore" in page
    assert not any(public_surfaces(client, tafel, posting_id).values())
    assert sorted(mail["To"] for mail in mails) == ["anna@tafel.example", "ben@tafel.example"]
    assert "Mehrere Beschwerden über Gebühren." in mails[0].get_content()

    assert post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/restore").status_code == 302
    assert all(public_surfaces(client, tafel, posting_id).values())
    assert len(mails) == 4
    db.expire_all()
    assert [entry.action for entry in db.exec(
        select(AuditEntry).where(AuditEntry.object_type == "organisation").order_by(AuditEntry.id)
    )][-2:] == ["organisation.suspend", "organisation.restore"]


def test_a_pending_organisation_is_not_suspended_and_a_too_long_reason_is_refused(
    client, coordinator, make_organisation, tafel, csrf_token, db
):
    pending = make_organisation(status="pending")
    refused = post(client, csrf_token, f"/en/desk/organisations/{pending.id}/suspend", reason="")
    assert refused.status_code == 302
    assert "Only approved organisations can be suspended." in client.get(
        f"/en/desk/organisations/{pending.id}"
    ).get_data(as_text=True)
    too_long = post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/suspend", reason="x" * 1001)
    assert too_long.status_code == 400
    assert "At most 1000 characters." in too_long.get_data(as_text=True)
    db.expire_all()
    assert pending.status == "pending" and tafel.status == "approved"


def test_the_verified_badge_shows_publicly_once_granted(client, coordinator, tafel, csrf_token, db, mails):
    badge = '<span class="verified">'
    assert badge not in client.get(f"/en/organisations/{tafel.key}").get_data(as_text=True)
    assert post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/verify").status_code == 302
    assert badge in client.get(f"/en/organisations/{tafel.key}").get_data(as_text=True)
    assert client.get(f"/api/v1/organisations/{tafel.key}").get_json()["verified"] is True
    assert len(mails) == 2 and "verified" in mails[0]["Subject"]
    post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/verify")
    assert len(mails) == 2  # granted once, told once
    post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/unverify")
    assert badge not in client.get(f"/en/organisations/{tafel.key}").get_data(as_text=True)


def test_asking_for_changes_reaches_the_dashboard_and_the_inbox_until_resolved(
    client, coordinator, tafel, csrf_token, login, db, mails
):
    response = post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/message",
                    text="Bitte ergänzen Sie Ihre Öffnungszeiten.")
    assert response.status_code == 302
    assert sorted(mail["To"] for mail in mails) == ["anna@tafel.example", "ben@tafel.example"]
    assert "Bitte ergänzen Sie Ihre Öffnungszeiten." in mails[0].get_content()
    message = db.exec(select(OrganisationMessage)).one()

    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(accounts.get_by_email(db, "anna@tafel.example"))
    dashboard = client.get("/en/dashboard/").get_data(as_text=True)
    assert "From the coordinator" in dashboard and "Bitte ergänzen Sie Ihre Öffnungszeiten." in dashboard

    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(coordinator)
    resolve = post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/messages/{message.id}/resolve")
    assert resolve.status_code == 302
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    login(accounts.get_by_email(db, "anna@tafel.example"))
    assert "Öffnungszeiten" not in client.get("/en/dashboard/").get_data(as_text=True)


def test_an_empty_message_is_refused_and_nothing_is_sent(client, coordinator, tafel, csrf_token, db, mails):
    response = post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/message", text="   ")
    assert response.status_code == 400
    assert "Please fill in this field." in response.get_data(as_text=True)
    assert db.exec(select(OrganisationMessage)).first() is None and mails == []


def test_a_message_of_another_organisation_is_not_found(
    client, coordinator, tafel, make_organisation, csrf_token, db
):
    other = make_organisation()
    post(client, csrf_token, f"/en/desk/organisations/{tafel.id}/message", text="Bitte prüfen.")
    message = db.exec(select(OrganisationMessage)).one()
    wrong = post(client, csrf_token, f"/en/desk/organisations/{other.id}/messages/{message.id}/resolve")
    assert wrong.status_code == 404
    db.expire_all()
    assert message.is_open


def test_rejecting_a_sign_up_that_was_asked_for_changes_deletes_its_messages_too(
    client, coordinator, make_organisation, csrf_token, db
):
    pending_id = make_organisation(name="Neue Initiative", status="pending").id
    post(client, csrf_token, f"/en/desk/organisations/{pending_id}/message", text="Bitte Satzung schicken.")
    response = post(client, csrf_token, f"/en/desk/organisations/{pending_id}/reject", reason="Keine Antwort")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Organisation, pending_id) is None
    assert db.exec(select(OrganisationMessage)).all() == []
