"""The operator's commands: import-data, export-data, create-user, load-demo, purge."""

import json
import os
from datetime import timedelta

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import force_locale
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from bulletin import create_app, exporter, importer
from bulletin.commands import demo
from bulletin.db import get_engine, get_session
from bulletin.extensions import babel
from bulletin.models import AuditEntry, Organisation, Posting, Report, User, utcnow
from bulletin.services import accounts, organisations, reports
from bulletin.services.actors import SystemActor

ORGANISATION = {"kind": "organisation", "key": "tafel", "name": "Neustettener Tafel", "verified": True}
POSTING = {"kind": "posting", "key": "brot", "organisation": "tafel", "type": "offer", "category": "food",
           "title": {"de": "Brot vom Vortag"}}
PASSWORD = "a long enough password"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def write_file(tmp_path):
    def write(name: str, *lines) -> str:
        path = tmp_path / name
        text = "".join((json.dumps(line) if isinstance(line, dict) else line) + "\n" for line in lines)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def saved_count(app, model) -> int:
    """Rows as another connection sees them: only what was committed."""
    with Session(get_engine(app)) as session:
        return session.scalar(select(func.count()).select_from(model))


def assert_clear_error(result, text: str) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # a message, not a traceback
    assert text in result.output
    assert "Traceback" not in result.output


# import-data

def test_import_data_saves_and_prints_a_summary(app, runner, write_file):
    path = write_file("board.jsonl", ORGANISATION, POSTING)

    result = runner.invoke(args=["import-data", path])

    assert result.exit_code == 0, result.output
    assert "Organisations: 1 created, 0 updated, 0 unchanged." in result.output
    assert "Postings: 1 created, 0 updated, 0 unchanged." in result.output
    assert saved_count(app, Organisation) == 1 and saved_count(app, Posting) == 1


def test_import_data_twice_reports_everything_unchanged(app, runner, write_file):
    path = write_file("board.jsonl", ORGANISATION, POSTING)
    runner.invoke(args=["import-data", path])
    entries = saved_count(app, AuditEntry)

    result = runner.invoke(args=["import-data", path])

    assert "Postings: 0 created, 0 updated, 1 unchanged." in result.output
    assert saved_count(app, AuditEntry) == entries


def test_import_data_refuses_a_file_with_bad_lines_and_prints_every_one(app, runner, write_file):
    bad_category = {**POSTING, "key": "x", "category": "?"}
    path = write_file("board.jsonl", ORGANISATION, "{broken", POSTING, bad_category)

    result = runner.invoke(args=["import-data", path])

    assert result.exit_code == 1
    assert "line 2: This line is not valid JSON" in result.output
    assert "line 4 (x): category: Unknown category." in result.output
    assert "has 2 invalid lines: nothing was imported." in result.output
    assert saved_count(app, Organisation) == 0


def test_import_data_skip_invalid_saves_the_valid_lines(app, runner, write_file):
    path = write_file("board.jsonl", ORGANISATION, "{broken", POSTING)

    result = runner.invoke(args=["import-data", path, "--skip-invalid"])

    assert result.exit_code == 0, result.output
    assert "Skipped 1 invalid line:" in result.output and "line 2:" in result.output
    assert "Postings: 1 created" in result.output
    assert saved_count(app, Posting) == 1


def test_import_data_dry_run_saves_nothing(app, runner, write_file):
    path = write_file("board.jsonl", ORGANISATION, POSTING)

    result = runner.invoke(args=["import-data", path, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was saved." in result.output
    assert "Postings: 1 created" in result.output
    assert saved_count(app, Organisation) == 0 and saved_count(app, AuditEntry) == 0


def test_import_data_reads_standard_input(app, runner):
    text = json.dumps(ORGANISATION) + "\n" + json.dumps(POSTING) + "\n"
    result = runner.invoke(args=["import-data", "-"], input=text.encode())
    assert result.exit_code == 0, result.output
    assert saved_count(app, Posting) == 1


def test_import_data_of_a_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["import-data", str(tmp_path / "nowhere.jsonl")])
    assert_clear_error(result, "nowhere.jsonl: there is no such file.")


def test_import_data_of_a_folder_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["import-data", str(tmp_path)])
    assert_clear_error(result, "is a directory")


def test_import_data_of_a_file_that_is_not_utf8_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "latin1.jsonl"
    latin1_line = '{"name": "Caf\xe9"}'.encode("latin-1")
    path.write_bytes(json.dumps(ORGANISATION).encode() + b"\n" + latin1_line + b"\n")

    result = runner.invoke(args=["import-data", str(path)])

    assert_clear_error(result, "is not UTF-8 text (line 2)")


def test_the_console_speaks_english_on_a_german_board(app_config, tmp_path, write_file, monkeypatch):
    # Flask-Babel caches catalogues per locale for the whole process: start this board with an empty cache.
    monkeypatch.setattr(babel.domain_instance, "cache", {})
    catalogue = Catalog(locale="de")
    catalogue.add("Unknown category.", "Unbekannte Kategorie.")
    catalogue.add("line %(line)d (%(key)s): %(message)s", "Zeile %(line)d (%(key)s): %(message)s")
    folder = tmp_path / "translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalogue)
    board = create_app({**app_config, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations"),
                        "BULLETIN_DEFAULT_LANGUAGE": "de"})
    SQLModel.metadata.create_all(get_engine(board))
    path = write_file("board.jsonl", ORGANISATION, {**POSTING, "category": "weapons"})

    with board.app_context():
        result = board.test_cli_runner().invoke(args=["import-data", path])
        with open(path, encoding="utf-8") as handle:
            (error,) = importer.import_text(get_session(), handle.read()).errors
        with force_locale("de"):
            in_german = str(error.describe())
    get_engine(board).dispose()

    assert "line 2 (brot): category: Unknown category." in result.output
    assert in_german == "Zeile 2 (brot): category: Unbekannte Kategorie."


# export-data

def test_export_data_writes_the_board_to_a_file(app, db, runner, write_file, tmp_path):
    runner.invoke(args=["import-data", write_file("in.jsonl", ORGANISATION, POSTING)])
    target = tmp_path / "out.jsonl"

    result = runner.invoke(args=["export-data", str(target)])

    assert result.exit_code == 0, result.output
    assert "Exported. Organisations: 1, postings: 1." in result.output
    assert target.read_text(encoding="utf-8") == exporter.export_text(db)
    assert [json.loads(line)["key"] for line in target.read_text().splitlines()] == ["tafel", "brot"]
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_export_data_to_standard_output(db, runner, write_file):
    runner.invoke(args=["import-data", write_file("in.jsonl", ORGANISATION, POSTING)])

    result = runner.invoke(args=["export-data", "-"])

    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8") == exporter.export_text(db)
    assert "Exported. Organisations: 1" in result.stderr  # the summary keeps out of the data


def test_export_data_into_a_missing_folder_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["export-data", str(tmp_path / "no-such-folder" / "out.jsonl")])
    assert_clear_error(result, "cannot be written")


def test_import_data_reports_text_no_field_may_hold_without_a_traceback(app, runner, write_file):
    # A NUL in a key used to reach PostgreSQL's lookup, even in a dry run.
    path = write_file("board.jsonl", {**ORGANISATION, "key": "ta\u0000fel"},
                      {**POSTING, "organisation": "ta\u0000fel"},
                      {**ORGANISATION, "key": "b", "name": "\u202eevil"}, {**ORGANISATION, "key": "c\ud800"})

    for options in (["--dry-run"], []):
        result = runner.invoke(args=["import-data", path, *options])

        assert_clear_error(result, "has 4 invalid lines: nothing was imported.")
        assert "line 1: key: This contains an invisible or control character (U+0000)" in result.output
        assert "line 2 (brot): organisation: This contains an invisible or control character" in result.output
        assert "line 3 (b): name: This contains an invisible or control character (U+202E)" in result.output
        assert "line 4: key: This contains something that is not a valid character (U+D800)" in result.output
        assert "\u202e" not in result.output
    assert saved_count(app, Organisation) == 0


# create-user

def test_create_user_coordinator_with_password_from_stdin(db, runner):
    arguments = ["create-user", "Chef@Example.org", "--role", "coordinator", "--password-stdin"]
    result = runner.invoke(args=arguments, input=PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert "Created the coordinator account chef@example.org." in result.output
    user = accounts.authenticate(db, "chef@example.org", PASSWORD)
    assert user is not None and user.is_coordinator and user.organisation_id is None


def test_create_user_member_asks_for_the_password_twice(db, runner, make_organisation):
    organisation = make_organisation("Kleiderstube", key="kleiderstube")

    result = runner.invoke(args=["create-user", "helga@example.org", "--role", "member",
                                 "--organisation", "kleiderstube"], input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat the password:" in result.output
    assert PASSWORD not in result.output  # hidden input
    assert "member of Kleiderstube" in result.output
    user = accounts.authenticate(db, "helga@example.org", PASSWORD)
    assert user.organisation_id == organisation.id and user.role == "member"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.actor == "cli"


@pytest.mark.parametrize(
    ("arguments", "password", "message"),
    [
        (["taken@example.org", "--role", "coordinator"], PASSWORD, "already an account with this email"),
        (["new@example.org", "--role", "coordinator"], "short", "needs at least 12 characters"),
        (["new@example.org", "--role", "member", "--organisation", "nope"], PASSWORD,
         "no organisation with the key nope"),
        (["new@example.org", "--role", "member"], PASSWORD, "A member belongs to an organisation"),
        (["new@example.org", "--role", "coordinator", "--organisation", "kleiderstube"], PASSWORD,
         "A coordinator belongs to no organisation"),
        (["not-an-address", "--role", "coordinator"], PASSWORD, "This is not an email address."),
        (["new@example.org", "--role", "admin"], PASSWORD, "Invalid value for '--role'"),
    ],
)
def test_create_user_refuses_with_a_clear_message(app, runner, make_organisation, make_user, arguments,
                                                  password, message):
    make_organisation("Kleiderstube", key="kleiderstube")
    make_user(role="coordinator", email="taken@example.org")
    users = saved_count(app, User)

    result = runner.invoke(args=["create-user", *arguments, "--password-stdin"], input=password + "\n")

    assert_clear_error(result, message)
    assert saved_count(app, User) == users


BAD_EMAILS = {
    "new\u0000@example.org": "EMAIL: This contains an invisible or control character (U+0000)",
    "new@example.org\nBcc: x@example.org": "EMAIL: Line breaks are not allowed here",
    "\u202enew@example.org": "EMAIL: This contains an invisible or control character (U+202E)",
    "new\u200b@example.org": "EMAIL: This contains an invisible or control character (U+200B)",
    "new\udcff@example.org": "EMAIL: This contains something that is not a valid character (U+DCFF)",
}
BAD_KEYS = {"kleider\u0000stube": "--organisation: This contains an invisible or control character (U+0000)",
            "kleider\r\nstube": "--organisation: Line breaks are not allowed here"}


def test_create_user_refuses_text_no_field_may_hold(app, runner, make_organisation):
    make_organisation("Kleiderstube", key="kleiderstube")
    cases = [([email, "--role", "coordinator"], message) for email, message in BAD_EMAILS.items()]
    cases += [(["new@example.org", "--role", "member", "--organisation", key], message)
              for key, message in BAD_KEYS.items()]

    for arguments, message in cases:
        result = runner.invoke(args=["create-user", *arguments, "--password-stdin"], input=PASSWORD + "\n")

        assert_clear_error(result, message)
    assert saved_count(app, User) == 0


def test_create_user_with_a_password_that_is_not_utf8_is_a_clear_error(app, runner):
    arguments = ["create-user", "new@example.org", "--role", "coordinator", "--password-stdin"]
    result = runner.invoke(args=arguments, input=b"caf\xe9 au lait pour tous\n")

    assert_clear_error(result, "The password is not UTF-8 text.")
    assert saved_count(app, User) == 0


def test_create_user_with_two_different_passwords_creates_nobody(app, runner):
    result = runner.invoke(args=["create-user", "new@example.org", "--role", "coordinator"],
                           input=f"{PASSWORD}\nsomething else entirely\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert saved_count(app, User) == 0


# load-demo

def test_load_demo_loads_once_with_demo_accounts(app, db, runner):
    result = runner.invoke(args=["load-demo"])

    assert result.exit_code == 0, result.output
    assert "Organisations: " in result.output and "created" in result.output
    assert demo.DEMO_PASSWORD in result.output and "Warning: these are demo accounts" in result.output
    assert demo.DEMO_COORDINATOR in result.output
    organisations_loaded, postings_loaded = saved_count(app, Organisation), saved_count(app, Posting)
    assert organisations_loaded >= 14 and postings_loaded >= 75
    coordinator = accounts.authenticate(db, demo.DEMO_COORDINATOR, demo.DEMO_PASSWORD)
    assert coordinator is not None and coordinator.is_coordinator
    for email, organisation_key in demo.DEMO_MEMBERS:
        member = accounts.authenticate(db, email, demo.DEMO_PASSWORD)
        assert member.organisation.key == organisation_key and member.organisation.is_public
    entries = saved_count(app, AuditEntry)

    again = runner.invoke(args=["load-demo"])

    assert again.exit_code == 0
    assert "The board already has content, nothing loaded." in again.output
    assert demo.DEMO_PASSWORD not in again.output
    assert saved_count(app, Organisation) == organisations_loaded
    assert saved_count(app, Posting) == postings_loaded
    assert saved_count(app, AuditEntry) == entries and saved_count(app, User) == 3


def test_load_demo_leaves_a_board_with_content_alone(app, runner, make_organisation):
    make_organisation("Echte Organisation")

    result = runner.invoke(args=["load-demo"])

    assert "already has content, nothing loaded" in result.output
    assert saved_count(app, Organisation) == 1 and saved_count(app, User) == 0


def test_load_demo_keeps_an_existing_demo_account(app, db, runner, make_user):
    make_user(role="coordinator", email=demo.DEMO_COORDINATOR, password="the operator's own one")

    result = runner.invoke(args=["load-demo"])

    assert result.exit_code == 0, result.output
    assert saved_count(app, User) == 3
    assert accounts.authenticate(db, demo.DEMO_COORDINATOR, "the operator's own one") is not None
    assert organisations.get_by_key(db, demo.DEMO_MEMBERS[0][1]) is not None


def test_a_database_without_tables_is_a_clear_error(app_config, tmp_path):
    board = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.sqlite'}"})
    with board.app_context():
        result = board.test_cli_runner().invoke(args=["load-demo"])
    get_engine(board).dispose()
    assert_clear_error(result, "flask --app bulletin db upgrade")


# purge

def test_purge_prints_what_it_removed_and_a_second_run_removes_nothing(app, db, runner, make_posting):
    report = reports.report_posting(db, make_posting(), "wrong", "")
    reports.close_report(db, SystemActor("coordinator"), report, "resolved")
    report.resolved_at = utcnow() - timedelta(days=app.config["BULLETIN_REPORT_RETENTION_DAYS"] + 1)
    db.commit()
    os.makedirs(app.config["BULLETIN_UPLOAD_DIR"], exist_ok=True)
    logo = os.path.join(app.config["BULLETIN_UPLOAD_DIR"], "f" * 32 + ".png")
    with open(logo, "wb") as handle:
        handle.write(b"\x89PNG")
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(logo, (two_days_ago, two_days_ago))

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "Closed reports removed: 1." in result.output
    assert "Unused logo files removed: 1." in result.output
    assert "Expired login sessions removed: 0." in result.output
    assert "Audit entries whose personal details were removed: 0." in result.output
    assert saved_count(app, Report) == 0 and not os.path.exists(logo)

    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0, again.output
    assert "removed: 1." not in again.output and again.output.count("removed: 0.") == 7
