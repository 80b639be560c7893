"""The daily purge: closed reports, spent renew links, expired login sessions, reviewed translation drafts
and unused logos go once their time is up; nothing else goes, and a second run removes nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bulletin.models import ExpiryReminder, LoginSession, Organisation, Report, TranslationDraft
from bulletin.services import expiry, organisations, reports, retention, signups
from bulletin.services.actors import SystemActor

NOW = datetime.now(UTC)
TODAY = NOW.date()
PERIODS = retention.Periods(report_days=90, audit_personal_days=180, draft_days=90, renew_link_days=14,
                            session_lifetime=timedelta(days=14), session_idle=timedelta(minutes=120),
                            signup_confirm=timedelta(hours=48))
COORDINATOR = SystemActor("coordinator")


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


@pytest.fixture
def upload_dir(app):
    path = app.config["BULLETIN_UPLOAD_DIR"]
    os.makedirs(path, exist_ok=True)
    return path


def test_periods_come_from_the_configuration(app):
    app.config.update(BULLETIN_REPORT_RETENTION_DAYS=30, BULLETIN_SESSION_IDLE_MINUTES=15)
    periods = retention.Periods.from_config(app.config)
    assert periods.report_days == 30 and periods.audit_personal_days == 180 and periods.draft_days == 90
    assert periods.session_idle == timedelta(minutes=15)
    assert periods.session_lifetime == app.config["PERMANENT_SESSION_LIFETIME"]
    del app.config["BULLETIN_SESSION_IDLE_MINUTES"]
    assert retention.Periods.from_config(app.config).session_idle == timedelta(minutes=120)


def test_closed_reports_go_after_the_period_and_open_ones_stay(db, make_posting):
    posting = make_posting()

    def report(status: str, closed: datetime | None, created: datetime) -> int:
        row = reports.report_posting(db, posting, "wrong", "Die Telefonnummer stimmt nicht.")
        if status != "open":
            reports.close_report(db, COORDINATOR, row, status, "Angerufen, Frau Keller sagt: erledigt.")
            row.resolved_at = closed
        row.created_at = created
        db.commit()
        return row.id

    resolved_long_ago = report("resolved", ago(days=91), ago(days=120))
    dismissed_long_ago = report("dismissed", ago(days=200), ago(days=200))
    resolved_lately = report("resolved", ago(days=89), ago(days=300))
    open_for_long = report("open", None, ago(days=400))

    assert retention.remove_closed_reports(db, ago(days=90)) == 2
    left = set(db.exec(select(Report.id)).all())
    assert left == {resolved_lately, open_for_long}
    assert resolved_long_ago not in left and dismissed_long_ago not in left
    assert retention.remove_closed_reports(db, ago(days=90)) == 0


def test_spent_renew_links_go_without_anyone_being_reminded_twice(db, make_organisation, make_posting):
    organisation = make_organisation()

    def reminder(valid_until, sent: datetime, used: datetime | None = None) -> tuple[int, int]:
        posting = make_posting(organisation=organisation, valid_until=valid_until)
        row = ExpiryReminder(posting_id=posting.id, valid_until=valid_until, nonce="n", sent_at=sent,
                             used_at=used)
        db.add(row)
        db.commit()
        return posting.id, row.id

    _, used_and_past = reminder(TODAY - timedelta(days=1), ago(days=8), used=ago(days=7))
    _, link_expired_and_past = reminder(TODAY - timedelta(days=3), ago(days=15))
    _, link_works_still = reminder(TODAY - timedelta(days=3), ago(days=10))  # renews an expired posting
    coming, guards_coming = reminder(TODAY + timedelta(days=3), ago(days=15))
    coming_used, used_and_coming = reminder(TODAY + timedelta(days=5), ago(days=2), used=ago(days=1))

    assert retention.remove_spent_renew_links(db, TODAY, ago(days=14)) == 2
    left = set(db.exec(select(ExpiryReminder.id)).all())
    assert left == {link_works_still, guards_coming, used_and_coming}
    assert used_and_past not in left and link_expired_and_past not in left
    # The expiries still to come keep their rows, so the daily reminders leave them alone.
    due = {posting.id for posting in expiry.postings_due(db, TODAY, 7)}
    assert coming not in due and coming_used not in due
    assert retention.remove_spent_renew_links(db, TODAY, ago(days=14)) == 0


def test_login_sessions_go_when_too_old_or_idle_too_long(db, make_user):
    user = make_user()

    def login_session(token: str, created: datetime, seen: datetime, secret: str | None = None) -> str:
        db.add(LoginSession(token_hash=token * 64, user_id=user.id, user_secret=secret or user.session_secret,
                            created_at=created, last_seen_at=seen))
        db.commit()
        return token * 64

    too_old = login_session("a", ago(days=15), ago(minutes=5))
    idle = login_session("b", ago(hours=5), ago(minutes=121))
    fresh = login_session("c", ago(days=13), ago(minutes=119))
    ended = login_session("d", ago(hours=1), ago(minutes=1), secret="before the new password")

    removed = retention.remove_expired_login_sessions(db, NOW, timedelta(days=14), timedelta(minutes=120))
    assert removed == 3
    left = set(db.exec(select(LoginSession.token_hash)).all())
    assert left == {fresh} and not {too_old, idle, ended} & left


def test_reviewed_translation_drafts_go_and_waiting_ones_stay(db, make_posting, make_user):
    posting = make_posting()
    translator = make_user(role="translator", email="tina@translators.example")

    def draft(status: str, reviewed: datetime | None) -> int:
        row = TranslationDraft(posting_id=posting.id, language="en", title="Sofa", body="Well kept.",
                               source_digest="x", translator_id=translator.id,
                               translator_email=translator.email, status=status, created_at=ago(days=300),
                               reviewed_at=reviewed)
        db.add(row)
        db.commit()
        return row.id

    draft("approved", ago(days=91))
    draft("rejected", ago(days=100))
    lately = draft("approved", ago(days=10))
    waiting = draft("pending", None)

    assert retention.remove_reviewed_drafts(db, ago(days=90)) == 2
    assert set(db.exec(select(TranslationDraft.id)).all()) == {lately, waiting}


def write(directory: str, name: str, modified: datetime) -> str:
    path = os.path.join(directory, name)
    with open(path, "wb") as handle:
        handle.write(b"\x89PNG")
    os.utime(path, (modified.timestamp(), modified.timestamp()))
    return path


def test_only_old_logo_files_nobody_uses_go(db, make_organisation, upload_dir):
    used, replaced, fresh = "a" * 32 + ".png", "b" * 32 + ".png", "c" * 32 + ".png"
    organisation = make_organisation()
    organisation.logo = used
    db.commit()
    paths = {
        "used": write(upload_dir, used, ago(days=30)),
        "replaced": write(upload_dir, replaced, ago(days=30)),
        "fresh": write(upload_dir, fresh, ago(hours=2)),  # perhaps an upload whose form is being saved
        "unfinished": write(upload_dir, "d" * 32 + ".png.tmp", ago(days=2)),
        "foreign": write(upload_dir, "README.txt", ago(days=300)),  # not the board's: never touched
    }

    assert retention.remove_unused_logos(db, upload_dir, ago(days=1)) == 2
    assert {name for name, path in paths.items() if os.path.exists(path)} == {"used", "fresh", "foreign"}
    assert retention.remove_unused_logos(db, upload_dir, ago(days=1)) == 0


def test_a_missing_upload_folder_is_nothing_to_remove(db, tmp_path):
    assert retention.remove_unused_logos(db, str(tmp_path / "nowhere"), ago(days=1)) == 0


def test_purge_counts_what_it_removed_and_a_second_run_removes_nothing(db, make_posting, upload_dir):
    data = organisations.OrganisationInput(name="Nie bestätigt", email="niemand@example.org")
    unconfirmed = signups.sign_up(db, data, "niemand@example.org", "a long enough password").created
    unconfirmed.created_at = ago(hours=49)  # its link worked for 48 hours
    posting = make_posting()
    report = reports.report_posting(db, posting, "money", "")
    reports.close_report(db, COORDINATOR, report, "dismissed", "")
    report.resolved_at = ago(days=100)
    db.commit()
    write(upload_dir, "e" * 32 + ".png", ago(days=3))

    removed = retention.purge(db, PERIODS, upload_dir, now=NOW, today=TODAY)
    assert (removed.unconfirmed_signups, removed.reports, removed.logos, removed.total) == (1, 1, 1, 3)
    assert db.exec(select(Organisation).where(Organisation.name == "Nie bestätigt")).first() is None

    assert retention.purge(db, PERIODS, upload_dir, now=NOW, today=TODAY).total == 0
