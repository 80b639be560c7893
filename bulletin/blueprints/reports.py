"""Report a problem: a small form behind every public posting and organisation page.

No account is needed and nothing about the visitor is kept: the form's session cookie only carries the
CSRF token, and the per-address throttle (Flask-Limiter) counts in memory, never in the database.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from bulletin import i18n, settings
from bulletin.blueprints.presenters import Text, text
from bulletin.blueprints.transactions import commit
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms.fields import NOT_A_CHOICE, SEVERAL_LINES, TOO_LONG
from bulletin.forms.service_errors import show_service_errors
from bulletin.models import Organisation, Posting
from bulletin.notifications import reports as report_mails
from bulletin.services import clock, listing, reports
from bulletin.services.errors import Gone, InvalidData, NotFound

bp = Blueprint("reports", __name__, url_prefix="/<lang>/report")

KEY_MAX = 100


def report_limit() -> str:
    return settings.current().report_limit


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("What is the problem?"),
        [InputRequired(message=_l("Please choose one of the options."))],
        choices=lambda: [SelectChoice(code, label) for code, label in reports.REASONS.items()],
        invalid_choice_message=NOT_A_CHOICE,
    )
    text = TextAreaField(
        _l("Tell us more (optional)"),
        [SEVERAL_LINES, Length(max=reports.TEXT_MAX, message=TOO_LONG)],
        description=_l(
            "Please do not write your name or how to reach you: the coordinator does not need it, "
            "and the board keeps nothing about who reports."
        ),
    )


def render_form(form: ReportForm, about: Text, about_url: str, kind: str):
    status = 400 if form.is_submitted() else 200
    page = render_template("reports/form.html", form=form, about=about, about_url=about_url, kind=kind)
    return page, status


def receive(form: ReportForm, about: Text, about_url: str, kind: str, save):
    """Check the form, store the report, tell the coordinator, and thank the visitor."""
    if not form.validate_on_submit():
        return render_form(form, about, about_url, kind)
    try:
        report = commit(lambda: save(get_session(), form.reason.data, form.text.data))
    except InvalidData as error:
        show_service_errors(form, error)
        return render_form(form, about, about_url, kind)
    report_mails.tell_coordinators(report, about.value)
    return redirect(url_for(".thanks"))


@bp.route(f"/posting/<int(max={MAX_ID}):posting_id>", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"])  # per address, in memory
def posting(posting_id: int):
    try:
        found: Posting = listing.public_posting(get_session(), posting_id, clock.today())
    except (NotFound, Gone):
        abort(404)
    shown = found.text(i18n.current_language())
    about = text(shown.title, shown.language)
    return receive(
        ReportForm(), about, url_for("public.posting", posting_id=found.id), "posting",
        lambda session, reason, words: reports.report_posting(session, found, reason, words),
    )


@bp.route("/organisation/<path:key>", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"])
def organisation(key: str):
    if len(key) > KEY_MAX or not key.isprintable():
        abort(404)
    try:
        found: Organisation = listing.public_organisation(get_session(), key)
    except NotFound:
        abort(404)
    return receive(
        ReportForm(), Text(found.name, "", "auto"), url_for("public.organisation", key=found.key),
        "organisation",
        lambda session, reason, words: reports.report_organisation(session, found, reason, words),
    )


@bp.get("/thanks")
def thanks():
    return render_template("reports/thanks.html")

