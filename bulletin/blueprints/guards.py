"""Who may open a page: decorators that several blueprints put in front of their views."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_login import current_user


def coordinator_required(view):
    """Anonymous visitors are sent to sign in; members and translators are refused with 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return guarded
