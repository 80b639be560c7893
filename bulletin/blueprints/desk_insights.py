"""The desk's overview pages: the statistics (with their CSV tables) and the audit log. Both only read."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from bulletin.blueprints import desk_presenters, desk_statistics, query_args
from bulletin.blueprints.desk_forms import AuditFilterForm
from bulletin.blueprints.moderation import bp, coordinator_required
from bulletin.blueprints.presenters import page_nav
from bulletin.db import get_session
from bulletin.services import audit_log, clock, statistics
from bulletin.services.pagination import paginate
from bulletin.taxonomy import CATEGORY_BY_SLUG

AUDIT_PER_PAGE = 50

def record_today(today) -> None:
    """Today's snapshot for the history, if the daily command has not written it yet."""
    session = get_session()
    try:
        if statistics.record_snapshot(session, today):
            session.commit()
    except IntegrityError:  # written by another request or the command a moment ago
        session.rollback()


def history_filters() -> tuple[str | None, str | None]:
    districts = set(statistics.snapshot_districts(get_session())) | set(
        current_app.config["BULLETIN_DISTRICTS"]
    )
    category = query_args.choice(request.args, "category", CATEGORY_BY_SLUG)
    district = query_args.choice(request.args, "district", districts)
    return category, district


@bp.get("/statistics", endpoint="statistics")
@coordinator_required
def statistics_page():
    today = clock.today()
    category, district = history_filters()
    record_today(today)
    districts = sorted(set(statistics.snapshot_districts(get_session()))
                       | set(current_app.config["BULLETIN_DISTRICTS"]))
    return render_template(
        "moderation/statistics.html",
        page=desk_statistics.statistics_page(get_session(), today, category, district),
        category_options=[("", _("All categories"))]
        + [(slug, str(item.label)) for slug, item in CATEGORY_BY_SLUG.items()],
        category=category or "",
        district_options=[("", _("All districts"))] + [(name, name) for name in districts],
        district=district or "",
        csv_tables=list(desk_statistics.CSV_TABLES),
    )


@bp.get("/statistics/<table>.csv", endpoint="statistics_csv")
@coordinator_required
def statistics_csv(table: str):
    if table not in desk_statistics.CSV_TABLES:
        abort(404)
    today = clock.today()
    category, district = history_filters()
    record_today(today)
    page = desk_statistics.statistics_page(get_session(), today, category, district)
    # The byte order mark tells spreadsheet programs the file is UTF-8 (Arabic, Tigrinya, ...).
    body = "\ufeff" + desk_statistics.csv_document(page, table)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="board-{table}-{today.isoformat()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# The audit log ---------------------------------------------------------------------------------------


@bp.get("/audit", endpoint="audit")
@coordinator_required
def audit_page():
    session = get_session()
    form = AuditFilterForm(
        formdata=request.args,
        actions=audit_log.known_actions(session),
        object_types=audit_log.known_object_types(session),
    )
    if request.args and not form.validate():
        return render_template("moderation/audit.html", form=form, rows=[], total=0, nav=None), 400
    filters = audit_log.AuditFilter(
        actor=form.actor.data or None,
        action=form.action.data or None,
        object_type=form.object_type.data or None,
        object_key=form.object_key.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    page = paginate(session, audit_log.entries(filters), query_args.page_number(request.args), AUDIT_PER_PAGE)
    if page.page > page.pages:
        abort(404)
    kept = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "moderation/audit.html",
        form=form,
        rows=desk_presenters.audit_rows(page.items),
        total=page.total,
        nav=page_nav(page, lambda number: url_for(".audit", page=number if number > 1 else None, **kept)),
    )


