"""The organisation's public profile, as its members keep it: texts, contacts, languages, logo."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import settings
from bulletin.blueprints.dashboard.reach import form_status, own_organisation
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms.organisation import ProfileForm
from bulletin.forms.service_errors import show_service_errors
from bulletin.i18n import current_language
from bulletin.models import Organisation
from bulletin.services import logos, organisations, permissions
from bulletin.services.errors import InvalidData


def profile():
    organisation = own_organisation()
    if not permissions.can_edit_profile(current_user, organisation):
        abort(403)
    original = next((text for text in organisation.texts if text.is_original), None)
    form = ProfileForm(
        data={
            "name": organisation.name,
            "type": organisation.type,
            "email": organisation.email,
            "phone": organisation.phone,
            "website": organisation.website,
            "address": organisation.address,
            "district": organisation.district or "",
            "description_language": original.language if original else current_language(),
            "description": original.description if original else "",
            "languages": list(organisation.languages),
        },
        keep_district=organisation.district,
    )
    logo_url = url_for("logo", filename=organisation.logo) if organisation.logo else None
    if not form.validate_on_submit():
        return render_template(
            "dashboard/profile.html", form=form, organisation=organisation, logo_url=logo_url
        ), form_status(form)
    translations = {text.language: text.description for text in organisation.texts if not text.is_original}
    try:
        changed = commit(lambda: save_profile(organisation, form, translations))
    except InvalidData as error:
        show_service_errors(form, error)
        return render_template(
            "dashboard/profile.html", form=form, organisation=organisation, logo_url=logo_url
        ), 400
    flash(
        _("Your profile is saved.") if changed else _("Nothing was changed."),
        "success" if changed else "info",
    )
    return redirect(url_for(".index"))


def save_profile(organisation: Organisation, form: ProfileForm, translations: dict[str, str]) -> bool:
    """The profile and, if one came, the logo: checked first, so a bad image changes nothing."""
    upload = form.logo.data
    filename = None
    if upload:
        max_bytes = settings.current().logo_max_bytes
        filename = logos.store_logo(
            upload.read(max_bytes + 1), settings.current().upload_dir, max_bytes
        )
    session = get_session()
    changed = organisations.update_profile(
        session, current_user, organisation, form.organisation_input(translations)
    )
    if filename and filename != organisation.logo:
        organisations.set_logo(session, current_user, organisation, filename)
        changed = True
    return changed
