"""The whole way through, in a real browser: an organisation signs up, the coordinator approves it,
a member posts an offer, and a visitor finds it on the category page."""

import os
import re
from pathlib import Path

import pytest

from bulletin import importer
from bulletin.mail import outbox

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[2] / "bulletin" / "data" / "demo.jsonl"


@pytest.fixture
def demo_board(db):
    """The demo town's content, so the pages look as they will for a real town."""
    result = importer.import_text(db, DEMO.read_text(encoding="utf-8"))
    assert result.saved
    db.commit()


def sign_in(page, base, email, password):
    page.goto(f"{base}/de/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")


def test_sign_up_approve_post_and_find(configure, app, live_server, new_page, demo_board, make_user,
                                       screenshot_dir):
    base = live_server
    configure(BULLETIN_BASE_URL=base)  # links in mails point to the live server
    coordinator = make_user(
        role="coordinator", email="koordination@example.org", password="koordination-2026"
    )

    # An organisation signs up and waits for approval.
    member = new_page()
    member.goto(f"{base}/de/account/signup")
    member.fill("#name", "Nachbarschaftshilfe Sonnenhang")
    member.select_option("#type", "initiative")
    member.fill("#email", "kontakt@nachbarn-sonnenhang.example.org")
    member.fill("#phone", "+49 7000 55501")
    member.fill("#address", "Lindenweg 4, Neustetten")
    member.select_option("#district", "Sonnenhang")
    member.fill("#description", "Nachbarn helfen Nachbarn: Möbel, Begleitung, Gespräche.")
    member.fill("#account_email", "ines@nachbarn-sonnenhang.example.org")
    member.fill("#password", "sonnenhang-hilft-2026")
    member.fill("#password_repeat", "sonnenhang-hilft-2026")
    member.check("#privacy_consent")
    member.click("main form button[type=submit]")
    member.wait_for_load_state()
    # The answer is the same for every address; the mail's link confirms it (a button, not the link).
    [confirmation] = [mail for mail in outbox() if mail["To"] == "ines@nachbarn-sonnenhang.example.org"]
    member.goto(re.search(r"https?://\S+", confirmation.get_content()).group(0))
    member.click("main form button[type=submit]")
    member.wait_for_url("**/de/dashboard/")
    assert member.locator(".status-pending, .badge-pending").count() >= 1

    # The coordinator approves it.
    desk = new_page()
    sign_in(desk, base, coordinator.email, "koordination-2026")
    desk.goto(f"{base}/de/desk/organisations")
    entry = desk.locator("article, li, tr, section").filter(has_text="Nachbarschaftshilfe Sonnenhang").last
    entry.locator("form[action$='/approve'] button").click()
    desk.wait_for_load_state()
    assert "Nachbarschaftshilfe Sonnenhang" not in desk.locator("main").inner_text() or desk.locator(
        ".flash-success"
    ).count()

    # The member posts an offer.
    member.goto(f"{base}/de/dashboard/postings/new")
    member.check("input[name=type][value=offer]")
    member.select_option("#category", "baby-children")
    member.select_option("#original_language", "de")
    member.fill("#title", "Kinderbett aus Holz abzugeben")
    member.fill("#body", "70 x 140 cm, mit Matratze und Bettwäsche.\nAbholung am Lindenweg 4.")
    member.select_option("#district", "Sonnenhang")
    member.click("main form button[type=submit]")
    member.wait_for_load_state()

    # A visitor without an account finds it through the category pictogram.
    visitor = new_page()
    visitor.goto(f"{base}/de/")
    visitor.screenshot(path=os.path.join(screenshot_dir, "home.png"))
    visitor.click("a[href*='/categories/baby-children']")
    assert "/de/categories/baby-children" in visitor.url
    visitor.click("text=Kinderbett aus Holz abzugeben")
    main = visitor.locator("main")
    assert "Kinderbett aus Holz abzugeben" in main.inner_text()
    assert "Nachbarschaftshilfe Sonnenhang" in main.inner_text()
    assert visitor.locator("a[href^='tel:+49700055501']").count() == 1
    visitor.screenshot(path=os.path.join(screenshot_dir, "posting.png"), full_page=True)
