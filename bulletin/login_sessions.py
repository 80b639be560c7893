"""Signed-in browsers as rows in the database, so that a session can be ended on the server.

The session cookie is signed but lives in the browser: on its own, a copy taken before sign-out would
still open the dashboard afterwards. So the cookie names a login session by a random token, and the
database keeps the token's SHA-256 (``LoginSession``). Flask-Login knows the token as the user's id
(its "alternative token" pattern); the user loader below accepts it only while

- the row exists (sign-out deletes it),
- the row repeats the account's ``session_secret`` (a new password or the coordinator's "reset access"
  changes it: every session of that account ends at once),
- the account is active, and the session is neither older than ``PERMANENT_SESSION_LIFETIME`` nor idle
  for longer than ``BULLETIN_SESSION_IDLE_MINUTES``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, update

from bulletin import settings
from bulletin.db import get_engine, get_session
from bulletin.models import LoginSession, User, utcnow

TOKEN_BYTES = 32
# How often the last-seen time is written: a page view every few seconds need not be a write each.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(user: User) -> None:
    """Sign ``user`` in in this browser, in a new session: nothing of the visitor's earlier session carries
    over, the CSRF token included (it lives in the session), so a session fixed by someone else is void."""
    session.clear()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db = get_session()
    db.add(LoginSession(token_hash=token_hash(token), user_id=user.id, user_secret=user.session_secret))
    db.commit()
    user._login_token = token  # what Flask-Login stores as the user's id in the cookie
    session.permanent = True  # the cookie outlives the browser tab; the server decides when it ends
    login_user(user)


def end() -> None:
    """Sign out here: the row goes, so the cookie (and any copy of it) no longer signs anybody in."""
    token = current_user.get_id() if current_user.is_authenticated else None
    if token:
        db = get_session()
        db.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
        db.commit()
    logout_user()
    session.clear()


def still_valid(login: LoginSession, now) -> bool:
    """Neither idle for longer than BULLETIN_SESSION_IDLE_MINUTES nor older than its lifetime."""
    idle = timedelta(minutes=settings.current().session_idle_minutes)
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return login.created_at + lifetime >= now and login.last_seen_at + idle >= now


def load(token: str) -> User | None:
    """The user this token signs in, or None when its session has ended (Flask-Login's user loader)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    db = get_session()
    login = db.get(LoginSession, token_hash(token))
    if login is None:
        return None
    user = db.get(User, login.user_id)
    if user is None or not user.active or not secrets.compare_digest(login.user_secret, user.session_secret):
        return None
    now = utcnow()
    if not still_valid(login, now):
        return None
    if login.last_seen_at + TOUCH_EVERY < now:
        # Outside the request's own transaction: loading the user must not commit what a view has pending.
        with get_engine().begin() as connection:
            connection.execute(update(LoginSession).where(LoginSession.token_hash == login.token_hash)
                               .values(last_seen_at=now))
    user._login_token = token
    return user
