"""The rule for typed text, and every service that takes text from people applying it (the import and the
command line reach the services without a form)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from bulletin.services import (
    accounts,
    moderation,
    organisations,
    postings,
    reports,
    staff,
    text_rules,
    translations,
)
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData

ACTOR = SystemActor("test")

REFUSED_EVERYWHERE = ["a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\x9fb", "\u202eevil", "a\u202ab", "a\u202cb",
                      "a\u2066b", "a\u2068b", "a\u2069b", "a\u206ab", "a\u200bb", "a\u2060b", "\ufeffa",
                      "a\u180eb", "a\ufff9b", "a\ud800b", "a\udcffb", "a\uffffb"]
LINE_BREAKS = ["a\nb", "a\rb", "a\r\nb", "a\u2028b", "a\u2029b"]
WELCOME_EVERYWHERE = [
    "", "Neustettener Tafel", "Café Müller & Söhne – „Kleiderstube“", "العربية", "ትግርኛ", "Дитячий одяг",
    "می\u200cخواهم",  # ZERO WIDTH NON-JOINER: Persian spelling
    "👩\u200d👧 Familien", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "کمک \u200f(رایگان)", "\u200eHTML5\u200e", "\u061cعربي", "soft\u00adhyphen", "\ufffd",
]


@pytest.mark.parametrize("value", [*REFUSED_EVERYWHERE, *LINE_BREAKS, "a\tb", "a\x0bb", "a\x0cb"])
def test_one_line_refuses_control_invisible_and_unencodable_characters(value):
    assert text_rules.problem(value) is not None


@pytest.mark.parametrize("value", [*REFUSED_EVERYWHERE, "a\x0bb", "a\x0cb", "a\x00\nb"])
def test_several_lines_refuse_the_same_but_line_breaks_and_tabs(value):
    assert text_rules.problem(value, multiline=True) is not None


@pytest.mark.parametrize("value", [*WELCOME_EVERYWHERE, *LINE_BREAKS, "Erstens:\tSofa\r\nZweitens: Tisch"])
def test_several_lines_take_line_breaks_tabs_and_every_script(value):
    assert text_rules.problem(value, multiline=True) is None


@pytest.mark.parametrize("value", WELCOME_EVERYWHERE)
def test_one_line_takes_every_script_joiners_and_direction_marks(value):
    assert text_rules.problem(value) is None


def test_the_message_says_what_is_wrong(app):
    with force_locale("en"):  # outside a request the board's default language (German) would speak
        check_messages()


def check_messages():
    assert str(text_rules.problem("Evil\nCorp")) == (
        "Line breaks are not allowed here: please write this on one line."
    )
    assert "(U+202E)" in str(text_rules.problem("\u202eevil"))
    assert "invisible or control character" in str(text_rules.problem("a\x00b", multiline=True))
    assert "not a valid character (U+D800)" in str(text_rules.problem("a\ud800"))
    assert "(U+0009)" in str(text_rules.problem("a\tb"))  # a tab is no line break


def test_check_keeps_the_first_message_of_a_field(app):
    errors = {"name": "A name is required."}
    text_rules.check(errors, "name", "a\nb")
    text_rules.check(errors, "district", "a\u202eb")
    text_rules.check(errors, "address", "Marktplatz 1")
    assert errors["name"] == "A name is required."
    assert "U+202E" in str(errors["district"]) and "address" not in errors


def test_shown_makes_what_is_refused_visible():
    assert text_rules.shown("a\u202eb\x00c\ud800\nd\u200ce") == "a\\u202eb\\u0000c\\ud800\\u000ad\u200ce"


def test_one_line_is_what_a_mail_header_can_hold():
    assert text_rules.one_line("Evil\r\nCorp\t is  approved\u2028") == "Evil Corp is approved"
    assert text_rules.one_line("Tafel \ud800") == "Tafel \ufffd"
    assert text_rules.one_line("\u2068Kleiderstube\u2069 ist freigeschaltet") == (
        "\u2068Kleiderstube\u2069 ist freigeschaltet"  # the board's own isolates stay
    )


def test_storable_is_about_nul_bytes_and_lone_surrogates():
    assert not text_rules.storable("a\x00b") and not text_rules.storable("a\udcffb")
    assert text_rules.storable("a\nb\u202e")


# Every service that takes text -------------------------------------------------------------------------

BAD_ONE_LINE = ["Eins\x00zwei", "Eins\r\nzwei", "\u202eEins", "Eins\u200bzwei", "Eins\ud800"]
BAD_SEVERAL_LINES = ["Eins\x00zwei", "Eins\x1bzwei", "\u202eEins", "Eins\u200bzwei", "Eins\ud800"]


def organisation_input(**changes) -> organisations.OrganisationInput:
    values = {"name": "Tafel", "type": "ngo", "descriptions": {"de": "Lebensmittel."},
              "email": "a@example.org", "phone": "+49 7141 1234", "website": "https://example.org",
              "address": "Marktplatz 1", "district": "Altstadt", **changes}
    return organisations.OrganisationInput(**values)


def posting_input(**changes) -> postings.PostingInput:
    values = {"type": "offer", "category": "food", "titles": {"de": "Brot"}, "bodies": {"de": "Frisch."},
              "original_language": "de", "district": "Altstadt", **changes}
    return postings.PostingInput(**values)


def profile(field: str):
    return lambda bad: organisations.validate(organisation_input(**{field: bad}))


# The checks that need no database: (field in the error, several lines?, the call).
VALIDATORS = {
    **{f"organisation {field}": (field, False, profile(field))
       for field in ("name", "email", "phone", "website", "address", "district")},
    "organisation description": ("description", True, lambda bad: organisations.validate(
        organisation_input(descriptions={"de": bad}))),
    "posting title": ("title", False, lambda bad: postings.validate(posting_input(titles={"de": bad}))),
    "posting district": ("district", False, lambda bad: postings.validate(posting_input(district=bad))),
    "posting body": ("body", True, lambda bad: postings.validate(posting_input(bodies={"de": bad}))),
    "report": ("text", True, lambda bad: reports.validate("other", bad)),
}


def assert_refused(call, field: str, multiline: bool) -> None:
    for bad in BAD_SEVERAL_LINES if multiline else BAD_ONE_LINE:
        with pytest.raises(InvalidData) as refused:
            call(bad)
        assert str(refused.value.errors[field]) == str(text_rules.problem(bad, multiline=multiline)), bad


@pytest.mark.parametrize(("field", "multiline", "call"), VALIDATORS.values(), ids=VALIDATORS)
def test_every_validation_of_typed_text_applies_the_rule(field, multiline, call):
    assert_refused(call, field, multiline)


def test_every_service_changing_rows_with_text_applies_the_rule(db, today, make_organisation, make_posting,
                                                                make_user):
    organisation = make_organisation(name="Tafel", descriptions={"de": "Lebensmittel."})
    posting = make_posting(organisation=organisation, title="Brot")
    report = reports.report_posting(db, posting, "money", "Geld.")
    db.commit()
    pending = make_organisation(name="Wartet", status="pending")
    coordinator = make_user(role="coordinator", email="koordination@board.example")
    calls = {
        "translated title": ("title", False, lambda bad: postings.check_translation(posting, "ar", bad, "")),
        "translated body": ("body", True, lambda bad: postings.check_translation(posting, "ar", "x", bad)),
        "translated description": ("description", True, lambda bad: (
            organisations.check_description_translation(organisation, "ar", bad))),
        "volunteer translation": ("body", True, lambda bad: translations.submit(
            db, coordinator, posting, "ar", "x", bad, based_on=translations.source_digest(posting),
            review="none", today=today)),
        "account email": ("email", False, lambda bad: accounts.create_user(
            db, ACTOR, f"{bad}@example.org", "a long enough password", role="coordinator")),
        "staff email": ("email", False, lambda bad: staff.create_staff_account(
            db, coordinator, f"{bad}@example.org", "translator", ["ar"])),
        "report note": ("note", True, lambda bad: reports.close_report(db, coordinator, report, "resolved",
                                                                       bad)),
        "hide reason": ("reason", True, lambda bad: moderation.hide_posting(db, coordinator, posting, bad)),
        "suspend reason": ("reason", True, lambda bad: moderation.suspend_organisation(
            db, coordinator, organisation, bad)),
        "message": ("text", True, lambda bad: moderation.ask_for_changes(db, coordinator, organisation, bad)),
        "reject reason": ("reason", True, lambda bad: organisations.reject(db, coordinator, pending, bad)),
    }
    for name, (field, multiline, call) in calls.items():
        try:
            assert_refused(call, field, multiline)
        except AssertionError as failure:
            raise AssertionError(f"{name}: {failure}") from failure
    db.rollback()
    assert report.status == "open" and posting.moderation == "visible" and organisation.status == "approved"
    assert db.get(type(pending), pending.id) is not None
