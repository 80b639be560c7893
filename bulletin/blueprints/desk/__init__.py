"""The coordinator's desk: sign-ups, organisations, postings, reports, statistics, the audit log, accounts.

Every page and action of the desk is the coordinator's alone. This package module holds only the
blueprint and what all its templates get; the pages join it from their own modules, and
``bulletin.blueprints.desk.routes`` gathers them for registration. It imports none of them, so a page
module can import ``bp`` from here without a cycle.
"""

from __future__ import annotations

from flask import Blueprint

from bulletin.db import get_session
from bulletin.services import desk_listings

bp = Blueprint("desk", __name__, url_prefix="/<lang>/desk")


@bp.context_processor
def desk_context():
    def desk_counts() -> desk_listings.WaitingCounts:
        """What waits for the coordinator, for the desk's navigation."""
        return desk_listings.waiting_counts(get_session())

    return {"desk_counts": desk_counts}
