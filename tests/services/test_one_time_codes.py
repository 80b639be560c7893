"""One-time codes: the drift window, no code twice, and what a reset forgets."""

from __future__ import annotations

import pyotp

from bulletin.models import User, utcnow
from bulletin.services import two_factor

NOW = 1_800_000_015.0  # 15 seconds into a time step


def test_a_code_matches_its_step_and_one_either_side(app):
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    step = int(NOW // 30)
    assert two_factor.matching_step(secret, totp.at(NOW), NOW) == step
    assert two_factor.matching_step(secret, totp.at(NOW - 30), NOW) == step - 1
    assert two_factor.matching_step(secret, totp.at(NOW + 30), NOW) == step + 1
    assert two_factor.matching_step(secret, totp.at(NOW - 60), NOW) is None
    assert two_factor.matching_step(secret, totp.at(NOW + 60), NOW) is None
    spaced = totp.at(NOW)[:3] + " " + totp.at(NOW)[3:]
    assert two_factor.matching_step(secret, spaced, NOW) == step
    assert two_factor.matching_step(secret, "12345", NOW) is None
    assert two_factor.matching_step(secret, "١٢٣٤٥٦", NOW) is None  # digits, but not ASCII ones


def test_a_step_is_claimed_once_and_only_later_ones_count(db, make_user):
    user = make_user()
    secret = two_factor.new_secret()
    user.totp_secret, user.totp_enabled_at = secret, utcnow()
    db.commit()
    totp = pyotp.TOTP(secret)
    assert two_factor.check_code(db, user, totp.at(NOW), NOW)
    db.commit()
    assert not two_factor.check_code(db, user, totp.at(NOW), NOW)
    assert not two_factor.check_code(db, user, totp.at(NOW - 30), NOW)
    assert two_factor.check_code(db, user, totp.at(NOW + 30), NOW)
    db.commit()
    db.expire_all()
    assert db.get(User, user.id).totp_last_step == int(NOW // 30) + 1


def test_enrolment_needs_a_right_code_and_clearing_forgets_the_key(db, make_user):
    user = make_user()
    secret = two_factor.new_secret()
    assert not two_factor.enrol(db, user, secret, "000000" if pyotp.TOTP(secret).at(NOW) != "000000"
                                else "111111", NOW)
    assert user.totp_secret is None and not two_factor.is_enrolled(user)
    assert two_factor.enrol(db, user, secret, pyotp.TOTP(secret).at(NOW), NOW)
    assert two_factor.is_enrolled(user) and user.totp_last_step == int(NOW // 30)
    # The confirming code does not sign in a second time.
    assert not two_factor.check_code(db, user, pyotp.TOTP(secret).at(NOW), NOW)
    assert two_factor.clear(user)
    assert (user.totp_secret, user.totp_last_step, user.totp_enabled_at) == (None, None, None)
    assert not two_factor.clear(user)


def test_coordinators_are_required_only_while_the_board_says_so(make_user):
    coordinator, member = make_user(role="coordinator"), make_user()
    assert two_factor.required(coordinator, True) and not two_factor.required(coordinator, False)
    assert not two_factor.required(member, True)
    member.totp_secret, member.totp_enabled_at = two_factor.new_secret(), utcnow()
    assert two_factor.required(member, False)


def test_the_key_is_shown_in_groups_of_four():
    assert two_factor.grouped("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567"
