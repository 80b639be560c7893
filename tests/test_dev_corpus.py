"""The shared development corpus (a fictional town's board) through import, listing and export.

The corpus lives next to the repository, in ../shared/data/dev/corpus.jsonl; BULLETIN_DEV_DATA may name
another file, or the folder that holds corpus.jsonl. Without it these tests are skipped.
"""

import json
import os
import re
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from bulletin import create_app, exporter, importer
from bulletin.db import get_engine, get_session
from bulletin.models import AuditEntry, Organisation, Posting
from bulletin.services.errors import Gone
from bulletin.services.listing import PostingFilter, list_postings, public_posting
from bulletin.taxonomy import CATEGORY_SLUGS

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORRUPTED_LINE = 57
POSTING_LINK = re.compile(r'href="/en/postings/(\d+)"')


def corpus_path() -> str:
    path = os.environ.get("BULLETIN_DEV_DATA") or os.path.join(REPOSITORY, "..", "shared", "data", "dev")
    return os.path.join(path, "corpus.jsonl") if os.path.isdir(path) else path


CORPUS = corpus_path()
pytestmark = pytest.mark.skipif(
    not os.path.isfile(CORPUS),
    reason=f"the development corpus is not at {CORPUS} (set BULLETIN_DEV_DATA to its file or folder)",
)


@pytest.fixture(scope="module")
def corpus_text() -> str:
    with open(CORPUS, encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def corpus(corpus_text) -> list[dict]:
    return [json.loads(line) for line in corpus_text.split("\n") if line.strip()]


@pytest.fixture
def imported(db, corpus_text):
    result = importer.import_text(db, corpus_text)
    db.commit()
    return result


@pytest.fixture
def empty_board(app_config, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty-board.sqlite'}"
    board = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url,
                        "INSTANCE_PATH": str(tmp_path / "empty-board-instance")})
    SQLModel.metadata.create_all(get_engine(board))
    yield board
    get_engine(board).dispose()


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def of_kind(records, kind):
    return [record for record in records if record["kind"] == kind]


def organisation_status(record: dict) -> str:
    """The format's rule, written out again: an explicit status, else verified means approved."""
    return record.get("status") or ("approved" if record.get("verified") else "pending")


def expected_listed(records, today: date) -> set[str]:
    status_of = {record["key"]: organisation_status(record) for record in of_kind(records, "organisation")}
    return {
        record["key"]
        for record in of_kind(records, "posting")
        if (record.get("status") or "open") == "open"
        and (record.get("valid_until") is None or date.fromisoformat(record["valid_until"]) >= today)
        and status_of[record["organisation"]] == "approved"
    }


def test_the_corpus_imports_without_errors(imported, corpus):
    assert imported.errors == []
    assert imported.count("organisation", "created") == len(of_kind(corpus, "organisation"))
    assert imported.count("posting", "created") == len(of_kind(corpus, "posting"))


def test_exactly_the_open_unexpired_postings_are_listed(db, imported, corpus, today):
    expected = expected_listed(corpus, today)

    page = list_postings(db, today, PostingFilter(), page=1, per_page=1000)

    assert page.total == len(expected)
    assert {posting.key for posting in page.items} == expected
    all_keys = {record["key"] for record in of_kind(corpus, "posting")}
    assert expected < all_keys  # the corpus has closed and expired look-alikes
    assert "off-kinderbett-2024" not in expected and "off-kinderbett-closed" not in expected


def keys_of_ids(db, ids) -> set[str]:
    return set(db.scalars(select(Posting.key).where(Posting.id.in_(ids))))


def test_the_pages_list_exactly_the_open_unexpired_postings(client, db, imported, corpus, today):
    """Every category page, all their pages: each listed posting once, and nothing else."""
    expected = expected_listed(corpus, today)
    listed_ids = []
    for category in CATEGORY_SLUGS:
        page_number = 1
        while True:
            response = client.get(f"/en/categories/{category}?page={page_number}")
            if response.status_code == 404 and page_number > 1:
                break
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            listed_ids += [int(found) for found in set(POSTING_LINK.findall(html))]
            if "rel=\"next\"" not in html:
                break
            page_number += 1

    assert len(listed_ids) == len(expected)
    assert keys_of_ids(db, listed_ids) == expected


def test_the_api_lists_exactly_the_open_unexpired_postings(client, imported, corpus, today):
    expected = expected_listed(corpus, today)
    keys, page_number = [], 1
    while True:
        answer = client.get(f"/api/v1/postings?per_page=100&page={page_number}").get_json()
        assert answer["total"] == len(expected)
        keys += [item["key"] for item in answer["items"]]
        if page_number * 100 >= answer["total"]:
            break
        page_number += 1

    assert len(keys) == len(expected)
    assert set(keys) == expected


def test_closed_and_expired_postings_are_gone_for_visitors(db, imported, corpus, today):
    hidden = {record["key"] for record in of_kind(corpus, "posting")} - expected_listed(corpus, today)
    assert hidden
    for posting in db.exec(select(Posting).where(Posting.key.in_(hidden))):
        with pytest.raises(Gone):
            public_posting(db, posting.id, today)


def test_importing_the_corpus_again_changes_nothing(db, imported, corpus_text, corpus):
    organisations, postings, entries = count(db, Organisation), count(db, Posting), count(db, AuditEntry)

    again = importer.import_text(db, corpus_text)
    db.commit()

    assert again.errors == []
    assert again.total("created") == 0 and again.total("updated") == 0
    assert again.total("unchanged") == len(corpus)
    assert (count(db, Organisation), count(db, Posting)) == (organisations, postings)
    assert count(db, AuditEntry) == entries


def corrupted(corpus_text: str) -> str:
    lines = corpus_text.split("\n")
    lines[CORRUPTED_LINE - 1] = '{"kind": "posting", "key": "broken", '
    return "\n".join(lines)


def test_one_corrupted_line_refuses_the_whole_file_and_names_the_line(db, corpus_text):
    result = importer.import_text(db, corrupted(corpus_text))
    db.commit()

    assert result.refused
    assert result.invalid_lines == [CORRUPTED_LINE]
    assert result.errors[0].line == CORRUPTED_LINE
    assert f" {CORRUPTED_LINE}:" in str(result.errors[0].describe())
    assert count(db, Organisation) == 0 and count(db, Posting) == 0 and count(db, AuditEntry) == 0


def test_one_corrupted_line_on_the_command_line(app, db, corpus_text, tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(corrupted(corpus_text), encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["import-data", str(path)])

    assert result.exit_code == 1
    assert f"line {CORRUPTED_LINE}: This line is not valid JSON" in result.output
    assert "nothing was imported" in result.output
    assert count(db, Organisation) == 0


def normalised(record: dict) -> dict:
    """A corpus record as the board keeps it: defaults filled in, texts trimmed, empty texts dropped."""

    def texts(values):
        return {code: text.strip() for code, text in (values or {}).items() if text and text.strip()}

    def optional(name):
        value = (record.get(name) or "").strip()
        return value or None

    if record["kind"] == "organisation":
        return {
            "kind": "organisation", "key": record["key"], "name": record["name"].strip(),
            "type": record.get("type") or "other", "description": texts(record.get("description")),
            **{name: optional(name) for name in ("email", "phone", "website", "address", "district")},
            "languages": list(dict.fromkeys(record.get("languages") or [])),
            "verified": bool(record.get("verified")), "status": organisation_status(record),
        }
    return {
        "kind": "posting", "key": record["key"], "organisation": record["organisation"],
        "type": record["type"], "category": record["category"], "title": texts(record["title"]),
        "body": texts(record.get("body")),
        "original_language": record.get("original_language") or next(iter(record["title"])),
        "district": optional("district"), "valid_until": record.get("valid_until"),
        "status": record.get("status") or "open",
    }


def test_export_and_import_into_an_empty_board_round_trips_every_field(db, imported, corpus, empty_board):
    first = exporter.export_text(db)

    with empty_board.app_context():
        session = get_session()
        result = importer.import_text(session, first)
        session.commit()
        second = exporter.export_text(session)

    assert result.errors == [] and result.total("created") == len(corpus)
    assert second == first
    exported = {(record["kind"], record["key"]): record for record in map(json.loads, first.splitlines())}
    assert len(exported) == len(corpus)
    for record in corpus:
        assert exported[(record["kind"], record["key"])] == normalised(record), record["key"]
