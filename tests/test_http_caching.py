"""HTTP caching of what everyone sees alike: ETag and Last-Modified with 304 answers, a short Cache-Control,
and never any of it for private answers (bulletin/http_caching.py)."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta

import page_weight
import pytest
from PIL import Image
from sqlalchemy import delete, update
from werkzeug.http import http_date, parse_date

from bulletin import http_caching
from bulletin.models import ListingRevision, LoginSession
from bulletin.services import clock, listing_revision, logos, moderation, organisations, postings
from bulletin.services.actors import SystemActor

ACTOR = SystemActor("test")
HTML_PAGES = ("home", "category", "posting", "organisation", "organisations", "privacy")
API_ANSWERS = ("api postings", "api posting", "api organisation")


@pytest.fixture
def posting(make_organisation, make_posting):
    organisation = make_organisation(name="Kleiderkammer")
    return make_posting(organisation=organisation, title={"de": "Sofa", "en": "Sofa"},
                        bodies={"de": "Gut erhalten."})


def address(name: str, posting) -> str:
    return {
        "home": "/en/",
        "category": "/en/categories/furniture-household",
        "posting": f"/en/postings/{posting.id}",
        "organisation": f"/en/organisations/{posting.organisation.key}",
        "organisations": "/en/organisations",
        "privacy": "/en/privacy",
        "search": "/en/search?q=Sofa",
        "api postings": "/api/v1/postings",
        "api posting": f"/api/v1/postings/{posting.id}",
        "api organisation": f"/api/v1/organisations/{posting.organisation.key}",
    }[name]


@pytest.fixture
def settled(monkeypatch):
    """Every change made before the test's requests is settled, so pages carry their Last-Modified."""
    return settle(monkeypatch)


@pytest.fixture
def an_hour_old(app, db, posting):
    """The board as if started, and last changed, an hour ago: its pages carry a settled Last-Modified,
    and a change made now comes after every page made before it (as it would)."""
    earlier = datetime.now(UTC) - timedelta(hours=1)
    app.extensions[http_caching.STARTED_KEY] = earlier
    db.execute(update(ListingRevision).values(changed_at=earlier))
    db.commit()
    return earlier


def settle(monkeypatch) -> datetime:
    """Move the caching's clock a minute on, past the moment of any change made so far."""
    later = datetime.now(UTC) + timedelta(minutes=1)
    monkeypatch.setattr(http_caching, "now", lambda: later)
    return later


def header_bytes(response) -> int:
    """What the status line and the headers weigh on the wire (HTTP/1.1)."""
    lines = [f"HTTP/1.1 {response.status}"] + [f"{name}: {value}" for name, value in response.headers]
    return len("\r\n".join(lines).encode()) + 4


def edit_title(db, posting, title: str) -> None:
    data = postings.PostingInput(type=posting.type, category=posting.category, titles={"de": title},
                                 bodies={"de": "Gut erhalten."}, original_language="de",
                                 district=posting.district)
    assert postings.update_posting(db, ACTOR, posting, data)
    db.commit()


# --- repeat visits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", HTML_PAGES + API_ANSWERS + ("search",))
def test_a_repeat_visit_with_the_etag_gets_an_empty_304(client, posting, page):
    first = client.get(address(page, posting))
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10  # strong, from the body
    assert first.cache_control.public and first.cache_control.max_age == 60
    assert "no-store" not in first.headers["Cache-Control"]
    again = client.get(address(page, posting), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.cache_control.public and again.cache_control.max_age == 60


@pytest.mark.parametrize("page", HTML_PAGES)
def test_pages_vary_by_cookie_and_not_by_the_browsers_languages(client, posting, page):
    english = client.get(address(page, posting), headers={"Accept-Language": "en"})
    arabic = client.get(address(page, posting), headers={"Accept-Language": "ar, uk;q=0.5"})
    assert "Cookie" in english.headers["Vary"] and "Accept-Language" not in english.headers["Vary"]
    assert english.headers["ETag"] == arabic.headers["ETag"]  # the language is in the address


@pytest.mark.parametrize("answer", API_ANSWERS)
def test_api_answers_do_not_vary_by_the_browsers_languages(client, posting, answer):
    english = client.get(address(answer, posting), headers={"Accept-Language": "en"})
    german = client.get(address(answer, posting), headers={"Accept-Language": "de"})
    assert english.headers["ETag"] == german.headers["ETag"]
    assert "Accept-Language" not in english.headers.get("Vary", "")


def test_the_weak_etag_a_compressing_proxy_makes_still_matches(client, posting):
    etag = client.get("/en/").headers["ETag"]
    again = client.get("/en/", headers={"If-None-Match": f"W/{etag}, \"other\""})
    assert again.status_code == 304


def test_a_head_request_is_answered_like_a_get(client, posting):
    page = client.get(f"/en/postings/{posting.id}")
    head = client.head(f"/en/postings/{posting.id}")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == page.headers["ETag"]
    assert head.cache_control.max_age == 60
    again = client.head(f"/en/postings/{posting.id}", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_repeat_visit_of_a_posting_page_costs_headers_only(app, client, make_organisation, make_posting):
    organisation = make_organisation(descriptions={"de": "Beschreibung " * 50})
    posting = make_posting(
        organisation=organisation,
        title={"de": "Gut erhaltener Kleiderschrank", "ar": "خزانة ملابس", "uk": "Шафа", "en": "Wardrobe"},
        bodies={"de": "Zwei Türen, Buche, 180 cm hoch. " * 40},
    )
    first = client.get(f"/en/postings/{posting.id}")
    html = first.get_data()
    total, parts = page_weight.first_visit_bytes(client, html, app.static_folder)
    assert len(gzip.compress(html)) < 30 * 1024 and total < 30 * 1024, parts
    again = client.get(f"/en/postings/{posting.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert header_bytes(again) < 10 * 1024
    assert header_bytes(again) < 2 * 1024  # in fact a few hundred bytes: the CSP is the longest line


def test_the_max_age_is_a_setting(client, configure, posting):
    configure(BULLETIN_PAGE_MAX_AGE=0)
    assert client.get("/en/").cache_control.max_age == 0  # kept, but asked about every time
    configure(BULLETIN_PAGE_MAX_AGE=300)
    assert client.get("/en/").cache_control.max_age == 300
    assert client.get("/api/v1/postings").cache_control.max_age == 60  # the API keeps its published minute


# --- changes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ("home", "category", "posting", "organisation", "api postings"))
def test_an_edited_posting_changes_the_etag(client, db, posting, page):
    before = client.get(address(page, posting)).headers["ETag"]
    edit_title(db, posting, "Ecksofa, blau")
    after = client.get(address(page, posting), headers={"If-None-Match": before})
    assert after.status_code == 200 and "Ecksofa, blau" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before


@pytest.mark.parametrize("change", ("close", "hide"))
def test_a_closed_or_hidden_posting_changes_the_lists_and_its_page_is_gone(client, db, posting, change):
    lists = [address(page, posting) for page in ("home", "category", "organisation", "api postings")]
    etags = {url: client.get(url).headers["ETag"] for url in lists}
    page = client.get(f"/en/postings/{posting.id}")
    if change == "close":
        postings.close_posting(db, ACTOR, posting)
    else:
        moderation.hide_posting(db, ACTOR, posting, "Doppelt eingestellt")
    db.commit()
    for url, etag in etags.items():
        answer = client.get(url, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and answer.headers["ETag"] != etag, url
    gone = client.get(f"/en/postings/{posting.id}", headers={"If-None-Match": page.headers["ETag"]})
    assert gone.status_code in (404, 410) and gone.data
    assert "ETag" not in gone.headers and not gone.cache_control.public


def test_last_modified_is_no_earlier_than_the_change_the_day_or_the_start(app, client, db, posting,
                                                                          monkeypatch):
    edit_title(db, posting, "Ecksofa")
    changed = listing_revision.current(db).changed_at.replace(tzinfo=UTC, microsecond=0)
    later = settle(monkeypatch)
    last_modified = client.get(f"/en/postings/{posting.id}").last_modified
    assert last_modified >= changed
    assert last_modified >= http_caching.day_start().replace(microsecond=0)
    assert last_modified >= app.extensions[http_caching.STARTED_KEY].replace(microsecond=0)
    assert last_modified <= later


def test_if_modified_since_alone_answers_304_only_while_nothing_changed(client, db, posting, an_hour_old,
                                                                        monkeypatch):
    url = f"/en/postings/{posting.id}"
    since = client.get(url).headers["Last-Modified"]
    assert parse_date(since) >= an_hour_old.replace(microsecond=0)
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304
    earlier = http_date(parse_date(since) - timedelta(seconds=1))
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    edit_title(db, posting, "Ecksofa")
    at_once = client.get(url, headers={"If-Modified-Since": since})
    assert at_once.status_code == 200 and "Last-Modified" not in at_once.headers  # not settled yet
    settle(monkeypatch)
    changed = client.get(url, headers={"If-Modified-Since": since})
    assert changed.status_code == 200 and "Ecksofa" in changed.get_data(as_text=True)
    assert changed.last_modified > parse_date(since)
    assert client.get(url, headers={"If-Modified-Since": changed.headers["Last-Modified"]}).status_code == 304


def test_if_none_match_decides_over_if_modified_since(client, posting, an_hour_old):
    first = client.get("/en/")
    since = first.headers["Last-Modified"]
    other = client.get("/en/", headers={"If-None-Match": '"something-else"', "If-Modified-Since": since})
    assert other.status_code == 200
    unparsable = client.get("/en/", headers={"If-None-Match": "", "If-Modified-Since": since})
    assert unparsable.status_code == 200
    same = client.get("/en/", headers={"If-None-Match": first.headers["ETag"], "If-Modified-Since": since})
    assert same.status_code == 304


def test_a_new_day_makes_every_page_newer(client, posting, monkeypatch, settled):
    since = client.get("/en/").headers["Last-Modified"]
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    monkeypatch.setattr(http_caching, "now", lambda: http_caching.day_start() + timedelta(hours=1))
    answer = client.get("/en/", headers={"If-Modified-Since": since})
    assert answer.status_code == 200  # postings may have expired at midnight
    assert answer.last_modified == http_caching.day_start()


def test_a_page_made_just_after_a_change_has_no_last_modified_yet(client, db, posting):
    # The change and a second one in the same second would share the date: only the ETag validates.
    edit_title(db, posting, "Ecksofa")
    answer = client.get(f"/en/postings/{posting.id}")
    assert "Last-Modified" not in answer.headers and answer.headers["ETag"]


def test_search_results_are_validated_by_their_etag_alone(client, posting, settled):
    # The search index may catch up with the database after the revision moved.
    answer = client.get("/en/search?q=Sofa")
    assert answer.status_code == 200 and "Last-Modified" not in answer.headers
    assert "Last-Modified" not in client.get("/api/v1/postings?q=Sofa").headers
    assert "Last-Modified" in client.get("/api/v1/postings").headers


# --- what is never cached ------------------------------------------------------------------------------


def test_signed_in_pages_get_no_etag_and_stay_unstored(client, login, make_user, posting):
    anonymous = client.get("/en/").headers["ETag"]
    login(make_user(organisation=posting.organisation))
    for url in ("/en/", f"/en/postings/{posting.id}", "/en/dashboard/"):
        answer = client.get(url, headers={"If-None-Match": anonymous})
        assert answer.status_code == 200, url
        assert "ETag" not in answer.headers and "Last-Modified" not in answer.headers, url
        assert answer.headers["Cache-Control"] == "no-store", url


def test_the_page_after_signing_out_shows_its_message_and_is_not_stored(client, csrf_token, login,
                                                                         make_user, posting):
    anonymous = client.get("/en/").headers["ETag"]
    login(make_user())
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    # The session was written (the message popped from it): private, even though nobody is signed in.
    answer = client.get("/en/", headers={"If-None-Match": anonymous})
    assert answer.status_code == 200 and "You are signed out." in answer.get_data(as_text=True)
    assert "ETag" not in answer.headers and answer.headers["Cache-Control"] == "no-store"
    assert client.get("/en/", headers={"If-None-Match": anonymous}).status_code == 304  # and then public


def test_an_answer_refreshing_a_session_cookie_is_not_shared(client, db, login, make_user, posting):
    login(make_user())
    db.execute(delete(LoginSession))  # the session ended on the server: the browser still has its cookie
    db.commit()
    answer = client.get("/en/")
    assert "Sign out" not in answer.get_data(as_text=True)
    assert "Set-Cookie" in answer.headers  # Flask renews a permanent session's cookie on every answer
    assert "ETag" not in answer.headers and not answer.cache_control.public


def test_errors_redirects_and_forms_keep_their_headers(client, posting):
    assert "ETag" not in client.get("/").headers  # the bare address picks a language: a redirect
    missing = client.get("/en/postings/999999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    assert not missing.cache_control.public
    form = client.get(f"/en/report/posting/{posting.id}")
    assert "ETag" not in form.headers and "no-store" in form.headers["Cache-Control"]
    sent = client.post(f"/en/report/posting/{posting.id}", data={"reason": "spam"})
    assert sent.status_code == 400 and "ETag" not in sent.headers


def test_a_failed_if_match_is_an_empty_412_nobody_keeps(client, posting):
    answer = client.get("/en/", headers={"If-Match": '"not-this-page"'})
    assert answer.status_code == 412 and answer.data == b""
    assert answer.headers["Cache-Control"] == "no-store"
    assert client.get("/en/", headers={"If-Match": "*"}).status_code == 200


def test_static_files_and_logos_keep_their_year_long_caching(app, client, db, posting):
    page = client.get(f"/en/organisations/{posting.organisation.key}").get_data(as_text=True)
    stylesheet = page_weight.stylesheets(page)[0]
    with client.get(stylesheet) as css:
        assert css.cache_control.immutable and css.cache_control.max_age == 365 * 24 * 3600
        etag = css.headers["ETag"]
    with client.get(stylesheet, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.cache_control.immutable
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(image, format="PNG")
    filename = logos.store_logo(image.getvalue(), app.config["BULLETIN_UPLOAD_DIR"], 100_000)
    organisations.set_logo(db, ACTOR, posting.organisation, filename)
    db.commit()
    with client.get(f"/logos/{filename}") as logo:
        assert logo.cache_control.immutable and logo.cache_control.max_age == 365 * 24 * 3600
        etag = logo.headers["ETag"]
    with client.get(f"/logos/{filename}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.cache_control.immutable


# --- headers nobody should send ------------------------------------------------------------------------

BROKEN_ETAGS = ("\x00\x00\x00", "x" * 20_000, '"unterminated', "W/", ", , ,", '"\x00"', "W/W/W/" * 1000)
BROKEN_DATES = ("not a date", "Mon, 99 Foo 2024 99:99:99 GMT", "\x00\x00", "9" * 5000, "",
                "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 01 Jan 9999 23:59:59 GMT",
                "Tue, 15 Nov 1994 08:12:31 GMT, Wed, 16 Nov 1994 08:12:31 GMT")


@pytest.mark.parametrize("value", BROKEN_ETAGS)
@pytest.mark.parametrize("url", ("/en/", "/api/v1/postings"))
def test_a_broken_if_none_match_gets_the_page(client, posting, url, value):
    answer = client.get(url, headers={"If-None-Match": value})
    assert answer.status_code == 200 and answer.data


@pytest.mark.parametrize("value", BROKEN_DATES)
@pytest.mark.parametrize("url", ("/en/", "/api/v1/postings"))
def test_a_broken_or_impossible_if_modified_since_gets_the_page(client, posting, settled, url, value):
    # A date after now was never sent by the board: it cannot stand for a copy the client has.
    answer = client.get(url, headers={"If-Modified-Since": value})
    assert answer.status_code == 200 and answer.data
