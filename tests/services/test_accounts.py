"""Accounts: sign-up, sign-in, password reset tokens."""

import pytest
from flask_babel import force_locale

from bulletin.services import accounts
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData
from bulletin.services.organisations import OrganisationInput

ACTOR = SystemActor("test")
SECRET = "s3cret"


def test_sign_up_creates_a_pending_organisation_with_its_member(db):
    user = accounts.sign_up(
        db, ACTOR, OrganisationInput(name="Helferkreis"), "Ana@Example.org", "long enough pw"
    )
    db.commit()
    assert user.email == "ana@example.org"
    assert user.organisation.status == "pending" and user.role == "member"
    assert user.password_hash.startswith("$argon2id$")


def test_duplicate_emails_and_weak_passwords_are_refused(db, make_user):
    make_user(email="taken@example.org")
    with pytest.raises(InvalidData) as raised:
        accounts.sign_up(db, ACTOR, OrganisationInput(name="X"), "TAKEN@example.org", "long enough pw")
    assert "email" in raised.value.errors
    with pytest.raises(InvalidData) as raised:
        accounts.sign_up(db, ACTOR, OrganisationInput(name="Y"), "new@example.org", "short")
    assert "password" in raised.value.errors


def test_authenticate(db, make_user):
    user = make_user(email="mia@example.org", password="the right password")
    assert accounts.authenticate(db, "MIA@example.org", "the right password") == user
    assert user.last_login_at is not None
    assert accounts.authenticate(db, "mia@example.org", "the wrong password") is None
    assert accounts.authenticate(db, "nobody@example.org", "the right password") is None
    user.active = False
    assert accounts.authenticate(db, "mia@example.org", "the right password") is None


def test_reset_tokens_are_single_use(db, make_user):
    user = make_user()
    token = accounts.make_reset_token(SECRET, user)
    assert accounts.user_for_reset_token(db, SECRET, token, max_age=60) == user
    accounts.set_password(db, ACTOR, user, "a brand new password")
    assert accounts.user_for_reset_token(db, SECRET, token, max_age=60) is None


def test_reset_tokens_are_signed_and_expire(db, make_user):
    user = make_user()
    token = accounts.make_reset_token(SECRET, user)
    assert accounts.user_for_reset_token(db, "other secret", token, max_age=60) is None
    assert accounts.user_for_reset_token(db, SECRET, token + "x", max_age=60) is None
    assert accounts.user_for_reset_token(db, SECRET, token, max_age=-1) is None


@pytest.mark.parametrize("password", ["password1234", "qwertyuiopasdf", "iloveyou1234", "abcdefghijkl",
                                      "hallohallo12"])
def test_common_and_patterned_passwords_are_refused(db, password):
    with pytest.raises(InvalidData) as refused:
        accounts.validate_password(password)
    with force_locale("en"):  # outside a request the board's default language (German) would speak
        assert "too easy to guess" in str(refused.value.errors["password"])


def test_a_password_made_of_the_email_address_is_refused(db):
    with pytest.raises(InvalidData):
        accounts.validate_password("lena.schmidt1990", ("lena.schmidt1990@example.org",))
    accounts.validate_password("lena.schmidt1990")  # without the address it is not obvious


def test_long_and_unpredictable_passwords_are_welcome(db):
    for password in ("correct horse battery", "Blaue Tassen tanzen leise", "x7#Qm!p2Lw" * 9):
        accounts.validate_password(password[:128])
