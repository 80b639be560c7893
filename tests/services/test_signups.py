"""Sign-ups: known addresses change nothing; unconfirmed ones are removed with their personal details."""

from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, Organisation, User, utcnow
from bulletin.models.audit import REMOVED
from bulletin.services import signups
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData
from bulletin.services.organisations import OrganisationInput

PURGE = SystemActor("purge")
SECRET = "s3cret"


def new_signup(db, email="ana@example.org", name="Helferkreis"):
    result = signups.sign_up(db, OrganisationInput(name=name, email="info@helferkreis.example",
                                                   phone="+49 7141 1"), email, "long enough pw")
    db.commit()
    return result.created


def test_a_new_address_gets_an_unconfirmed_account(db):
    user = new_signup(db, email="Ana@Example.org")
    assert user.email == "ana@example.org" and user.email_confirmed_at is None
    assert user.organisation.status == "pending"


def test_a_known_address_creates_nothing_but_checks_the_same(db, make_user):
    known = make_user(email="taken@example.org")
    result = signups.sign_up(db, OrganisationInput(name="X"), "TAKEN@example.org", "long enough pw")
    assert result == signups.SignupResult(existing=known)
    assert db.exec(select(Organisation).where(Organisation.name == "X")).first() is None
    refused = ((OrganisationInput(name=""), "long enough pw"), (OrganisationInput(name="Y"), "short"))
    for data, password in refused:
        with pytest.raises(InvalidData):
            signups.sign_up(db, data, "taken@example.org", password)
        with pytest.raises(InvalidData):
            signups.sign_up(db, data, "new@example.org", password)
        db.rollback()


def test_confirm_tokens_are_signed_single_use_and_expire(db):
    user = new_signup(db)
    token = signups.make_confirm_token(SECRET, user)
    assert signups.user_for_confirm_token(db, "other secret", token, max_age=60) is None
    assert signups.user_for_confirm_token(db, SECRET, token, max_age=-1) is None
    assert signups.user_for_confirm_token(db, SECRET, token, max_age=60) == user
    signups.confirm(db, user)
    db.commit()
    assert signups.user_for_confirm_token(db, SECRET, token, max_age=60) is None


def test_old_unconfirmed_signups_are_removed_with_their_personal_details(db, make_user):
    old = new_signup(db, email="old@example.org", name="Alte Anmeldung")
    old_id, organisation_id = old.id, old.organisation_id
    new_signup(db, email="recent@example.org", name="Neue Anmeldung")
    confirmed = new_signup(db, email="confirmed@example.org", name="Bestätigt")
    signups.confirm(db, confirmed)
    db.commit()
    member = make_user()
    later = utcnow() + timedelta(hours=1)  # every sign-up above is older than that

    assert signups.remove_unconfirmed_signups(db, PURGE, created_before=later) == 2
    remaining = set(db.exec(select(User.email)).all())
    assert remaining == {"confirmed@example.org", member.email}
    assert db.get(Organisation, organisation_id) is None
    assert {name for name in db.exec(select(Organisation.name))} >= {"Bestätigt"}
    assert "Neue Anmeldung" not in set(db.exec(select(Organisation.name)))

    # The log keeps what happened, not who: no address, no contact details of the removed sign-up.
    entries = db.exec(select(AuditEntry).where(
        ((AuditEntry.object_type == "organisation") & (AuditEntry.object_id == organisation_id))
        | ((AuditEntry.object_type == "user") & (AuditEntry.object_id == old_id))
    )).all()
    assert {entry.action for entry in entries} >= {"organisation.create", "user.create", "user.consent",
                                                    "organisation.unconfirmed"}
    for entry in entries:
        text = repr((entry.actor, entry.object_key, entry.changes))
        assert "old@example.org" not in text and "info@helferkreis.example" not in text
    create = next(entry for entry in entries if entry.action == "organisation.create")
    assert create.changes["email"] == REMOVED and create.changes["name"]["after"] == "Alte Anmeldung"
    assert create.redacted_at is not None
    # The confirmed sign-up's entries are untouched.
    kept = db.exec(select(AuditEntry).where(AuditEntry.actor == "confirmed@example.org")).all()
    assert kept and all(entry.redacted_at is None for entry in kept)


def test_recent_and_approved_signups_stay(db, make_user):
    recent = new_signup(db, email="recent@example.org")
    approved = new_signup(db, email="approved@example.org", name="Schon freigegeben")
    approved.organisation.status = "approved"
    db.commit()
    assert signups.remove_unconfirmed_signups(db, PURGE, created_before=recent.created_at) == 0
    assert signups.remove_unconfirmed_signups(db, PURGE, created_before=utcnow() + timedelta(hours=1)) == 1
    assert db.exec(select(User.email)).all() == ["approved@example.org"]
