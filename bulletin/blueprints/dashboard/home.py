"""The dashboard's front page: the organisation's postings and status, and its match-digest choice."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin.blueprints.dashboard.presenters import (
    STATUS_BADGES,
    organisation_status_labels,
    posting_rows,
    status_notice,
)
from bulletin.blueprints.dashboard.reach import own_organisation
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms.organisation import MatchDigestForm
from bulletin.services import clock, digest, permissions, postings


def index():
    if current_user.organisation is None:
        # The coordinator works at the desk, a volunteer translator at the translations queue.
        return redirect(url_for("translate.queue" if current_user.is_translator else "desk.postings"))
    organisation = current_user.organisation
    today = clock.today()
    items = postings.organisation_postings(get_session(), today, organisation.id)
    return render_template(
        "dashboard/index.html",
        organisation=organisation,
        status_label=organisation_status_labels().get(organisation.status, organisation.status),
        status_badge=STATUS_BADGES.get(organisation.status),
        public_url=url_for("public.organisation", key=organisation.key) if organisation.is_public else None,
        notice=status_notice(organisation),
        rows=posting_rows(items, today),
        can_post=permissions.can_post_for(current_user, organisation),
        can_edit_profile=permissions.can_edit_profile(current_user, organisation),
        digest_form=MatchDigestForm(match_digest=organisation.match_digest)
        if permissions.can_post_for(current_user, organisation) else None,
    )


def match_digest():
    """Ask for, or stop, the daily mail of new offers matching the organisation's requests."""
    organisation = own_organisation()
    form = MatchDigestForm()
    if not form.validate_on_submit():
        abort(400)
    changed = commit(lambda: digest.set_match_digest(get_session(), current_user, organisation,
                                                       form.match_digest.data))
    if changed and form.match_digest.data:
        flash(_("You will get a daily mail when new offers match your open requests."), "success")
    elif changed:
        flash(_("You will no longer get the daily mail of matching offers."), "success")
    return redirect(url_for(".index"))
