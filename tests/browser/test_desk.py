"""The coordinator's desk in a real browser: approve a sign-up, resolve a visitor's report, and read the
picture of needs on the statistics page."""

from __future__ import annotations

import pytest

from bulletin.services import reports

pytestmark = pytest.mark.browser


def sign_in(page, base, email, password):
    page.goto(f"{base}/de/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/de/desk/**")


def test_approve_resolve_and_read_the_statistics(live_server, new_page, make_user, make_organisation,
                                                 make_posting, db):
    base = live_server
    coordinator = make_user(role="coordinator", email="koordination@example.org",
                            password="koordination-2026")
    waiting = make_organisation(name="Lernpaten Unterried", status="pending")
    make_user(organisation=waiting, email="lea@lernpaten.example")
    tafel = make_organisation(name="Tafel Altstadt")
    make_posting(organisation=tafel, category="food", title="Lebensmittel jeden Freitag")
    request = make_posting(organisation=tafel, type="request", category="housing", district="Oberstadt",
                           title="Wir suchen eine Wohnung für eine Familie")

    # A visitor reports the request, without an account.
    visitor = new_page()
    visitor.goto(f"{base}/de/postings/{request.id}")
    visitor.click(f"a[href='/de/report/posting/{request.id}']")
    visitor.check("input[name=reason][value=wrong]")
    visitor.fill("#text", "Die Familie hat schon eine Wohnung gefunden.")
    visitor.click("main form button[type=submit]")
    visitor.wait_for_url("**/de/report/thanks")
    assert reports.open_count(db) == 1

    desk = new_page(width=1024, height=900)
    sign_in(desk, base, coordinator.email, "koordination-2026")

    # Approve the sign-up.
    desk.goto(f"{base}/de/desk/organisations")
    card = desk.locator("section.panel").filter(has_text="Lernpaten Unterried")
    card.locator("form[action$='/approve'] button").click()
    desk.wait_for_load_state()
    assert desk.locator(".flash-success").filter(has_text="Lernpaten Unterried").count() == 1
    db.expire_all()
    assert waiting.status == "approved"

    # Resolve the report with a note.
    desk.click("nav.desk-nav a[href$='/desk/reports']")
    report = desk.locator("section.report").filter(has_text="Die Familie hat schon eine Wohnung gefunden.")
    report.locator("textarea").fill("Die Organisation schließt die Anfrage.")
    report.locator("form[action$='/resolve'] button[type=submit]").first.click()
    desk.wait_for_load_state()
    assert desk.locator(".flash-success").count() == 1
    assert reports.open_count(db) == 0

    # Read the statistics page: the unmet request, the charts, the CSV link.
    desk.click("nav.desk-nav a[href$='/desk/statistics']")
    unmatched = desk.locator("#unmatched-requests")
    assert "Wir suchen eine Wohnung für eine Familie" in unmatched.inner_text()
    assert desk.locator("svg.share-bar rect.bar-offer").count() >= 1
    assert desk.locator("figure.chart svg rect").count() >= 12
    food = desk.locator("#categories tr").filter(has_text="Lebensmittel")  # the German interface
    assert food.locator("td.number").all_inner_texts() == ["1", "0"]
    with desk.expect_download() as download:
        desk.click("a[href$='/statistics/unmatched.csv']")
    assert download.value.suggested_filename.startswith("board-unmatched-")
