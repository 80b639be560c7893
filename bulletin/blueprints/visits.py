"""Counting visits of the public pages: per day, kind of page and language, nothing else.

The count is taken after the page is made, in its own short transaction, and a failure is only
logged: a visitor never sees an error because of it.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from bulletin import i18n
from bulletin.db import get_engine
from bulletin.services import clock, visits

bp = Blueprint("visits", __name__)

COUNTED_BLUEPRINT = "public"


@bp.after_app_request
def count_public_page(response: Response) -> Response:
    if request.method != "GET" or response.status_code != 200 or request.blueprint != COUNTED_BLUEPRINT:
        return response
    page_kind = request.endpoint.rsplit(".", 1)[-1]
    try:
        with get_engine().begin() as connection:
            visits.count_visit(connection, clock.today(), page_kind, i18n.current_language())
    except SQLAlchemyError:
        current_app.logger.warning("Could not count a visit of %s", page_kind, exc_info=True)
    return response
