"""The desk's queue of reports from visitors: resolve or dismiss each, with a note for the desk."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin.blueprints import desk_presenters, query_args
from bulletin.blueprints.dashboard import MAX_ID
from bulletin.blueprints.desk_forms import ReportCloseForm
from bulletin.blueprints.moderation import bp, coordinator_required, decide, found_or_404
from bulletin.blueprints.presenters import page_nav
from bulletin.db import get_session
from bulletin.models import Report
from bulletin.services import reports
from bulletin.services.pagination import paginate


@dataclass(frozen=True)
class ReportCard:
    row: desk_presenters.ReportRow
    form: ReportCloseForm | None  # open reports only


def report_form_for(report_id: int, formdata=None) -> ReportCloseForm:
    """Several reports share the queue page, so each form's field needs its own id."""
    form = ReportCloseForm(formdata=formdata)
    form.note.id = f"note-{report_id}"
    form.note.label.field_id = form.note.id
    return form


def report_status_options() -> list[tuple[str, str]]:
    labels = desk_presenters.report_status_labels()
    return [(status, labels[status]) for status in reports.STATUSES]


def render_reports(status: str, failed: tuple[int, ReportCloseForm] | None = None, code: int = 200):
    session = get_session()
    page = paginate(session, reports.queue(status), query_args.page_number(request.args),
                    current_app.config["BULLETIN_PER_PAGE"])
    if page.page > page.pages:
        abort(404)
    cards = [
        ReportCard(row, (failed[1] if failed and failed[0] == row.id else report_form_for(row.id))
                   if row.status == "open" else None)
        for row in desk_presenters.report_rows(session, page.items)
    ]
    return render_template(
        "moderation/reports.html",
        cards=cards,
        total=page.total,
        nav=page_nav(page, lambda number: url_for(".reports", status=status,
                                                  page=number if number > 1 else None)),
        status_options=report_status_options(),
        status=status,
    ), code


@bp.get("/reports", endpoint="reports")
@coordinator_required
def report_queue():
    return render_reports(query_args.choice(request.args, "status", reports.STATUSES) or "open")


def close_report(report_id: int, status: str):
    report = found_or_404(Report, report_id)
    form = report_form_for(report_id, formdata=request.form)
    if not form.validate():
        return render_reports("open", (report_id, form), code=400)
    ok, _result = decide(
        lambda: reports.close_report(get_session(), current_user, report, status, form.note.data)
    )
    if ok:
        flash(_("The report is resolved.") if status == "resolved" else _("The report is dismissed."),
              "success")
    return redirect(url_for(".reports"))


@bp.post(f"/reports/<int(max={MAX_ID}):report_id>/resolve")
@coordinator_required
def resolve_report(report_id: int):
    return close_report(report_id, "resolved")


@bp.post(f"/reports/<int(max={MAX_ID}):report_id>/dismiss")
@coordinator_required
def dismiss_report(report_id: int):
    return close_report(report_id, "dismissed")


