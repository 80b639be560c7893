"""The last step of every sign-in, after the password (blueprints/account.py) or after the code of
two-step sign-in (blueprints/two_factor.py): start the login session and go on to where the visitor was
headed, if that is a page of this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from bulletin import login_sessions
from bulletin.models import User


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: a link must not send someone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash and drop tabs and newlines: "/\\evil.example" is another host.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def complete_sign_in(user: User, next_url: str | None):
    """Sign ``user`` in in this browser (a new session: ``login_sessions.begin``) and redirect on."""
    login_sessions.begin(user)
    flash(_("You are signed in."), "success")
    return redirect(safe_next(next_url) or url_for("dashboard.index"))
