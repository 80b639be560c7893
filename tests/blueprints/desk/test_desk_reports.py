"""The desk's queue of reports from visitors: resolve or dismiss, with a note, once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, Report
from bulletin.services import reports


@pytest.fixture
def reported(db, make_organisation, make_posting):
    organisation = make_organisation(name="Fahrradwerkstatt")
    posting = make_posting(organisation=organisation, title="Fahrräder gegen Gebühr")
    first = reports.report_posting(db, posting, "money", "Sie wollen 50 Euro.")
    second = reports.report_organisation(db, organisation, "other", "Seltsame Website")
    db.commit()
    return first, second


def post(client, csrf_token, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token()})


def test_the_queue_shows_open_reports_with_their_target(client, coordinator, reported):
    first, second = reported
    page = client.get("/en/desk/reports").get_data(as_text=True)
    assert "They ask for money or it looks like fraud" in page and "Sie wollen 50 Euro." in page
    assert f"/en/desk/postings/{first.posting_id}" in page
    assert f"/en/desk/organisations/{second.organisation_id}" in page
    assert f'<label for="note-{first.id}"' in page and f'<label for="note-{second.id}"' in page
    assert '<span class="count">2</span>' in page  # in the desk's navigation


def test_resolving_and_dismissing_move_a_report_out_of_the_queue(
    client, coordinator, reported, csrf_token, db
):
    first, second = reported
    resolved = post(client, csrf_token, f"/en/desk/reports/{first.id}/resolve", note="Beitrag versteckt.")
    assert resolved.status_code == 302
    assert "The report is resolved." in client.get(resolved.headers["Location"]).get_data(as_text=True)
    assert post(client, csrf_token, f"/en/desk/reports/{second.id}/dismiss").status_code == 302
    db.expire_all()
    assert (first.status, first.note) == ("resolved", "Beitrag versteckt.")
    assert first.resolved_by == coordinator.email
    assert second.status == "dismissed"
    assert "No reports here." in client.get("/en/desk/reports").get_data(as_text=True)
    done = client.get("/en/desk/reports?status=resolved").get_data(as_text=True)
    assert "Beitrag versteckt." in done and "Sie wollen 50 Euro." in done
    entries = db.exec(select(AuditEntry).where(AuditEntry.object_type == "report"))
    assert sorted(entry.action for entry in entries) == [
        "report.create", "report.create", "report.dismiss", "report.resolve"
    ]


def test_a_report_is_closed_once(client, coordinator, reported, csrf_token, db):
    first, _second = reported
    post(client, csrf_token, f"/en/desk/reports/{first.id}/resolve")
    again = post(client, csrf_token, f"/en/desk/reports/{first.id}/dismiss")
    assert "This report has already been dealt with." in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    db.expire_all()
    assert first.status == "resolved"


def test_a_too_long_note_is_refused_next_to_its_report(client, coordinator, reported, csrf_token, db):
    first, _second = reported
    response = post(client, csrf_token, f"/en/desk/reports/{first.id}/resolve", note="x" * 1001)
    assert response.status_code == 400
    assert f'aria-describedby="note-{first.id}-error"' in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Report, first.id).status == "open"


@pytest.mark.parametrize("query", ["status=closed", "page=0", "page=9"])
def test_odd_queue_filters_are_refused(client, coordinator, reported, query):
    assert client.get(f"/en/desk/reports?{query}").status_code in (400, 404)


def test_unknown_reports_are_not_found(client, coordinator, csrf_token):
    assert post(client, csrf_token, "/en/desk/reports/424242/resolve").status_code == 404
