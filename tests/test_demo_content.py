"""The demo content of Neustetten: it must import cleanly and show every part of the board."""

import json
import re
from collections import Counter
from datetime import date

import pytest

from bulletin import exporter, importer
from bulletin.commands import demo
from bulletin.services.listing import PostingFilter, list_postings
from bulletin.taxonomy import CATEGORY_SLUGS, LANGUAGE_CODES, ORGANISATION_TYPES


@pytest.fixture(scope="module")
def demo_text() -> str:
    with open(demo.DEMO_FILE, encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def demo_records(demo_text) -> list[dict]:
    return [json.loads(line) for line in demo_text.splitlines() if line.strip()]


def of_kind(records, kind):
    return [record for record in records if record["kind"] == kind]


def test_the_demo_imports_without_any_error(db, demo_text):
    result = importer.import_text(db, demo_text)
    db.commit()

    assert result.errors == []
    assert result.count("organisation", "created") >= 14
    assert result.count("posting", "created") >= 75


def test_the_demo_file_is_exactly_what_the_board_exports(db, demo_text):
    importer.import_text(db, demo_text)
    db.commit()
    assert exporter.export_text(db) == demo_text


def test_every_category_and_every_district_has_postings(app, demo_records):
    postings = of_kind(demo_records, "posting")
    assert {posting["category"] for posting in postings} == set(CATEGORY_SLUGS)
    assert {posting["district"] for posting in postings} == set(app.config["BULLETIN_DISTRICTS"])


def test_every_kind_of_organisation_is_there_and_all_are_approved(app, demo_records):
    organisations = of_kind(demo_records, "organisation")
    assert {organisation["type"] for organisation in organisations} == set(ORGANISATION_TYPES)
    assert {organisation["status"] for organisation in organisations} == {"approved"}
    assert Counter(organisation["verified"] for organisation in organisations).keys() == {True, False}
    districts = set(app.config["BULLETIN_DISTRICTS"])
    assert {organisation["district"] for organisation in organisations} <= districts


def test_contacts_are_invented_and_reserved_for_examples(demo_records):
    for organisation in of_kind(demo_records, "organisation"):
        assert organisation["email"].endswith("@example.org")
        assert re.match(r"^https://[a-z0-9-]+\.example\.org$", organisation["website"])
        assert organisation["phone"].startswith("+49 7000 ")
        assert organisation["address"].endswith(", Neustetten")
    for email, _organisation_key in demo.DEMO_MEMBERS:
        assert email.endswith("@neustetten.example")


def test_descriptions_are_german_with_some_translations(demo_records):
    organisations = of_kind(demo_records, "organisation")
    assert all(next(iter(organisation["description"])) == "de" for organisation in organisations)
    translated = Counter(code for organisation in organisations for code in organisation["description"])
    assert translated["en"] >= 3 and translated["ar"] >= 3 and translated["uk"] >= 3


def test_postings_are_written_in_many_languages(demo_records):
    postings = of_kind(demo_records, "posting")
    originals = Counter(posting["original_language"] for posting in postings)
    assert originals.most_common(1)[0][0] == "de"
    assert originals["en"] >= 3
    requests = {posting["original_language"] for posting in postings if posting["type"] == "request"}
    assert {"ar", "fa", "uk", "ru", "tr"} <= requests
    assert sum(len(posting["title"]) > 1 for posting in postings) >= 5  # a few with translations
    assert {code for posting in postings for code in posting["title"]} <= set(LANGUAGE_CODES)


def test_offers_requests_dates_and_closed_postings(demo_records):
    postings = of_kind(demo_records, "posting")
    assert Counter(posting["type"] for posting in postings).keys() == {"offer", "request"}
    dates = [date.fromisoformat(posting["valid_until"]) for posting in postings if posting["valid_until"]]
    assert dates and all(2027 <= day.year <= 2028 for day in dates)
    assert any(posting["valid_until"] is None for posting in postings)
    assert 1 <= sum(posting["status"] == "closed" for posting in postings) <= 6
    assert all(posting["body"] for posting in postings)  # every posting says what, when, where


def test_the_open_demo_postings_are_listed(db, demo_text, demo_records):
    importer.import_text(db, demo_text)
    db.commit()
    today = date(2027, 1, 1)  # before every demo posting expires

    page = list_postings(db, today, PostingFilter(), page=1, per_page=500)

    postings = of_kind(demo_records, "posting")
    open_keys = {posting["key"] for posting in postings if posting["status"] == "open"}
    assert {posting.key for posting in page.items} == open_keys
