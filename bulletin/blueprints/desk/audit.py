"""The desk's audit log: every recorded change, filtered by who, what and when. It only reads."""

from __future__ import annotations

from flask import render_template, request

from bulletin.blueprints import query_args
from bulletin.blueprints.desk import audit_rows, bp
from bulletin.blueprints.desk.forms import AuditFilterForm
from bulletin.blueprints.desk.paging import nav, page_or_404
from bulletin.blueprints.guards import coordinator_required
from bulletin.db import get_session
from bulletin.services import audit_log, desk_listings

AUDIT_PER_PAGE = 50


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
        return render_template("desk/audit.html", form=form, rows=[], total=0, nav=None), 400
    filters = audit_log.AuditFilter(
        actor=form.actor.data or None,
        action=form.action.data or None,
        object_type=form.object_type.data or None,
        object_key=form.object_key.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    page = page_or_404(desk_listings.audit_page(session, filters, query_args.page_number(request.args),
                                                AUDIT_PER_PAGE))
    kept = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "desk/audit.html",
        form=form,
        rows=audit_rows.audit_rows(page.items),
        total=page.total,
        nav=nav(page, ".audit", **kept),
    )
