"""Every interface string is in every catalogue, translated, and the catalogues are compiled from them."""

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def read_catalogue(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code and templates use right now, extracted as `make translations` does."""
    target = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(target),
         str(ROOT)]
    )
    messages = {message.id for message in read_catalogue(target) if message.id}
    assert len(messages) > 100  # the whole interface, not an empty extraction
    return messages


def test_there_are_catalogues():
    assert {path.parts[-3] for path in CATALOGUES} >= {"de"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_message_is_translated(path):
    catalogue = read_catalogue(path)
    untranslated = [
        message.id for message in catalogue
        if message.id and (not all(message.string) if message.pluralizable else not message.string)
    ]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert untranslated == [], f"{len(untranslated)} untranslated in {path.parts[-3]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {path.parts[-3]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_no_message_of_the_code_is_missing(path, extracted):
    catalogue_ids = {message.id for message in read_catalogue(path) if message.id}
    missing = sorted(str(message) for message in extracted - catalogue_ids)
    assert missing == [], "run `make translations` and translate: " + "; ".join(missing[:10])


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_placeholders_survive_translation(path):
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in read_catalogue(path):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(ids[-1])) | set(placeholder.findall(ids[0]))
        for string in strings:
            found = set(placeholder.findall(string))
            # A singular translation may spell out "one" instead of %(num)d; it may never invent one.
            assert found <= wanted, (message.id, string)
            if not message.pluralizable:
                assert found == wanted, (message.id, string)
