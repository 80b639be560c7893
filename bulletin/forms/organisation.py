"""What an organisation says about itself (sign-up, profile), and the coordinator's answers to it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from bulletin.forms.fields import (
    LEFT_TO_RIGHT,
    NEW_PASSWORD,
    NOT_A_CHOICE,
    ONE_LINE,
    REQUIRED,
    SEVERAL_LINES,
    STRIP,
    TOO_LONG,
    TYPED_TEXT,
    MultiCheckboxField,
    district_choices,
    email_validators,
    labelled_choices,
    language_choices,
    new_password_validators,
    repeat_validators,
)
from bulletin.i18n import current_language
from bulletin.services import accounts, organisations
from bulletin.services.organisations import OrganisationInput
from bulletin.taxonomy import ORGANISATION_TYPES

REASON_MAX = 1000


class OrganisationFields(FlaskForm):
    """What an organisation says about itself: the sign-up and the profile share these fields."""

    # The order the fields are shown in (templates/macros/forms.html: organisation_fields).
    organisation_field_names = ("name", "type", "description_language", "description", "languages",
                                "email", "phone", "website", "address", "district")

    name = StringField(
        _l("Name of the organisation"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=organisations.NAME_MAX, message=TOO_LONG)],
        filters=STRIP,
        render_kw=TYPED_TEXT,
    )
    type = SelectField(
        _l("Kind of organisation"),
        choices=lambda: labelled_choices(ORGANISATION_TYPES),
        default="ngo",
        invalid_choice_message=NOT_A_CHOICE,
    )
    email = EmailField(
        _l("Public email address"),
        email_validators(required=False),
        description=_l("Shown on your public page, so people can write to you."),
        filters=STRIP,
        render_kw=LEFT_TO_RIGHT,
    )
    phone = StringField(
        _l("Phone"),
        [
            Optional(),
            ONE_LINE,
            Length(max=organisations.CONTACT_MAX["phone"], message=TOO_LONG),
            Regexp(
                organisations.PHONE_PATTERN,
                message=_l("A phone number has digits, spaces and + ( ) / - only."),
            ),
        ],
        filters=STRIP,
        render_kw=LEFT_TO_RIGHT,
    )
    website = URLField(
        _l("Website"),
        [
            Optional(),
            ONE_LINE,
            Length(max=organisations.CONTACT_MAX["website"], message=TOO_LONG),
            Regexp(
                r"^https?://[^\s/$.?#].[^\s]*$", message=_l("A web address starts with http:// or https://.")
            ),
        ],
        description=_l("For example https://www.example.org"),
        filters=STRIP,
        render_kw=LEFT_TO_RIGHT,
    )
    address = StringField(
        _l("Address"),
        [Optional(), ONE_LINE, Length(max=organisations.CONTACT_MAX["address"], message=TOO_LONG)],
        description=_l("Where people can find you, if they may come by."),
        filters=STRIP,
        render_kw=TYPED_TEXT,
    )
    district = SelectField(_l("District"), default="", invalid_choice_message=NOT_A_CHOICE)
    description_language = SelectField(_l("Language of the description"), invalid_choice_message=NOT_A_CHOICE)
    description = TextAreaField(
        _l("What you do"),
        [SEVERAL_LINES, Length(max=organisations.DESCRIPTION_MAX, message=TOO_LONG)],
        description=_l("A few sentences: who you are, whom you help and how."),
        render_kw=TYPED_TEXT,
    )
    languages = MultiCheckboxField(_l("Languages you speak"), invalid_choice_message=NOT_A_CHOICE)

    def __init__(self, *args, keep_district: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = district_choices(keep_district)
        self.description_language.choices = language_choices()
        self.languages.choices = language_choices()
        if not self.description_language.data:
            self.description_language.data = current_language()

    def organisation_input(self, other_descriptions: dict[str, str] | None = None) -> OrganisationInput:
        """The service's input; ``other_descriptions`` are the translations the form does not show."""
        descriptions = {self.description_language.data: self.description.data or ""}
        for code, text in (other_descriptions or {}).items():
            descriptions.setdefault(code, text)
        return OrganisationInput(
            name=self.name.data or "",
            type=self.type.data,
            descriptions=descriptions,
            email=self.email.data,
            phone=self.phone.data,
            website=self.website.data,
            address=self.address.data,
            district=self.district.data or None,
            languages=list(self.languages.data or []),
        )


class SignupForm(OrganisationFields):
    account_email = EmailField(
        _l("Your email address"),
        email_validators(),
        description=_l("You sign in with it. It is not shown publicly."),
        filters=STRIP,
        render_kw={"autocomplete": "email", **LEFT_TO_RIGHT},
    )
    password = PasswordField(
        _l("Password"),
        new_password_validators(),
        description=_l("At least %(min)d characters.", min=accounts.PASSWORD_MIN),
        render_kw=NEW_PASSWORD,
    )
    password_repeat = PasswordField(_l("Password again"), repeat_validators(), render_kw=NEW_PASSWORD)
    # Recorded as the audit entry "user.consent" of the sign-up (services/signups.py).
    privacy_consent = BooleanField(
        _l("I have read the privacy notice."),
        [DataRequired(message=_l("Please confirm that you have read the privacy notice."))],
    )


class ProfileForm(OrganisationFields):
    # The content decides whether it is an image (services.logos), not the file name.
    logo = FileField(
        _l("Logo"),
        description=_l("PNG, JPEG, GIF or WebP. Leave empty to keep the current logo."),
        render_kw={"accept": "image/png,image/jpeg,image/gif,image/webp"},
    )



class MatchDigestForm(FlaskForm):
    match_digest = BooleanField(
        _l("Daily mail of matching offers"),
        description=_l("Once a day, new offers that match your open requests are sent to your members."),
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (sent to the organisation)"),
        [Optional(), SEVERAL_LINES, Length(max=REASON_MAX, message=TOO_LONG)],
        render_kw=TYPED_TEXT,
    )
