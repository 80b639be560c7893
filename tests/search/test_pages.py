"""What people see of search and matching: the search page, the posting page's matches, the digest."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from bulletin.models import MatchDigestEntry, Organisation


def page_text(response) -> str:
    return response.get_data(as_text=True)


def visible(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_text(response))).split())


# The search page


def test_results_show_marked_snippets_in_the_reader_language(client, make_posting):
    make_posting(title={"de": "Kinderwagen", "en": "Pram"}, key="pram",
                 bodies={"de": "Ein Kinderwagen, kaum benutzt.", "en": "A pram, hardly used."})
    english = page_text(client.get("/en/search?q=pram"))
    assert '<p class="snippet" lang="en" dir="auto">A <mark>pram</mark>, hardly used.</p>' in english
    german = page_text(client.get("/de/search?q=pram"))
    assert "Ein <mark>Kinderwagen</mark>, kaum benutzt." in german


def test_facets_are_links_that_filter_and_count(client, make_posting):
    make_posting(title="Deutschkurs am Abend", category="language", district="Altstadt")
    make_posting(title="Deutschkurs gesucht", category="language", district="Oberstadt", type="request")
    page = page_text(client.get("/en/search?q=Deutschkurs"))
    assert '<a href="/en/search?q=Deutschkurs&amp;type=request">Requests (1)</a>' in page
    assert '<a href="/en/search?q=Deutschkurs&amp;district=Oberstadt">Oberstadt (1)</a>' in page
    filtered = page_text(client.get("/en/search?q=Deutschkurs&type=request"))
    assert "Deutschkurs gesucht" in filtered and "Deutschkurs am Abend" not in filtered
    assert 'aria-current="true"' in filtered and "remove filter" in filtered


def test_did_you_mean_links_to_the_corrected_search(client, make_posting):
    make_posting(title="Kinderwagen abzugeben")
    response = client.get("/en/search?q=Kinderwagn")
    assert "Kinderwagen abzugeben" in visible(response)
    assert 'Did you mean: <a href="/en/search?q=kinderwagen" dir="auto"><bdi>kinderwagen</bdi></a>' in \
        page_text(response)


def test_a_query_in_arabic_finds_the_german_offer_on_the_page(client, make_posting):
    make_posting(title="Kinderbett abzugeben")
    assert "Kinderbett abzugeben" in visible(client.get("/ar/search", query_string={"q": "سرير أطفال"}))


def test_a_page_past_the_results_is_not_found(client, make_posting):
    make_posting(title="Sofa")
    assert client.get("/en/search?q=Sofa&page=2").status_code == 404


# Matches on the posting page


@pytest.fixture
def pair(make_organisation, make_posting):
    helpers = make_organisation(name="Helfer")
    seekers = make_organisation(name="Beratung")
    offer = make_posting(organisation=helpers, title="Kinderbett aus Holz", key="bed")
    request = make_posting(organisation=seekers, title={"ar": "نبحث عن سرير أطفال"}, key="wanted",
                           type="request")
    return {"helpers": helpers, "seekers": seekers, "offer": offer, "request": request}


def test_the_organisation_sees_the_offers_that_fit_its_request(client, login, make_user, pair):
    login(make_user(organisation=pair["seekers"]))
    text = visible(client.get(f"/en/postings/{pair['request'].id}"))
    assert "Offers that fit this request" in text and "Kinderbett aus Holz" in text
    assert "Both about: children's bed" in text and "Same category" in text


def test_the_coordinator_sees_the_requests_an_offer_fits(client, login, make_user, pair):
    login(make_user(role="coordinator"))
    text = visible(client.get(f"/en/postings/{pair['offer'].id}"))
    assert "Requests this offer fits" in text and "نبحث عن سرير أطفال" in text


def test_visitors_and_other_organisations_see_no_matches(client, login, make_user, pair):
    assert "fit" not in visible(client.get(f"/en/postings/{pair['request'].id}"))
    login(make_user())
    assert "Offers that fit" not in visible(client.get(f"/en/postings/{pair['request'].id}"))


def test_no_match_yet_is_said_plainly(client, login, make_user, make_organisation, make_posting):
    seekers = make_organisation(name="Beratung")
    request = make_posting(organisation=seekers, title="Klavier gesucht", type="request", category="other")
    login(make_user(organisation=seekers))
    assert "No match yet." in visible(client.get(f"/en/postings/{request.id}"))


# The daily digest


def test_an_organisation_asks_for_the_digest_on_its_dashboard(client, db, login, make_user, csrf_token,
                                                               make_organisation):
    organisation = make_organisation(name="Beratung")
    login(make_user(organisation=organisation))
    assert "Daily mail of matching offers" in visible(client.get("/en/dashboard/"))
    response = client.post("/en/dashboard/match-digest",
                           data={"match_digest": "y", "csrf_token": csrf_token()})
    assert response.status_code == 302
    assert db.get(Organisation, organisation.id).match_digest is True
    client.post("/en/dashboard/match-digest", data={"csrf_token": csrf_token()})
    assert db.get(Organisation, organisation.id).match_digest is False


def test_the_digest_mails_new_matches_once(configure, app, db, mails, make_user, pair):
    configure(BULLETIN_BASE_URL="https://board.example.org")
    member = make_user(organisation=pair["seekers"])
    pair["seekers"].match_digest = True
    db.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["send-match-digest"])
    assert first.exit_code == 0, first.output
    assert [mail["To"] for mail in mails] == [member.email]
    body = mails[0].get_content()
    assert "Kinderbett aus Holz" in body
    assert f"https://board.example.org/en/postings/{pair['offer'].id}" in body or \
        f"/postings/{pair['offer'].id}" in body
    assert len(db.exec(select(MatchDigestEntry)).all()) == 1

    again = runner.invoke(args=["send-match-digest"])
    assert again.exit_code == 0 and len(mails) == 1  # nothing new: no second mail


def test_the_digest_goes_only_to_organisations_that_asked(configure, app, db, mails, make_user, pair):
    configure(BULLETIN_BASE_URL="https://board.example.org")
    make_user(organisation=pair["seekers"])
    result = app.test_cli_runner().invoke(args=["send-match-digest"])
    assert result.exit_code == 0 and mails == []


def test_the_digest_needs_the_board_address(configure, app, db, make_user, pair):
    configure(BULLETIN_BASE_URL=None)
    app.config["SERVER_NAME"] = None
    pair["seekers"].match_digest = True
    db.commit()
    result = app.test_cli_runner().invoke(args=["send-match-digest"])
    assert result.exit_code != 0 and "BULLETIN_BASE_URL" in result.output
