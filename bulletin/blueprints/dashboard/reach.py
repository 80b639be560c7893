"""What every dashboard page looks up first: the member's organisation, a posting within reach."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from bulletin.db import get_session
from bulletin.models import Organisation, Posting
from bulletin.services import postings
from bulletin.services.errors import NotFound


def own_organisation() -> Organisation:
    """The signed-in member's organisation; the coordinator has none and works at the desk."""
    if current_user.organisation is None:
        abort(404)
    return current_user.organisation


def posting_in_reach(posting_id: int) -> Posting:
    """The posting if this user may know about it: their organisation's, or any for the coordinator."""
    try:
        return postings.posting_in_reach(get_session(), current_user, posting_id)
    except NotFound:
        abort(404)


def back_to_list() -> str:
    return url_for("desk.postings") if current_user.is_coordinator else url_for(".index")


def form_status(form) -> int:
    return 400 if form.is_submitted() else 200
