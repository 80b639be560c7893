"""The export: the whole board in the import format, in a fixed order, so it round-trips byte for byte."""

import io
import json
from datetime import date

import pytest
from sqlmodel import SQLModel

from bulletin import create_app, exporter, importer
from bulletin.db import get_engine, get_session
from bulletin.services import organisations, postings
from bulletin.services.actors import SystemActor

COORDINATOR = SystemActor("coordinator-in-test")


@pytest.fixture
def empty_board(app_config, tmp_path):
    """A second board on its own empty SQLite database: where an export is imported again."""
    url = f"sqlite:///{tmp_path / 'empty-board.sqlite'}"
    board = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url,
                        "INSTANCE_PATH": str(tmp_path / "empty-board-instance")})
    SQLModel.metadata.create_all(get_engine(board))
    yield board
    get_engine(board).dispose()


def reimport(board, text: str) -> tuple[importer.ImportResult, str]:
    """Import ``text`` into ``board`` and export it again."""
    with board.app_context():
        session = get_session()
        result = importer.import_text(session, text)
        session.commit()
        return result, exporter.export_text(session)


@pytest.fixture
def filled_board(db, make_organisation, make_posting):
    """Organisations and postings in every state the format can carry."""
    tafel = make_organisation(
        "Neustettener Tafel", key="tafel", type="ngo", verified=True,
        descriptions={"de": "Lebensmittel für alle.", "uk": "Продукти для всіх.", "ar": "طعام للجميع."},
        languages=["de", "uk", "ar"], district="Bahnhofsviertel",
    )
    make_organisation("Wartet noch", key="pending-one", status="pending", descriptions={}, email=None,
                      phone=None, address=None, district=None, languages=[])
    suspended = make_organisation("Gesperrt", key="b-suspended", type="initiative")
    organisations.set_status(db, COORDINATOR, suspended, status="suspended")
    make_posting(tafel, {"ar": "طعام مجاني", "de": "Kostenloses Essen", "en": "Free food"}, key="p-food",
                 category="food", bodies={"ar": "كل ثلاثاء.", "de": "Jeden Dienstag."},
                 valid_until=date(2027, 12, 31))
    make_posting(tafel, "Sofa", key="p-closed", status="closed", district=None, bodies={})
    make_posting(suspended, "Fahrrad", key="a-first", type="request", category="mobility",
                 valid_until=date(2024, 1, 31))
    db.commit()


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_organisations_come_first_then_postings_each_sorted_by_key(db, filled_board):
    keys = [(record["kind"], record["key"]) for record in records(exporter.export_text(db))]
    assert keys == [
        ("organisation", "b-suspended"), ("organisation", "pending-one"), ("organisation", "tafel"),
        ("posting", "a-first"), ("posting", "p-closed"), ("posting", "p-food"),
    ]


def test_an_organisation_is_written_with_every_field(db, filled_board):
    exported = {record["key"]: record for record in records(exporter.export_text(db))}
    assert exported["tafel"] == {
        "kind": "organisation",
        "key": "tafel",
        "name": "Neustettener Tafel",
        "type": "ngo",
        "description": {"de": "Lebensmittel für alle.", "ar": "طعام للجميع.", "uk": "Продукти для всіх."},
        "email": exported["tafel"]["email"],
        "phone": "+49 7141 12345",
        "website": None,
        "address": "Marktplatz 1, Neustetten",
        "district": "Bahnhofsviertel",
        "languages": ["de", "uk", "ar"],
        "verified": True,
        "status": "approved",
    }
    assert list(exported["tafel"]["description"]) == ["de", "ar", "uk"]  # the original first
    assert exported["pending-one"]["status"] == "pending"
    assert exported["pending-one"]["description"] == {} and exported["pending-one"]["languages"] == []
    assert exported["b-suspended"]["status"] == "suspended"


def test_a_posting_is_written_with_every_field(db, filled_board):
    exported = {record["key"]: record for record in records(exporter.export_text(db))}
    assert exported["p-food"] == {
        "kind": "posting",
        "key": "p-food",
        "organisation": "tafel",
        "type": "offer",
        "category": "food",
        "title": {"ar": "طعام مجاني", "de": "Kostenloses Essen", "en": "Free food"},
        "body": {"ar": "كل ثلاثاء.", "de": "Jeden Dienstag."},
        "original_language": "ar",
        "district": "Altstadt",
        "valid_until": "2027-12-31",
        "status": "open",
    }
    assert list(exported["p-food"]["title"]) == ["ar", "de", "en"]
    assert exported["p-closed"]["status"] == "closed" and exported["p-closed"]["district"] is None
    assert exported["p-closed"]["body"] == {}
    assert exported["a-first"]["valid_until"] == "2024-01-31"


def test_the_file_is_utf8_without_escapes_one_record_per_line(db, filled_board):
    stream = io.BytesIO()
    counts = exporter.write_export(db, stream)
    data = stream.getvalue()
    assert (counts.organisations, counts.postings) == (3, 3)
    assert data.decode("utf-8") == exporter.export_text(db)
    assert "طعام مجاني".encode() in data and b"\\u" not in data
    assert data.endswith(b"\n") and data.count(b"\n") == 6


def test_an_empty_board_exports_an_empty_file(db):
    assert exporter.export_text(db) == ""


def test_export_import_into_an_empty_board_export_gives_the_same_bytes(db, filled_board, empty_board):
    first = exporter.export_text(db)

    result, second = reimport(empty_board, first)

    assert not result.errors and result.total("created") == 6
    assert second == first


def test_a_round_trip_keeps_statuses_verification_and_translations(db, filled_board, empty_board):
    reimport(empty_board, exporter.export_text(db))
    with empty_board.app_context():
        session = get_session()
        assert organisations.get_by_key(session, "b-suspended").status == "suspended"
        assert organisations.get_by_key(session, "pending-one").status == "pending"
        tafel = organisations.get_by_key(session, "tafel")
        assert tafel.verified and tafel.status == "approved"
        assert tafel.description("uk").description == "Продукти для всіх."
        food = postings.get_by_key(session, "p-food")
        assert food.original_language == "ar" and food.text("en").title == "Free food"
        assert food.text("en").source_language == "ar"
        assert postings.get_by_key(session, "a-first").organisation.key == "b-suspended"
