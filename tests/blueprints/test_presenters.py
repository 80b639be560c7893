"""What the public pages make of contact details and long texts, before any template sees them."""

import pytest

from bulletin.blueprints import presenters


@pytest.mark.parametrize(
    ("phone", "link"),
    [
        ("+49 7141 12345", "tel:+49714112345"),
        ("07141 / 123-45", "tel:0714112345"),
        ("+49 (0)7141 12.34.5", "tel:+490714112345"),
        ("", None),
        (None, None),
        ("()", None),
    ],
)
def test_phone_numbers_become_tap_to_call_links_of_digits(phone, link):
    assert presenters.phone_href(phone) == link


def test_email_links_cannot_smuggle_in_mail_headers():
    assert presenters.email_href("info@example.org") == "mailto:info@example.org"
    assert presenters.email_href("a?bcc=x@example.org") == "mailto:a%3Fbcc%3Dx@example.org"
    assert presenters.email_href(None) is None


@pytest.mark.parametrize(
    ("website", "link", "label"),
    [
        ("https://www.example.org/", "https://www.example.org/", "example.org"),
        ("http://verein.example/seite", "http://verein.example/seite", "verein.example/seite"),
        ("javascript:alert(1)", None, None),
        ("data:text/html,hi", None, None),
        (None, None, None),
    ],
)
def test_only_web_addresses_become_links(website, link, label):
    assert presenters.website_link(website) == (link, label)


def test_snippets_keep_whole_words_on_one_line():
    assert presenters.snippet("Kurz.\nZweite Zeile") == "Kurz. Zweite Zeile"
    long = "Wort " * 60
    cut = presenters.snippet(long)
    assert len(cut) <= presenters.SNIPPET_LENGTH + 1 and cut.endswith("Wort…")


def test_language_names_are_in_the_reader_language_or_native():
    assert presenters.language_name("de", "en") == "German"
    assert presenters.language_name("de", "ar") == "الألمانية"
    assert presenters.language_name("ti", "xx-unknown") == "ትግርኛ"
