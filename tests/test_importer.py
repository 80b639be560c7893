"""The bulk import: every line is checked first, then everything is written through the services."""

import json
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func
from sqlmodel import select

from bulletin import bulk_import, importer
from bulletin.db import get_engine
from bulletin.import_checks import check_text
from bulletin.models import AuditEntry, Organisation, Posting, SearchQueueEntry
from bulletin.search import get_search, sync
from bulletin.search.query import search_postings
from bulletin.services import listing_revision, organisations, postings
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData

COORDINATOR = SystemActor("coordinator-in-test")

ORGANISATION = {
    "kind": "organisation",
    "key": "tafel",
    "name": "Neustettener Tafel",
    "type": "ngo",
    "description": {"de": "Lebensmittel für alle, die sie brauchen.", "ar": "طعام لكل من يحتاجه."},
    "email": "tafel@example.org",
    "phone": "+49 7000 161803",
    "website": "https://tafel.example.org",
    "address": "Bahnhofstraße 41, Neustetten",
    "district": "Bahnhofsviertel",
    "languages": ["de", "ar"],
    "verified": True,
}
POSTING = {
    "kind": "posting",
    "key": "tafel-ausgabe",
    "organisation": "tafel",
    "type": "offer",
    "category": "food",
    "title": {"de": "Lebensmittelausgabe dienstags", "ar": "توزيع الطعام أيام الثلاثاء"},
    "body": {"de": "Ab 14 Uhr in der Bahnhofstraße 41."},
    "district": "Bahnhofsviertel",
    "valid_until": "2027-12-31",
}


def jsonl(*lines) -> str:
    """A file: dicts become JSON lines, strings are written as they are (blank or broken lines)."""
    return "".join((json.dumps(line, ensure_ascii=False) if isinstance(line, dict) else line) + "\n"
                   for line in lines)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def english(error: importer.LineError) -> str:
    with force_locale("en"):
        return str(error.describe())


def run(db, text, **options) -> importer.ImportResult:
    result = importer.import_text(db, text, **options)
    if result.saved:
        db.commit()
    return result


def test_a_valid_file_creates_organisations_and_postings_with_every_field(db):
    result = run(db, jsonl(ORGANISATION, POSTING))

    assert not result.errors and result.saved
    assert result.counts == {
        "organisation": {"created": 1, "updated": 0, "unchanged": 0},
        "posting": {"created": 1, "updated": 0, "unchanged": 0},
    }
    organisation = organisations.get_by_key(db, "tafel")
    assert (organisation.name, organisation.type, organisation.email) == (
        "Neustettener Tafel", "ngo", "tafel@example.org"
    )
    assert organisation.languages == ["de", "ar"] and organisation.district == "Bahnhofsviertel"
    assert organisation.status == "approved" and organisation.verified  # verified: public at once
    assert organisation.description("ar").description == "طعام لكل من يحتاجه."
    assert organisation.description("de").is_original
    posting = postings.get_by_key(db, "tafel-ausgabe")
    assert posting.organisation_id == organisation.id
    assert (posting.type, posting.category, posting.status) == ("offer", "food", "open")
    assert posting.valid_until == date(2027, 12, 31)
    assert posting.original_language == "de"  # the first title's language
    assert posting.text("ar").title == "توزيع الطعام أيام الثلاثاء"
    assert posting.text("de").body == "Ab 14 Uhr in der Bahnhofstraße 41."


def test_every_write_goes_through_the_services_and_is_audited_as_the_import(db):
    run(db, jsonl(ORGANISATION, POSTING))
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in entries] == ["organisation.create", "posting.create"]
    assert {entry.actor for entry in entries} == {"import"}
    assert entries[1].object_key == "tafel-ausgabe"


def test_an_unverified_organisation_waits_for_the_coordinator(db):
    run(db, jsonl({**ORGANISATION, "verified": False}))
    assert organisations.get_by_key(db, "tafel").status == "pending"


def test_the_status_extension_field_sets_the_status(db):
    run(db, jsonl({**ORGANISATION, "verified": False, "status": "approved"},
                  {**ORGANISATION, "key": "gesperrt", "status": "suspended"}))
    assert organisations.get_by_key(db, "tafel").status == "approved"
    assert organisations.get_by_key(db, "gesperrt").status == "suspended"
    assert organisations.get_by_key(db, "gesperrt").verified


def test_reimporting_without_status_keeps_the_coordinators_decision(db):
    run(db, jsonl(ORGANISATION))
    organisation = organisations.get_by_key(db, "tafel")
    organisations.set_status(db, COORDINATOR, organisation, status="suspended")
    db.commit()

    result = run(db, jsonl(ORGANISATION))

    assert result.count("organisation", "unchanged") == 1
    assert organisations.get_by_key(db, "tafel").status == "suspended"


def test_importing_the_same_file_twice_changes_nothing(db):
    text = jsonl(ORGANISATION, POSTING, {**POSTING, "key": "zweite", "title": {"en": "Second"}, "body": {}})
    run(db, text)
    audit_entries = count(db, AuditEntry)

    second = run(db, text)

    assert second.counts == {
        "organisation": {"created": 0, "updated": 0, "unchanged": 1},
        "posting": {"created": 0, "updated": 0, "unchanged": 2},
    }
    assert count(db, AuditEntry) == audit_entries
    assert count(db, Posting) == 2


def test_a_changed_line_updates_the_record_and_writes_an_audit_entry(db):
    run(db, jsonl(ORGANISATION, POSTING))
    changed = {**POSTING, "title": {"de": "Lebensmittelausgabe freitags"}, "valid_until": None,
               "status": "closed"}

    result = run(db, jsonl({**ORGANISATION, "phone": "+49 7000 999"}, changed))

    assert result.count("organisation", "updated") == 1 and result.count("posting", "updated") == 1
    posting = postings.get_by_key(db, "tafel-ausgabe")
    assert posting.text("de").title == "Lebensmittelausgabe freitags"
    assert [text.language for text in posting.texts] == ["de"]  # the Arabic title is gone with the file's
    assert posting.valid_until is None and posting.status == "closed"
    assert organisations.get_by_key(db, "tafel").phone == "+49 7000 999"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.update")).one()
    assert entry.actor == "import"
    assert entry.changes["valid_until"] == {"before": "2027-12-31", "after": None}
    assert entry.changes["status"] == {"before": "open", "after": "closed"}
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.update")).one()


def test_a_posting_can_name_an_organisation_imported_earlier(db):
    run(db, jsonl(ORGANISATION))
    result = run(db, jsonl(POSTING))
    assert result.count("posting", "created") == 1


def test_a_posting_moves_to_the_organisation_the_file_names(db):
    run(db, jsonl(ORGANISATION, {**ORGANISATION, "key": "andere", "name": "Andere"}, POSTING))
    result = run(db, jsonl({**POSTING, "organisation": "andere"}))
    assert result.count("posting", "updated") == 1
    assert postings.get_by_key(db, "tafel-ausgabe").organisation.key == "andere"


def test_blank_lines_windows_line_ends_and_nulls_are_fine(db):
    text = "\n  \n" + jsonl(ORGANISATION).replace("\n", "\r\n") + "\n" + jsonl(
        {**POSTING, "body": None, "district": None, "valid_until": None, "status": None}
    )
    result = run(db, text)
    assert not result.errors and result.total("created") == 2
    posting = postings.get_by_key(db, "tafel-ausgabe")
    assert posting.district is None and posting.status == "open"


def test_defaults_of_the_format(db):
    run(db, jsonl({"kind": "organisation", "key": "klein", "name": "Kleine Initiative"},
                  {"kind": "posting", "key": "p", "organisation": "klein", "type": "request",
                   "category": "other", "title": {"uk": "Допомога"}}))
    organisation = organisations.get_by_key(db, "klein")
    assert (organisation.type, organisation.status, organisation.verified) == ("other", "pending", False)
    posting = postings.get_by_key(db, "p")
    assert posting.original_language == "uk" and posting.status == "open" and posting.valid_until is None


def test_original_language_other_than_the_first_title(db):
    run(db, jsonl(ORGANISATION, {**POSTING, "title": {"de": "Essen", "ar": "طعام"}, "body": {},
                                 "original_language": "ar"}))
    posting = postings.get_by_key(db, "tafel-ausgabe")
    assert posting.original_language == "ar" and posting.languages == ["ar", "de"]


LONG = "x" * 101
BROKEN = {**POSTING, "key": "kaputt"}  # a second posting, to break in each case

BAD_LINES = [
    ('{"kind": "posting", "key": ', "not valid JSON"),
    ("[1, 2, 3]", "must be one JSON object"),
    ('"just a text"', "must be one JSON object"),
    ({**BROKEN, "kind": None, "key": "k1"}, "kind is missing"),
    ({key: value for key, value in BROKEN.items() if key != "kind"}, "kind is missing"),
    ({**BROKEN, "kind": "person"}, "Unknown kind \"person\""),
    ({key: value for key, value in BROKEN.items() if key != "key"}, "key is missing"),
    ({**BROKEN, "key": ""}, "key must be a non-empty text"),
    ({**BROKEN, "key": 17}, "key must be a non-empty text"),
    ({**BROKEN, "key": LONG}, "key may have at most 100 characters"),
    ('{"kind": "posting", "kind": "posting", "key": "x"}', "field kind appears twice"),
    ({**BROKEN, "colour": "blue", "size": 3}, "Unknown fields: colour, size"),
    ({**ORGANISATION, "key": "neu", "category": "food"}, "Unknown fields: category"),
    ({**BROKEN, "category": "weapons"}, "category: Unknown category."),
    ({**BROKEN, "type": "gift"}, "type: Choose offer or request."),
    ({**BROKEN, "status": "deleted"}, "status: The status must be open or closed."),
    ({**BROKEN, "title": {"xx": "Titel"}}, "Unknown language: xx"),
    ({**BROKEN, "original_language": "klingon"}, "original_language: Unknown language."),
    ({**BROKEN, "original_language": "en"}, "title: A title in the original language is required."),
    ({key: value for key, value in BROKEN.items() if key != "title"}, "field title is required"),
    ({**BROKEN, "title": {}}, "title needs at least one language"),
    ({**BROKEN, "title": {"de": "   "}}, "title: A title is required."),
    ({**BROKEN, "title": "Lebensmittel"}, "title must be an object of language codes and texts"),
    ({**BROKEN, "title": {"de": 5}}, "title must be an object of language codes and texts"),
    ({**BROKEN, "title": {"de": "x" * 201}}, "title: The title may have at most 200 characters."),
    ({**BROKEN, "body": {"de": "x" * 5001}}, "body: The description may have at most 5000 characters."),
    ({**BROKEN, "body": {"en": "Tuesdays"}}, "body: Every description needs a title in the same language."),
    ({**BROKEN, "type": None}, "field type is required"),
    ({**BROKEN, "category": ["food"]}, "field category must be a text"),
    ({**BROKEN, "organisation": None}, "field organisation is required"),
    ({**BROKEN, "organisation": "nirgendwo"}, "Unknown organisation nirgendwo"),
    ({**BROKEN, "valid_until": "2027-02-30"}, "valid_until must be a date written YYYY-MM-DD"),
    ({**BROKEN, "valid_until": "31.12.2027"}, "valid_until must be a date written YYYY-MM-DD"),
    ({**BROKEN, "valid_until": "20271231"}, "valid_until must be a date written YYYY-MM-DD"),
    ({**BROKEN, "valid_until": 2027}, "valid_until must be a date written YYYY-MM-DD"),
    ({**BROKEN, "district": "d" * 101}, "district: The district may have at most 100 characters."),
    ({**POSTING}, "appears more than once in this file (first on line 2)"),
    ({**ORGANISATION, "name": None}, "field name is required"),
    ({**ORGANISATION, "key": "neu", "name": "  "}, "name: A name is required."),
    ({**ORGANISATION, "key": "neu", "name": "n" * 201}, "name: The name may have at most 200 characters."),
    ({**ORGANISATION, "key": "neu", "type": "company"}, "type: Unknown type of organisation."),
    ({**ORGANISATION, "key": "neu", "status": "deleted"},
     "status: Unknown status: write one of pending, approved, suspended."),
    ({**ORGANISATION, "key": "neu", "verified": "yes"}, "field verified must be true or false"),
    ({**ORGANISATION, "key": "neu", "languages": "de"}, "field languages must be a list of language codes"),
    ({**ORGANISATION, "key": "neu", "languages": ["de", "xx"]}, "languages: Unknown language: xx"),
    ({**ORGANISATION, "key": "neu", "description": {"zz": "Text"}}, "description: Unknown language: zz"),
    ({**ORGANISATION, "key": "neu", "description": {"de": "d" * 5001}},
     "description: The description may have at most 5000 characters."),
    ({**ORGANISATION, "key": "neu", "email": "not-an-address"}, "email: This is not an email address."),
    ({**ORGANISATION, "key": "neu", "website": "tafel.example.org"}, "website: A web address starts with"),
    ({**ORGANISATION, "key": "neu", "phone": "call me"}, "phone: A phone number has digits"),
    ({**ORGANISATION, "key": "neu", "address": "a" * 301}, "address: At most 300 characters."),
]


@pytest.mark.parametrize(("bad_line", "expected"), BAD_LINES)
def test_a_file_with_a_bad_line_imports_nothing_and_names_the_line(db, bad_line, expected):
    # Line 3 is blank: line numbers count physical lines, the bad one is line 4.
    text = jsonl(ORGANISATION, POSTING, "", bad_line)

    result = run(db, text)

    assert result.refused and not result.saved
    assert result.invalid_lines == [4]
    messages = [english(error) for error in result.errors]
    assert any(expected in message for message in messages), messages
    assert all(message.startswith("line 4") for message in messages)
    assert count(db, Organisation) == 0 and count(db, Posting) == 0 and count(db, AuditEntry) == 0


def test_an_error_names_the_key_of_its_line(db):
    result = run(db, jsonl(ORGANISATION, {**POSTING, "category": "weapons"}))
    (error,) = result.errors
    assert (error.line, error.key) == (2, "tafel-ausgabe")
    assert english(error) == "line 2 (tafel-ausgabe): category: Unknown category."


def test_every_bad_line_is_reported_not_only_the_first(db):
    text = jsonl(ORGANISATION, "{oops", {**POSTING, "category": "weapons"},
                 {**POSTING, "key": "b", "type": "?"})
    result = run(db, text)
    assert result.invalid_lines == [2, 3, 4]
    assert [error.key for error in result.errors] == [None, "tafel-ausgabe", "b"]
    assert count(db, Organisation) == 0


def test_every_missing_required_field_is_named(db):
    result = run(db, jsonl({"kind": "posting", "key": "leer"}))
    messages = [english(error) for error in result.errors]
    assert messages == [f"line 1 (leer): The field {name} is required."
                        for name in ("organisation", "type", "category", "title")]


def test_an_organisation_after_its_postings_is_refused(db):
    result = run(db, jsonl(POSTING, ORGANISATION))
    (error,) = result.errors
    assert error.line == 1
    assert "comes later in the file (line 2)" in english(error)
    assert count(db, Organisation) == 0


def test_a_posting_of_an_invalid_organisation_line_is_invalid_too(db):
    result = run(db, jsonl({**ORGANISATION, "type": "company"}, POSTING))
    assert result.invalid_lines == [1, 2]
    assert "line 1, which has errors" in english(result.errors[-1])


def test_duplicate_keys_count_per_kind(db):
    # An organisation and a posting may share a key: keys are unique within their kind.
    result = run(db, jsonl(ORGANISATION, {**POSTING, "key": "tafel"}))
    assert not result.errors and result.total("created") == 2


def test_skip_invalid_imports_the_valid_lines_and_reports_the_others(db):
    text = jsonl(
        ORGANISATION,
        {**ORGANISATION, "key": "kaputt", "email": "nope"},
        POSTING,
        {**POSTING, "key": "waise", "organisation": "kaputt"},
        "not json",
        {**POSTING, "key": "zweite", "title": {"de": "Brot am Freitag"}},
    )

    result = run(db, text, skip_invalid=True)

    assert result.saved and not result.refused
    assert result.invalid_lines == [2, 4, 5]
    assert result.counts["organisation"]["created"] == 1 and result.counts["posting"]["created"] == 2
    assert {posting.key for posting in db.exec(select(Posting))} == {"tafel-ausgabe", "zweite"}
    assert organisations.get_by_key(db, "kaputt") is None


def refuse_while_writing(*_args, **_kwargs):
    raise InvalidData({"title": "refused while writing"})


def test_a_rule_only_the_write_finds_still_leaves_nothing_half_written(db, monkeypatch):
    monkeypatch.setattr(postings, "new_posting", refuse_while_writing)

    result = run(db, jsonl(ORGANISATION, POSTING))

    assert result.refused and result.invalid_lines == [2]
    assert english(result.errors[0]) == "line 2 (tafel-ausgabe): refused while writing"
    db.commit()
    assert count(db, Organisation) == 0 and count(db, AuditEntry) == 0


def test_a_rule_only_the_update_finds_leaves_the_board_as_it_was(db, monkeypatch):
    run(db, jsonl(ORGANISATION, POSTING))
    audit_entries = count(db, AuditEntry)
    monkeypatch.setattr(postings, "upsert_loaded", refuse_while_writing)

    result = run(db, jsonl({**ORGANISATION, "phone": "+49 7000 999"}, {**POSTING, "category": "other"},
                           {**POSTING, "key": "neu"}))

    assert result.refused and result.invalid_lines == [2]
    db.commit()
    assert organisations.get_by_key(db, "tafel").phone == "+49 7000 161803"
    assert postings.get_by_key(db, "tafel-ausgabe").category == "food"
    assert postings.get_by_key(db, "neu") is None and count(db, AuditEntry) == audit_entries


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(db):
    result = run(db, jsonl(ORGANISATION, POSTING), dry_run=True)

    assert result.count("organisation", "created") == 1 and result.count("posting", "created") == 1
    assert not result.saved
    db.commit()  # even a commit afterwards finds nothing to write
    assert count(db, Organisation) == 0 and count(db, Posting) == 0 and count(db, AuditEntry) == 0


def test_a_dry_run_over_existing_data_counts_updates_but_keeps_the_data(db):
    run(db, jsonl(ORGANISATION, POSTING))
    audit_entries = count(db, AuditEntry)

    result = run(db, jsonl(ORGANISATION, {**POSTING, "category": "other"}), dry_run=True)

    assert result.count("posting", "updated") == 1 and result.count("organisation", "unchanged") == 1
    db.commit()
    assert postings.get_by_key(db, "tafel-ausgabe").category == "food"
    assert count(db, AuditEntry) == audit_entries


def test_a_dry_run_of_a_bad_file_reports_the_errors(db):
    result = run(db, jsonl(ORGANISATION, "{"), dry_run=True)
    assert result.refused and result.invalid_lines == [2]
    assert result.total("created") == 0


def test_line_errors_are_lazy_translatable_strings(db):
    result = run(db, jsonl({**POSTING, "organisation": "x"}))
    (error,) = result.errors
    assert not isinstance(error.message, str)  # rendered in the reader's language when shown
    assert "Unknown organisation x" in english(error)


# Text no field may hold (bulletin.services.text_rules) -----------------------------------------------------

# Each bad value with what the message names; several-line texts (description, body) may break lines.
BAD_ONE_LINE = {"Ta\x00fel": "(U+0000)", "Ta\r\nfel": "Line breaks are not allowed",
                "\u202eTafel": "(U+202E)", "Ta\u200bfel": "(U+200B)",
                "Ta\ud800fel": "not a valid character (U+D800)"}
BAD_SEVERAL_LINES = {**{value: reason for value, reason in BAD_ONE_LINE.items() if "\n" not in value},
                     "Ta\x1bfel": "(U+001B)"}
ORGANISATION_TEXTS = {"key": False, "name": False, "email": False, "phone": False, "website": False,
                      "address": False, "district": False, "description": True}
POSTING_TEXTS = {"key": False, "organisation": False, "title": False, "district": False, "body": True}


def with_bad_text(record: dict, number: int, field: str, value: str) -> dict:
    """``record`` under a key of its own, with ``value`` in ``field`` (inside the texts by language)."""
    if field in ("title", "body", "description"):
        value = {"de": value}
    return {**record, "key": f"k{number}", field: value}


def test_every_text_field_refuses_control_invisible_and_unencodable_characters(db):
    lines, expected = [ORGANISATION], {}
    for record, fields in ((ORGANISATION, ORGANISATION_TEXTS), (POSTING, POSTING_TEXTS)):
        for field, multiline in fields.items():
            for value, reason in (BAD_SEVERAL_LINES if multiline else BAD_ONE_LINE).items():
                lines.append(with_bad_text(record, len(lines) + 1, field, value))
                expected[len(lines)] = (field, reason)

    result = run(db, jsonl(*lines))

    assert result.refused and result.invalid_lines == sorted(expected)
    for error in result.errors:
        field, reason = expected[error.line]
        message = english(error)
        assert f"{field}: " in message and reason in message, message
    assert len(result.errors) == len(expected)  # one message per line: the field and what is wrong
    assert count(db, Organisation) == 0 and count(db, AuditEntry) == 0


def test_messages_show_what_is_invisible_in_the_values_they_quote(db):
    result = run(db, jsonl({**ORGANISATION, "kind": "org\u202eanisation"}, {**ORGANISATION, "\u202eà": 1}))

    messages = [english(error) for error in result.errors]
    assert any("org\\u202eanisation" in message for message in messages), messages
    assert any("Unknown fields: \\u202eà" in message for message in messages), messages


def test_several_lines_tabs_and_persian_spelling_are_imported(db):
    body = "Dienstags:\tab 14 Uhr\r\nمی\u200cتوانید بیایید"
    result = run(db, jsonl(ORGANISATION, {**POSTING, "body": {"de": body}}))

    assert result.saved
    assert postings.get_by_key(db, "tafel-ausgabe").text("de").body == body


# New postings go in many at a time (bulletin/bulk_import.py): the same rows as one at a time ---------------

MIXED = {**POSTING, "key": "gemischt", "title": {"de": " Essen für alle ", "ar": "طعام", "en": "  "},
         "body": {"ar": " كل يوم "}, "district": "  Altstadt ", "original_language": "ar", "status": "closed"}
PLAIN = {**POSTING, "key": "schlicht", "title": {"uk": "Допомога"}, "body": {}, "district": None,
         "valid_until": None}


def posting_rows(db, key: str) -> tuple:
    posting = postings.get_by_key(db, key)
    columns = ("type", "category", "district", "valid_until", "status", "moderation", "moderation_reason",
               "original_language", "view_count")
    texts = [(text.language, text.title, text.body, text.source_language, text.outdated)
             for text in posting.texts]
    return tuple(getattr(posting, name) for name in columns), texts


def test_a_new_posting_gets_the_rows_and_audit_entry_create_posting_writes(db):
    run(db, jsonl(ORGANISATION))
    records, _errors = check_text(db, jsonl(MIXED, PLAIN))
    tafel = organisations.get_by_key(db, "tafel")
    for record in records:  # one at a time, through the service, under keys of their own
        postings.create_posting(db, importer.IMPORT_ACTOR, tafel, record.data, key=f"service-{record.key}")
    db.commit()

    result = run(db, jsonl(MIXED, PLAIN))

    assert result.counts["posting"] == {"created": 2, "updated": 0, "unchanged": 0}
    for key in ("gemischt", "schlicht"):
        assert posting_rows(db, key) == posting_rows(db, f"service-{key}")
        service, imported = (
            db.exec(select(AuditEntry).where(AuditEntry.object_key == name)).one()
            for name in (f"service-{key}", key)
        )
        assert (imported.actor, imported.actor_id, imported.action, imported.object_type) == (
            service.actor, service.actor_id, service.action, service.object_type)
        assert imported.changes == service.changes
        assert imported.object_id == postings.get_by_key(db, key).id
    assert posting_rows(db, "gemischt")[1] == [("de", "Essen für alle", "", "ar", False),
                                               ("ar", "طعام", "كل يوم", "ar", False)]


def queued_postings(db) -> list[int]:
    return sorted(db.exec(select(SearchQueueEntry.posting_id).where(SearchQueueEntry.done.is_(False))))


def test_every_new_or_changed_posting_is_queued_for_the_index_in_the_same_transaction(db):
    importer.import_text(db, jsonl(ORGANISATION, POSTING, MIXED))
    created = sorted(posting.id for posting in db.exec(select(Posting)))
    assert queued_postings(db) == created  # before the commit: in the import's own transaction
    db.rollback()
    assert count(db, Posting) == 0 and queued_postings(db) == []

    run(db, jsonl(ORGANISATION, POSTING, MIXED))
    db.exec(delete(SearchQueueEntry))
    db.commit()
    importer.import_text(db, jsonl(ORGANISATION, {**POSTING, "category": "other"}, MIXED, PLAIN))
    changed = [postings.get_by_key(db, key).id for key in ("tafel-ausgabe", "schlicht")]
    assert queued_postings(db) == sorted(changed)


def test_a_second_import_queues_nothing_and_leaves_the_listing_revision(db):
    text = jsonl(ORGANISATION, POSTING, MIXED)
    before = listing_revision.current(db).number
    run(db, text)
    after_first = listing_revision.current(db).number
    db.exec(delete(SearchQueueEntry))
    db.commit()

    second = run(db, text)

    assert after_first > before
    assert second.total("created") == second.total("updated") == 0
    assert listing_revision.current(db).number == after_first and queued_postings(db) == []


def test_new_postings_alone_move_the_listing_revision_and_a_dry_run_does_not(db):
    run(db, jsonl(ORGANISATION))
    before = listing_revision.current(db).number
    run(db, jsonl(POSTING), dry_run=True)
    assert listing_revision.current(db).number == before

    run(db, jsonl(POSTING))  # plain INSERTs only, which the ORM's watch does not see

    assert listing_revision.current(db).number > before


def test_chunks_mix_new_and_existing_postings_and_count_each(db, monkeypatch):
    monkeypatch.setattr(bulk_import, "CHUNK", 2)
    monkeypatch.setattr(bulk_import, "FLUSH_EVERY", 1)
    keys = [f"p{number}" for number in range(7)]
    run(db, jsonl(ORGANISATION, *({**POSTING, "key": key} for key in keys[::2])))
    audit_entries = count(db, AuditEntry)

    lines = [{**POSTING, "key": key, "category": "other" if key == "p2" else "food"} for key in keys]

    result = run(db, jsonl(ORGANISATION, *lines))

    assert result.counts["posting"] == {"created": 3, "updated": 1, "unchanged": 3}
    assert sorted(posting.key for posting in db.exec(select(Posting))) == keys
    assert count(db, AuditEntry) == audit_entries + 4  # three created, one updated
    assert postings.get_by_key(db, "p2").category == "other"


def test_a_posting_the_caller_holds_stays_usable_after_an_import_updates_it(db):
    run(db, jsonl(ORGANISATION, POSTING))
    held = postings.get_by_key(db, "tafel-ausgabe")

    run(db, jsonl(ORGANISATION, {**POSTING, "category": "other"}))

    assert held.category == "other" and held.text("de").title == "Lebensmittelausgabe dienstags"


def test_search_finds_imported_postings_once_the_worker_has_written_the_queue(app, db, tmp_path, monkeypatch):
    sync.ensure_index(get_search(), get_engine())  # a running board has an index
    monkeypatch.setattr(sync, "REQUEST_MAX_POSTINGS", 1)  # more than the commit writes itself
    path = tmp_path / "board.jsonl"
    second = {**POSTING, "key": "zweite", "title": {"de": "Lebensmittel"}}
    path.write_text(jsonl(ORGANISATION, POSTING, second), encoding="utf-8")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["import-data", str(path), "--leave-index-to-worker"])

    assert result.exit_code == 0, result.output
    assert "2 changes are queued for the search index: the search worker writes them." in result.stderr
    assert "queued changes written to the search index" not in result.stderr
    assert sync.pending_count(get_engine()) == 2
    assert search_postings(get_search(), "Lebensmittel", reader_language="de").total == 0
    assert runner.invoke(args=["search-worker", "--once"]).exit_code == 0
    assert search_postings(get_search(), "Lebensmittel", reader_language="de").total == 2
    assert sync.pending_count(get_engine()) == 0
