"""The desk's statistics page and its CSV tables. Both only read, except today's snapshot for the
history, written here when the daily command has not written it yet."""

from __future__ import annotations

from contextlib import suppress
from datetime import date

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from bulletin import settings
from bulletin.blueprints import query_args
from bulletin.blueprints.desk import bp, statistics_page
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.services import clock, desk_figures, statistics
from bulletin.taxonomy import CATEGORY_BY_SLUG


def record_today(today: date) -> None:
    """Today's snapshot for the history, if the daily command has not written it yet."""
    # IntegrityError: written by another request or the command a moment ago.
    with suppress(IntegrityError):
        commit(lambda: statistics.record_snapshot(get_session(), today))


def known_districts() -> list[str]:
    return desk_figures.districts(get_session(), settings.current().districts)


def figures_page(today: date) -> tuple[statistics_page.StatisticsPage, str | None, str | None]:
    """The view model for the history's filters from the query, after today's snapshot is written.

    The filters are checked against the districts known before the snapshot: one that appears only
    today has no history to narrow to yet."""
    category = query_args.choice(request.args, "category", CATEGORY_BY_SLUG)
    district = query_args.choice(request.args, "district", known_districts())
    record_today(today)
    figures = desk_figures.gather(get_session(), today, category=category, district=district)
    return statistics_page.statistics_page(figures, today), category, district


@bp.get("/statistics", endpoint="statistics")
@coordinator_required
def statistics_view():
    page, category, district = figures_page(clock.today())
    return render_template(
        "desk/statistics.html",
        page=page,
        category_options=[("", _("All categories"))]
        + [(slug, str(item.label)) for slug, item in CATEGORY_BY_SLUG.items()],
        category=category or "",
        district_options=[("", _("All districts"))] + [(name, name) for name in known_districts()],
        district=district or "",
        csv_tables=list(statistics_page.CSV_TABLES),
    )


@bp.get("/statistics/<table>.csv", endpoint="statistics_csv")
@coordinator_required
def statistics_csv(table: str):
    if table not in statistics_page.CSV_TABLES:
        abort(404)
    today = clock.today()
    page, _category, _district = figures_page(today)
    # The byte order mark tells spreadsheet programs the file is UTF-8 (Arabic, Tigrinya, ...).
    body = "\ufeff" + statistics_page.csv_document(page, table)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="board-{table}-{today.isoformat()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
