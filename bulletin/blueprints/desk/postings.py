"""The desk's postings: every posting with filters (the review queue is the held ones), and one posting's
page where the coordinator hides, restores or releases it."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import settings
from bulletin.blueprints import query_args
from bulletin.blueprints.desk import audit_rows, bp, presenters
from bulletin.blueprints.desk.actions import decide_and_tell, found_or_404
from bulletin.blueprints.desk.forms import HideForm
from bulletin.blueprints.desk.paging import nav, page_or_404
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.models import Posting
from bulletin.notifications import desk as desk_mails
from bulletin.services import audit_log, clock, desk_listings, moderation, organisations, postings

POSTING = f"/postings/<int(max={MAX_ID}):posting_id>"


def state_options() -> list[tuple[str, str]]:
    return [("", _("All")), ("open", _("Open")), ("expired", _("Expired")), ("closed", _("Closed"))]


def moderation_options() -> list[tuple[str, str]]:
    labels = presenters.moderation_labels()
    return [("", _("All"))] + [(state, labels[state]) for state in moderation.MODERATION_STATES]


@bp.get("/postings", endpoint="postings")
@coordinator_required
def all_postings():
    session, today = get_session(), clock.today()
    everyone = organisations.all_by_name(session)
    state = query_args.choice(request.args, "status", postings.POSTING_STATES)
    review = query_args.choice(request.args, "review", moderation.MODERATION_STATES)
    organisation = query_args.choice(request.args, "organisation", [str(item.id) for item in everyone])
    page = page_or_404(desk_listings.postings_page(
        session, today, state=state, review=review,
        organisation_id=int(organisation) if organisation else None,
        page=query_args.page_number(request.args), per_page=settings.current().per_page,
    ))
    return render_template(
        "desk/postings.html",
        rows=presenters.desk_posting_rows(page.items, today),
        total=page.total,
        nav=nav(page, ".postings", status=state, review=review, organisation=organisation),
        state_options=state_options(),
        state=state or "",
        review_options=moderation_options(),
        review=review or "",
        organisation_options=[("", _("All organisations"))]
        + [(str(item.id), item.name) for item in everyone],
        organisation=organisation or "",
    )


def render_posting(posting: Posting, hide_form: HideForm | None = None, status: int = 200):
    session = get_session()
    return render_template(
        "desk/posting.html",
        posting=presenters.posting_detail(posting, clock.today()),
        reports=presenters.report_rows(desk_listings.reports_about_posting(session, posting.id)),
        entries=audit_rows.audit_rows(audit_log.entries_about(session, "posting", posting.id)),
        hide_form=hide_form or HideForm(formdata=None, data={"reason": posting.moderation_reason or ""}),
    ), status


def back_to_posting(posting_id: int):
    return redirect(url_for(".posting", posting_id=posting_id))


@bp.get(POSTING, endpoint="posting")
@coordinator_required
def posting_page(posting_id: int):
    return render_posting(found_or_404(Posting, posting_id))


@bp.post(f"{POSTING}/hide")
@coordinator_required
def hide_posting(posting_id: int):
    posting = found_or_404(Posting, posting_id)
    form = HideForm()
    if not form.validate():
        return render_posting(posting, form, status=400)
    reason = form.reason.data
    decide_and_tell(lambda: moderation.hide_posting(get_session(), current_user, posting, reason),
                    _("The posting is hidden; its organisation sees your reason."),
                    _("The posting was already hidden for this reason."),
                    then=lambda: desk_mails.tell_posting_hidden(posting, presenters.posting_title(posting)))
    return back_to_posting(posting_id)


@bp.post(f"{POSTING}/restore")
@coordinator_required
def restore_posting(posting_id: int):
    posting = found_or_404(Posting, posting_id)
    decide_and_tell(lambda: moderation.restore_posting(get_session(), current_user, posting),
                    _("The posting is no longer hidden."), _("The posting was not hidden."),
                    then=lambda: desk_mails.tell_posting_restored(posting, presenters.posting_title(posting)))
    return back_to_posting(posting_id)


@bp.post(f"{POSTING}/release")
@coordinator_required
def release_posting(posting_id: int):
    posting = found_or_404(Posting, posting_id)
    decide_and_tell(lambda: moderation.release_posting(get_session(), current_user, posting),
                    _("The posting is released onto the board."),
                    _("The posting was not waiting for review."),
                    then=lambda: desk_mails.tell_posting_released(posting, presenters.posting_title(posting)))
    if request.form.get("from") == "list":
        return redirect(url_for(".postings", review="held"))
    return back_to_posting(posting_id)
