"""Report a problem: a small form behind every public posting and organisation page.

No account is needed and nothing about the visitor is kept: the form's session cookie only carries the
CSRF token, and the per-address throttle (Flask-Limiter) counts in memory, never in the database.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from bulletin import i18n
from bulletin.blueprints.dashboard import MAX_ID
from bulletin.blueprints.presenters import Text, text
from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms import NOT_A_CHOICE, SEVERAL_LINES, TOO_LONG, show_service_errors
from bulletin.links import external_url
from bulletin.mail import send_mail_or_log
from bulletin.models import Organisation, Posting
from bulletin.services import accounts, clock, listing, reports
from bulletin.services.errors import Gone, InvalidData, NotFound

bp = Blueprint("reports", __name__, url_prefix="/<lang>/report")

KEY_MAX = 100


def report_limit() -> str:
    return current_app.config["BULLETIN_REPORT_LIMIT"]


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
    session = get_session()
    try:
        report = save(session, form.reason.data, form.text.data)
        session.commit()
    except InvalidData as error:
        session.rollback()
        show_service_errors(form, error)
        return render_form(form, about, about_url, kind)
    tell_coordinators(report, about)
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


def coordinator_language() -> str:
    default = current_app.config["BULLETIN_DEFAULT_LANGUAGE"]
    return default if default in i18n.ui_languages() else i18n.SOURCE_LANGUAGE


def tell_coordinators(report, about: Text) -> None:
    """Mail the coordinators, in the board's language rather than the visitor's."""
    language = coordinator_language()
    with force_locale(language):
        body = render_template(
            "reports/mail_new_report.txt",
            about=about.value,
            reason=str(reports.REASONS[report.reason]),
            text=report.text,
            url=external_url("moderation.reports", lang=language),
        )
        # One line: a title with a line break would be refused as a mail header.
        subject = _("A visitor reported a problem: %(about)s", about=" ".join(about.value.split()))
    for address in accounts.coordinator_emails(get_session()):
        send_mail_or_log(address, subject, body)
