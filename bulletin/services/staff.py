"""The coordinator's care of accounts: coordinator and translator accounts, deactivating and reactivating
any account, and sending someone a link to choose a new password."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from bulletin.models import User
from bulletin.services import accounts, audit, two_factor
from bulletin.services.errors import InvalidData
from bulletin.services.permissions import ensure
from bulletin.taxonomy import LANGUAGE_BY_CODE

STAFF_ROLES = ("coordinator", "translator")


def create_staff_account(session: Session, actor, email: str, role: str, languages: list[str]) -> User:
    """A coordinator or translator account with an unusable random password: the new person chooses
    their own through a reset link (the caller mails it)."""
    ensure(actor.is_coordinator)
    errors: dict[str, object] = {}
    if role not in STAFF_ROLES:
        errors["role"] = _l("Choose coordinator or translator.")
    unknown = [code for code in languages if code not in LANGUAGE_BY_CODE]
    if unknown:
        errors["languages"] = _l("Unknown language: %(code)s", code=", ".join(unknown))
    elif role == "translator" and not languages:
        errors["languages"] = _l("Choose the languages this person translates into.")
    if errors:
        raise InvalidData(errors)
    user = accounts.create_user(session, actor, email, secrets.token_urlsafe(32), role=role)
    if role == "translator":
        user.languages = list(dict.fromkeys(languages))
        audit.record(session, actor, "user.languages", user, audit.diff({"languages": []},
                                                                        {"languages": user.languages}))
    return user


def set_active(session: Session, actor, user: User, active: bool) -> bool:
    """Deactivate (signed out at once, cannot sign in) or reactivate an account. False if already so."""
    ensure(actor.is_coordinator)
    if not active and user.id == actor.id:
        raise InvalidData({"account": _l("You cannot deactivate your own account.")})
    if user.active == active:
        return False
    user.active = active
    if not active:
        accounts.end_all_sessions(session, user)
    audit.record(session, actor, "user.reactivate" if active else "user.deactivate", user,
                 audit.diff({"active": not active}, {"active": active}))
    return True


def reset_access(session: Session, actor, user: User) -> None:
    """The coordinator's "reset access": the account is signed out everywhere, its two-step sign-in key
    is forgotten (a lost phone: a coordinator sets up a new one at the next sign-in), and the caller mails
    it a link to choose a new password. The audit log notes it (never the link, never the key)."""
    ensure(actor.is_coordinator)
    if not user.active:
        raise InvalidData({"account": _l("This account is deactivated: reactivate it first.")})
    accounts.end_all_sessions(session, user)
    had_two_factor = two_factor.clear(user)
    audit.record(session, actor, "user.reset_link", user,
                 audit.diff({"two_factor": had_two_factor}, {"two_factor": False}))


def all_accounts(role: str | None = None):
    """Every account, by role (coordinator, member, translator), then by email."""
    statement = select(User)
    if role:
        statement = statement.where(User.role == role)
    return statement.order_by(User.role, User.email)
