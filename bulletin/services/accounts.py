"""Accounts: creating users, signing in, and resetting a forgotten password."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete
from sqlmodel import Session, select
from zxcvbn import zxcvbn

from bulletin.models import LoginSession, Organisation, User, utcnow
from bulletin.passwords import hash_password, needs_rehash, verify_password
from bulletin.services import audit, text_rules
from bulletin.services.errors import InvalidData
from bulletin.services.organisations import EMAIL_PATTERN, OrganisationInput, create_organisation
from bulletin.services.permissions import ensure, is_active_member_of
from bulletin.taxonomy import ROLES

PASSWORD_MIN = 12  # OWASP ASVS 2.1.1
PASSWORD_MAX = 128  # ASVS 2.1.2: at least 64 allowed, more than 128 refused
GUESS_CHECK_MAX = 72  # the longest password zxcvbn judges
RESET_SALT = "password-reset"
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_password(password: str, user_inputs: tuple[str, ...] = ()) -> None:
    """Long enough, not too long, and not easy to guess (OWASP ASVS 2.1.1, 2.1.2, 2.1.7).

    "Easy to guess" is zxcvbn's judgement, offline: its lists of the most common passwords from breaches,
    words, names, keyboard patterns, repeats and dates, and ``user_inputs`` (the e-mail address, say).
    No rules about character classes: length and unpredictability are what count (ASVS 2.1.9).
    """
    if len(password or "") < PASSWORD_MIN:
        raise InvalidData(
            {"password": _l("The password needs at least %(min)d characters.", min=PASSWORD_MIN)}
        )
    if len(password) > PASSWORD_MAX:
        raise InvalidData(
            {"password": _l("The password may have at most %(max)d characters.", max=PASSWORD_MAX)}
        )
    # zxcvbn reads at most 72 characters; a longer password is no short common one anyway.
    # An e-mail address also counts by its local part: "lena.schmidt1990" from "lena.schmidt1990@...".
    hints = [part for value in user_inputs for part in (value, value.partition("@")[0]) if part]
    if len(password) <= GUESS_CHECK_MAX and zxcvbn(password, user_inputs=hints)["score"] < 2:
        raise InvalidData({"password": _l(
            "This password is too easy to guess: it is a common password, a simple pattern or close to your "
            "email address. Please choose another one, for example a few unrelated words."
        )})


def get_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(session: Session, actor, email: str, password: str, *, role: str = "member",
                organisation: Organisation | None = None) -> User:
    email = normalise_email(email)
    problem = text_rules.problem(email)
    if problem is not None:
        raise InvalidData({"email": problem})
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise InvalidData({"email": _l("This is not an email address.")})
    if role not in ROLES:
        raise InvalidData({"role": _l("Unknown role.")})
    if role == "member" and organisation is None:
        raise InvalidData({"organisation": _l("A member belongs to an organisation.")})
    validate_password(password, (email,))
    if get_by_email(session, email) is not None:
        raise InvalidData({"email": _l("There is already an account with this email address.")})
    user = User(email=email, password_hash=hash_password(password), role=role,
                organisation_id=organisation.id if organisation else None, organisation=organisation)
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", user,
        {"role": role, "organisation": getattr(organisation, "key", None)},
    )
    return user


def sign_up(session: Session, actor, data: OrganisationInput, email: str, password: str) -> User:
    """A new organisation with its first member; it waits for the coordinator's approval."""
    if get_by_email(session, email) is not None:
        raise InvalidData({"email": _l("There is already an account with this email address.")})
    validate_password(password, (email,))
    organisation = create_organisation(session, actor, data, status="pending")
    return create_user(session, actor, email, password, organisation=organisation)


def add_member(session: Session, actor, organisation: Organisation, email: str, password: str) -> User:
    # Like posting: a pending or suspended organisation cannot grow its accounts.
    ensure(actor.is_coordinator or is_active_member_of(actor, organisation))
    return create_user(session, actor, email, password, organisation=organisation)


def members_of(session: Session, organisation_id: int) -> list[User]:
    statement = select(User).where(User.organisation_id == organisation_id).order_by(User.email)
    return list(session.exec(statement))


def coordinator_emails(session: Session) -> list[str]:
    """Where news for the coordinator goes (a new sign-up, for example)."""
    statement = select(User.email).where(User.role == "coordinator", User.active.is_(True))
    return list(session.exec(statement.order_by(User.email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades the hash when its cost changed."""
    global _DUMMY_HASH
    user = get_by_email(session, email)
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not a password of anybody")
        verify_password(_DUMMY_HASH, password or "")
        return None
    if not user.active or not verify_password(user.password_hash, password or ""):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def make_reset_token(secret_key: str, user: User) -> str:
    # The tail of the current hash makes the token single-use: a new password invalidates it.
    return _serializer(secret_key).dumps({"user": user.id, "hash": user.password_hash[-16:]})


def signed_user(session: Session, serializer: URLSafeTimedSerializer, token: str,
                max_age: int) -> tuple[User, dict] | None:
    """The active account a signed link names, with the link's payload; None if forged or expired."""
    try:
        payload = serializer.loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = session.get(User, payload["user"])
    return (user, payload) if user is not None and user.active else None


def user_for_reset_token(session: Session, secret_key: str, token: str, max_age: int) -> User | None:
    found = signed_user(session, _serializer(secret_key), token, max_age)
    if found is None:
        return None
    user, payload = found
    if user.password_hash[-16:] != payload.get("hash"):
        return None
    return user


def set_password(session: Session, actor, user: User, password: str) -> None:
    validate_password(password, (user.email,))
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)
    audit.record(session, actor, "user.password", user, {})


def login_sessions_of(session: Session, user_id: int) -> list[LoginSession]:
    """Where this account is signed in, the most recently used first."""
    statement = (select(LoginSession).where(LoginSession.user_id == user_id)
                 .order_by(LoginSession.last_seen_at.desc()))  # type: ignore[attr-defined]
    return list(session.exec(statement))


def end_other_sessions(session: Session, user: User, keep_token_hash: str) -> int:
    """Sign this account out of every browser but one; returns how many sessions ended."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                        LoginSession.token_hash != keep_token_hash))
    return result.rowcount


def end_all_sessions(session: Session, user: User) -> None:
    """Sign this account out everywhere: its login sessions go, and a new secret voids any left."""
    user.session_secret = secrets.token_hex(16)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
