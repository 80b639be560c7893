"""The desk's postings: review before publishing, hide and restore with a reason the organisation
sees (checked on every public surface), and edits recorded in the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, Posting
from bulletin.services import moderation
from bulletin.services.actors import SystemActor

TITLE = "Kinderwagen abzugeben"


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", email="coordinator@board.example")


@pytest.fixture
def organisation(make_organisation):
    return make_organisation(name="Kleiderstube Mühlbach")


@pytest.fixture
def clara(make_user, organisation):
    return make_user(organisation=organisation, email="clara@kleiderstube.example")


@pytest.fixture
def logout(client, csrf_token):
    return lambda: client.post("/en/account/logout", data={"csrf_token": csrf_token()})


@pytest.fixture
def posting(make_posting, organisation, today):
    return make_posting(organisation=organisation, title=TITLE, category="baby-children",
                        valid_until=today + timedelta(days=20))


def post(client, csrf_token, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token()})


def shown_publicly(client, posting_id: int) -> dict[str, bool]:
    api_items = client.get("/api/v1/postings?q=Kinderwagen").get_json()["items"]
    return {
        "posting page": client.get(f"/en/postings/{posting_id}").status_code == 200,
        "category page": TITLE in client.get("/en/categories/baby-children").get_data(as_text=True),
        "home page": TITLE in client.get("/en/").get_data(as_text=True),
        "search": TITLE in client.get("/en/search?q=Kinderwagen").get_data(as_text=True),
        "api list": any(item["id"] == posting_id for item in api_items),
        "api posting": client.get(f"/api/v1/postings/{posting_id}").status_code == 200,
    }


def new_posting_form(today) -> dict:
    return {
        "type": "offer",
        "category": "baby-children",
        "original_language": "de",
        "title": TITLE,
        "body": "Gut erhalten.",
        "district": "",
        "valid_until": (today + timedelta(days=30)).isoformat(),
    }


def test_with_review_on_a_new_posting_waits_until_the_coordinator_releases_it(configure,
    app, client, csrf_token, login, logout, clara, coordinator, db, mails, today
):
    configure(BULLETIN_POSTING_REVIEW="unverified")
    login(clara)
    created = post(client, csrf_token, "/en/dashboard/postings/new", **new_posting_form(today))
    assert created.status_code == 302
    held = db.exec(select(Posting)).one()
    assert held.moderation == "held"
    assert not any(shown_publicly(client, held.id).values())
    dashboard = client.get("/en/dashboard/").get_data(as_text=True)
    assert "Waiting for review" in dashboard and "looks at new postings before they are shown" in dashboard
    logout()

    login(coordinator)
    queue = client.get("/en/desk/postings?review=held").get_data(as_text=True)
    assert TITLE in queue and f"/en/desk/postings/{held.id}/release" in queue
    released = post(client, csrf_token, f"/en/desk/postings/{held.id}/release", **{"from": "list"})
    assert released.headers["Location"].endswith("/en/desk/postings?review=held")
    assert all(shown_publicly(client, held.id).values())
    assert [mail["To"] for mail in mails] == ["clara@kleiderstube.example"]
    assert TITLE in mails[0].get_content()


def test_without_review_or_for_verified_organisations_postings_are_public_at_once(configure,
    app, client, csrf_token, login, organisation, clara, db, today
):
    login(clara)
    post(client, csrf_token, "/en/dashboard/postings/new", **new_posting_form(today))
    assert db.exec(select(Posting)).one().moderation == "visible"
    configure(BULLETIN_POSTING_REVIEW="unverified")
    organisation.verified = True
    db.commit()
    post(client, csrf_token, "/en/dashboard/postings/new", **{**new_posting_form(today), "title": "Zweites"})
    assert {item.moderation for item in db.exec(select(Posting))} == {"visible"}


def test_hiding_removes_the_posting_everywhere_and_tells_the_organisation_why(
    client, csrf_token, login, logout, coordinator, clara, posting, db, mails
):
    assert all(shown_publicly(client, posting.id).values())
    login(coordinator)
    response = post(client, csrf_token, f"/en/desk/postings/{posting.id}/hide",
                    reason="Bitte keine Preise nennen: das Angebot muss kostenlos sein.")
    assert response.status_code == 302
    assert not any(shown_publicly(client, posting.id).values())
    assert client.get(f"/en/postings/{posting.id}").status_code == 404
    assert [mail["To"] for mail in mails] == ["clara@kleiderstube.example"]
    assert "kostenlos" in mails[0].get_content()
    detail = client.get(f"/en/desk/postings/{posting.id}").get_data(as_text=True)
    assert "Hidden by the coordinator" in detail and "posting.hide" in detail
    logout()

    login(clara)
    dashboard = client.get("/en/dashboard/").get_data(as_text=True)
    assert "Bitte keine Preise nennen: das Angebot muss kostenlos sein." in dashboard
    logout()

    login(coordinator)
    assert post(client, csrf_token, f"/en/desk/postings/{posting.id}/restore").status_code == 302
    assert all(shown_publicly(client, posting.id).values())
    db.expire_all()
    assert posting.moderation_reason is None


def test_hiding_without_a_reason_is_refused(
    client, csrf_token, login, coordinator, clara, posting, db, mails
):
    login(coordinator)
    response = post(client, csrf_token, f"/en/desk/postings/{posting.id}/hide", reason="  ")
    assert response.status_code == 400
    assert "Please fill in this field." in response.get_data(as_text=True)
    db.expire_all()
    assert posting.moderation == "visible" and mails == []


def test_a_repeated_release_or_restore_changes_nothing(client, csrf_token, login, coordinator, posting, db):
    login(coordinator)
    entries = len(db.exec(select(AuditEntry)).all())
    for action in ("release", "restore"):
        response = post(client, csrf_token, f"/en/desk/postings/{posting.id}/{action}")
        assert response.status_code == 302
    assert len(db.exec(select(AuditEntry)).all()) == entries
    assert "was not" in client.get(f"/en/desk/postings/{posting.id}").get_data(as_text=True)


def test_the_coordinators_edit_is_recorded_and_shown_on_the_posting(
    client, csrf_token, login, coordinator, posting, today
):
    login(coordinator)
    form = {**new_posting_form(today), "title": "Kinderwagen (abgeholt bis Freitag)",
            "valid_until": posting.valid_until.isoformat()}
    assert post(client, csrf_token, f"/en/dashboard/postings/{posting.id}/edit", **form).status_code == 302
    detail = client.get(f"/en/desk/postings/{posting.id}").get_data(as_text=True)
    assert "posting.update" in detail and "coordinator@board.example" in detail
    assert "Kinderwagen (abgeholt bis Freitag)" in detail


def test_the_posting_list_filters_by_review_state(client, login, coordinator, posting, make_posting, db):
    other = make_posting(title="Versteckt")
    moderation.hide_posting(db, SystemActor("coordinator"), other, "Doppelt")
    db.commit()
    login(coordinator)
    hidden = client.get("/en/desk/postings?review=hidden").get_data(as_text=True)
    assert "Versteckt" in hidden and TITLE not in hidden
    assert client.get("/en/desk/postings?review=maybe").status_code == 400


def test_hidden_offers_and_suspended_organisations_leave_the_matches(
    client, csrf_token, login, coordinator, posting, make_organisation, make_posting
):
    families = make_organisation(name="Familienzentrum")
    request = make_posting(organisation=families, type="request", category="baby-children",
                           title="Wir suchen einen Kinderwagen", bodies={"de": "Für ein Neugeborenes."})

    def matched() -> set[int]:
        answer = client.get(f"/api/v1/postings/{request.id}/matches")
        assert answer.status_code == 200
        return {match["id"] for match in answer.get_json()["matches"]}

    assert posting.id in matched()
    login(coordinator)
    post(client, csrf_token, f"/en/desk/postings/{posting.id}/hide", reason="Doppelt")
    assert posting.id not in matched()
    post(client, csrf_token, f"/en/desk/postings/{posting.id}/restore")
    assert posting.id in matched()
    post(client, csrf_token, f"/en/desk/organisations/{posting.organisation_id}/suspend", reason="")
    assert posting.id not in matched()
    post(client, csrf_token, f"/en/desk/organisations/{posting.organisation_id}/restore")
    assert posting.id in matched()
