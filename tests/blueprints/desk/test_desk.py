"""The coordinator's desk: approving and rejecting sign-ups, and looking after every posting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, Organisation, Posting, User


@pytest.fixture
def applicant(make_organisation, make_user):
    """A sign-up waiting for approval, with two members."""
    organisation = make_organisation(
        name="Nähcafé Mühlbach",
        status="pending",
        descriptions={"de": "Wir nähen zusammen."},
        languages=["de", "fa"],
    )
    make_user(organisation=organisation, email="anna@naehcafe.example")
    make_user(organisation=organisation, email="reza@naehcafe.example")
    return organisation


def test_anonymous_visitors_are_sent_to_sign_in_and_members_are_refused(client, login, make_user):
    response = client.get("/en/desk/organisations")
    assert response.status_code == 302
    assert "/en/account/login" in response.headers["Location"]
    login(make_user())
    assert client.get("/en/desk/organisations").status_code == 403
    assert client.get("/en/desk/postings").status_code == 403


def test_the_waiting_list_shows_details_and_members(client, coordinator, applicant, make_organisation):
    make_organisation(name="Schon freigegeben")
    page = client.get("/en/desk/organisations").get_data(as_text=True)
    assert "Nähcafé Mühlbach" in page
    assert "Wir nähen zusammen." in page
    assert "anna@naehcafe.example" in page and "reza@naehcafe.example" in page
    assert '<span lang="fa" dir="rtl">فارسی</span>' in page
    assert f'<label for="reason-{applicant.id}"' in page
    assert "Schon freigegeben" not in page


def test_approving_makes_the_organisation_public_and_tells_its_members(
    client, coordinator, applicant, csrf_token, db, mails
):
    response = client.post(
        f"/en/desk/organisations/{applicant.id}/approve", data={"csrf_token": csrf_token()}
    )
    assert response.status_code == 302
    db.expire_all()
    assert applicant.status == "approved"
    assert sorted(mail["To"] for mail in mails) == ["anna@naehcafe.example", "reza@naehcafe.example"]
    assert "is approved" in mails[0]["Subject"]
    assert "/en/dashboard/" in mails[0].get_content()
    page = client.get("/en/desk/organisations").get_data(as_text=True)
    assert "Nähcafé Mühlbach is approved" in page
    assert "No organisation is waiting for approval." in page
    again = client.post(f"/en/desk/organisations/{applicant.id}/approve", data={"csrf_token": csrf_token()})
    assert again.status_code == 302
    assert len(mails) == 2  # nobody is told twice


def test_rejecting_deletes_the_sign_up_and_sends_the_reason(
    client, coordinator, applicant, csrf_token, db, mails
):
    applicant_id = applicant.id
    response = client.post(
        f"/en/desk/organisations/{applicant_id}/reject",
        data={"reason": "Bitte melden Sie sich über den Dachverband an.", "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Organisation, applicant_id) is None
    assert db.exec(select(User).where(User.email == "anna@naehcafe.example")).first() is None
    assert sorted(mail["To"] for mail in mails) == ["anna@naehcafe.example", "reza@naehcafe.example"]
    assert "Bitte melden Sie sich über den Dachverband an." in mails[0].get_content()
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.reject")).one()
    assert entry.actor == coordinator.email
    assert "is rejected and deleted" in client.get("/en/desk/organisations").get_data(as_text=True)


def test_a_too_long_reason_is_refused_and_nothing_is_deleted(
    client, coordinator, applicant, csrf_token, db, mails
):
    response = client.post(
        f"/en/desk/organisations/{applicant.id}/reject",
        data={"reason": "x" * 1001, "csrf_token": csrf_token()},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "At most 1000 characters." in page
    assert f'aria-describedby="reason-{applicant.id}-error"' in page
    db.expire_all()
    assert db.get(Organisation, applicant.id) is not None
    assert mails == []


def test_an_approved_organisation_cannot_be_rejected(client, coordinator, make_organisation, csrf_token, db):
    organisation = make_organisation()
    response = client.post(
        f"/en/desk/organisations/{organisation.id}/reject", data={"reason": "", "csrf_token": csrf_token()}
    )
    assert response.status_code == 400
    assert "Only organisations waiting for approval can be rejected." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Organisation, organisation.id).status == "approved"


@pytest.mark.parametrize("organisation_id", ["99999", "9" * 30])
def test_unknown_organisations_are_not_found(client, coordinator, csrf_token, organisation_id):
    for action in ("approve", "reject"):
        url = f"/en/desk/organisations/{organisation_id}/{action}"
        assert client.post(url, data={"csrf_token": csrf_token()}).status_code == 404


# Every posting ---------------------------------------------------------------------------------------------


@pytest.fixture
def board(make_organisation, make_posting, today):
    """Two organisations with open, closed and expired postings."""
    north, south = make_organisation(name="Nord"), make_organisation(name="Süd")
    make_posting(organisation=north, title="Nord offen", valid_until=today + timedelta(days=5))
    make_posting(organisation=north, title="Nord zu", status="closed")
    make_posting(organisation=south, title="Süd abgelaufen", valid_until=today - timedelta(days=5))
    make_posting(organisation=south, title="Süd offen")
    return north, south


def titles_on(page: str) -> set[str]:
    return {title for title in ("Nord offen", "Nord zu", "Süd abgelaufen", "Süd offen") if title in page}


def test_the_desk_lists_every_posting_and_filters_them(client, coordinator, board):
    north, south = board
    assert titles_on(client.get("/en/desk/postings").get_data(as_text=True)) == {
        "Nord offen",
        "Nord zu",
        "Süd abgelaufen",
        "Süd offen",
    }
    assert titles_on(client.get("/en/desk/postings?status=open").get_data(as_text=True)) == {
        "Nord offen",
        "Süd offen",
    }
    assert titles_on(client.get("/en/desk/postings?status=closed").get_data(as_text=True)) == {"Nord zu"}
    assert titles_on(client.get("/en/desk/postings?status=expired").get_data(as_text=True)) == {
        "Süd abgelaufen"
    }
    by_south = client.get(f"/en/desk/postings?organisation={south.id}").get_data(as_text=True)
    assert titles_on(by_south) == {"Süd abgelaufen", "Süd offen"}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("status=nonsense", 400),
        ("organisation=abc", 400),
        ("organisation=99999", 400),
        ("page=-3", 400),
        ("page=x", 400),
        ("page=2", 404),
        ("page=" + "9" * 40, 404),
    ],
)
def test_odd_filters_get_a_clear_answer_not_a_wrong_list(client, coordinator, board, query, status):
    response = client.get(f"/en/desk/postings?{query}")
    assert response.status_code == status
    assert titles_on(response.get_data(as_text=True)) == set()


def test_the_desk_pages_through_long_lists(configure, app, client, coordinator, board):
    configure(BULLETIN_PER_PAGE=3)
    first = client.get("/en/desk/postings").get_data(as_text=True)
    assert len(titles_on(first)) == 3
    assert 'class="pagination"' in first
    assert "page=2" in first
    second = client.get("/en/desk/postings?page=2").get_data(as_text=True)
    assert len(titles_on(second)) == 1


def test_the_coordinator_edits_closes_and_reopens_any_posting(
    client, coordinator, board, csrf_token, db, today
):
    north, _south = board
    posting = db.exec(
        select(Posting).where(Posting.organisation_id == north.id, Posting.status == "open")
    ).one()
    page = client.get("/en/desk/postings").get_data(as_text=True)
    assert f"/en/dashboard/postings/{posting.id}/edit" in page
    form = client.get(f"/en/dashboard/postings/{posting.id}/edit").get_data(as_text=True)
    assert "Posting of \u2068Nord\u2069" in form
    response = client.post(
        f"/en/dashboard/postings/{posting.id}/edit",
        data={
            "type": "offer",
            "category": "furniture-household",
            "original_language": "de",
            "title": "Nord offen (korrigiert)",
            "body": "",
            "district": "Altstadt",
            "valid_until": posting.valid_until.isoformat(),
            "csrf_token": csrf_token(),
        },
    )
    assert response.headers["Location"].endswith("/en/desk/postings")
    closed = client.post(f"/en/dashboard/postings/{posting.id}/close", data={"csrf_token": csrf_token()})
    assert closed.headers["Location"].endswith("/en/desk/postings")
    db.expire_all()
    assert posting.status == "closed"
    assert posting.text("de").title == "Nord offen (korrigiert)"
    client.post(f"/en/dashboard/postings/{posting.id}/reopen", data={"csrf_token": csrf_token()})
    db.expire_all()
    assert posting.status == "open"
    actors = set(
        db.exec(
            select(AuditEntry.actor).where(
                AuditEntry.object_id == posting.id,
                AuditEntry.object_type == "posting",
                AuditEntry.action != "posting.create",
            )
        )
    )
    assert actors == {coordinator.email}


def test_the_coordinator_has_no_organisation_dashboard(client, coordinator):
    assert client.get("/en/dashboard/").headers["Location"].endswith("/en/desk/postings")
    assert client.get("/en/dashboard/postings/new").status_code == 404
