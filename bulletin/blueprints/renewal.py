"""The one-click renew link of an expiry reminder.

Opening the link (GET) only shows what will happen: mail scanners and link previews fetch links, and
must not renew anything. The button on that page (POST, with CSRF) renews and uses the link up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from bulletin import i18n, settings
from bulletin.blueprints.presenters import Text, text
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.models import Posting
from bulletin.services import clock, expiry
from bulletin.services.errors import InvalidData, PermissionDenied

bp = Blueprint("renewal", __name__, url_prefix="/<lang>/renew")

TOKEN_MAX = 300  # a real token is about 120 characters; anything far longer is not one


class RenewForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


@dataclass(frozen=True)
class RenewalView:
    title: Text
    organisation_name: str
    valid_until: str
    new_valid_until: str


def renewal_view(posting: Posting, today: date, days: int) -> RenewalView:
    shown = posting.text(i18n.current_language())
    new_until = max(today + timedelta(days=days), posting.valid_until or today)  # renewing never shortens
    current = format_date(posting.valid_until, format="long") if posting.valid_until else _("No end date")
    return RenewalView(
        title=text(shown.title, shown.language),
        organisation_name=posting.organisation.name,
        valid_until=current,
        new_valid_until=format_date(new_until, format="long"),
    )


def link_no_longer_works(message: str | None = None):
    return render_template("renewal/invalid.html", message=message), 400


def no_store(page):
    """A page reached through a secret link: never kept by a cache."""
    body, status = page
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def renew_with_link(session, reminder, today: date, days: int) -> Posting:
    """Renew through the link. A refusal is said on the page like any other reason, not as a bare 403:
    whoever clicked a link in a mail needs to know whom to ask."""
    try:
        return expiry.renew_with_link(session, reminder, today, days)
    except PermissionDenied as error:
        raise InvalidData({"organisation": _("The organisation of this posting cannot change it at the "
                                             "moment. Please contact the coordinator.")}) from error


@bp.route("/<token>", methods=["GET", "POST"])
def renew(token: str):
    return no_store(_renew(token))


def _renew(token: str):
    if len(token) > TOKEN_MAX:
        return link_no_longer_works()
    session, today = get_session(), clock.today()
    days = settings.current().renew_days
    reminder = expiry.reminder_for_token(
        session, current_app.secret_key, token, settings.current().renew_link_days
    )
    if reminder is None:
        return link_no_longer_works()
    posting = expiry.posting_of(session, reminder)
    form = RenewForm()
    if not form.validate_on_submit():
        page = render_template("renewal/confirm.html", form=form, posting=renewal_view(posting, today, days))
        return page, 400 if form.is_submitted() else 200
    try:
        commit(lambda: renew_with_link(session, reminder, today, days))
    except InvalidData as error:
        return link_no_longer_works(" ".join(str(message) for message in error.errors.values()))
    public_url = url_for("public.posting", posting_id=posting.id) if posting.is_listed(today) else None
    shown = renewal_view(posting, today, days)
    return render_template("renewal/done.html", posting=shown, public_url=public_url), 200
