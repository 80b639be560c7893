"""The desk's queue of reports from visitors: resolve or dismiss each, with a note for the desk."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import settings
from bulletin.blueprints import query_args
from bulletin.blueprints.desk import bp, presenters
from bulletin.blueprints.desk.actions import decide, found_or_404
from bulletin.blueprints.desk.forms import ReportCloseForm
from bulletin.blueprints.desk.paging import nav, page_or_404
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.models import Report
from bulletin.services import desk_listings, reports

REPORT = f"/reports/<int(max={MAX_ID}):report_id>"


@dataclass(frozen=True)
class ReportCard:
    row: presenters.ReportRow
    form: ReportCloseForm | None  # open reports only


def report_form_for(report_id: int, formdata=None) -> ReportCloseForm:
    """Several reports share the queue page, so each form's field needs its own id."""
    form = ReportCloseForm(formdata=formdata)
    form.note.id = f"note-{report_id}"
    form.note.label.field_id = form.note.id
    return form


def report_status_options() -> list[tuple[str, str]]:
    labels = presenters.report_status_labels()
    return [(status, labels[status]) for status in reports.STATUSES]


def render_reports(status: str, failed: tuple[int, ReportCloseForm] | None = None, code: int = 200):
    page = page_or_404(desk_listings.reports_page(
        get_session(), status=status, page=query_args.page_number(request.args),
        per_page=settings.current().per_page,
    ))
    cards = [
        ReportCard(row, (failed[1] if failed and failed[0] == row.id else report_form_for(row.id))
                   if row.status == "open" else None)
        for row in presenters.report_rows(page.items)
    ]
    return render_template(
        "desk/reports.html",
        cards=cards,
        total=page.total,
        nav=nav(page, ".reports", status=status),
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


@bp.post(f"{REPORT}/resolve")
@coordinator_required
def resolve_report(report_id: int):
    return close_report(report_id, "resolved")


@bp.post(f"{REPORT}/dismiss")
@coordinator_required
def dismiss_report(report_id: int):
    return close_report(report_id, "dismissed")
