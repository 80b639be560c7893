"""Flask-WTF forms shared by the blueprints.

Limits come from the services, so a form never accepts what a service would refuse; the services check
again, because the importer and the API do not come through these forms.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from bulletin.i18n import current_language
from bulletin.services import accounts, clock, organisations, postings, text_rules
from bulletin.services.errors import InvalidData
from bulletin.services.organisations import OrganisationInput
from bulletin.services.postings import PostingInput
from bulletin.taxonomy import CATEGORIES, LANGUAGES, ORGANISATION_TYPES, POSTING_TYPES

EMAIL_MAX = 254
REASON_MAX = 1000

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
NOT_AN_EMAIL = _l("This is not an email address.")
NOT_A_CHOICE = _l("Please choose one of the options.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]  # a stray space from a phone keyboard must not make an address "invalid"
NEW_PASSWORD = {"autocomplete": "new-password"}  # password managers offer to generate one
# Words someone types run in their own direction, whatever the page's (Arabic into a German form);
# numbers and addresses stay left to right on right-to-left pages.
TYPED_TEXT = {"dir": "auto"}
LEFT_TO_RIGHT = {"dir": "ltr"}


class TypedText:
    """The rule for typed text (bulletin.services.text_rules) as a validator. It stops the field's other
    checks: "not an email address" says nothing useful about an address with an invisible character."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        message = text_rules.problem(field.data, multiline=self.multiline)
        if message is not None:
            raise StopValidation(message)


ONE_LINE = TypedText()
SEVERAL_LINES = TypedText(multiline=True)


def _language_choices() -> list[SelectChoice]:
    # Native names, marked with their language: a reader recognises their language in its own script.
    return [
        SelectChoice(language.code, language.native_name, {"lang": language.code, "dir": language.direction})
        for language in LANGUAGES
    ]


def _district_choices(keep: str | None) -> list[SelectChoice]:
    """The board's districts, "no district", and a stored value not (or no longer) in the list."""
    districts = list(current_app.config["BULLETIN_DISTRICTS"])
    if keep and keep not in districts:
        districts.append(keep)
    return [SelectChoice("", _l("No particular district")), *(SelectChoice(name, name) for name in districts)]


def _labelled_choices(labels: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes: easier on a small touch screen than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DayField(DateField):
    """A calendar day; an empty input is "no date", and the form decides whether that is allowed."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


def _email_validators(required: bool = True) -> list:
    return [
        DataRequired(message=REQUIRED) if required else Optional(),
        ONE_LINE,
        Length(max=EMAIL_MAX, message=TOO_LONG),
        Regexp(organisations.EMAIL_PATTERN, message=NOT_AN_EMAIL),
    ]


def _new_password_validators() -> list:
    return [
        DataRequired(message=REQUIRED),
        Length(
            min=accounts.PASSWORD_MIN,
            max=accounts.PASSWORD_MAX,
            message=_l("Between %(min)d and %(max)d characters, please."),
        ),
    ]


def _repeat_validators() -> list:
    return [DataRequired(message=REQUIRED), EqualTo("password", message=_l("The two passwords differ."))]


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
        choices=lambda: _labelled_choices(ORGANISATION_TYPES),
        default="ngo",
        invalid_choice_message=NOT_A_CHOICE,
    )
    email = EmailField(
        _l("Public email address"),
        _email_validators(required=False),
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
        self.district.choices = _district_choices(keep_district)
        self.description_language.choices = _language_choices()
        self.languages.choices = _language_choices()
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
        _email_validators(),
        description=_l("You sign in with it. It is not shown publicly."),
        filters=STRIP,
        render_kw={"autocomplete": "email", **LEFT_TO_RIGHT},
    )
    password = PasswordField(
        _l("Password"),
        _new_password_validators(),
        description=_l("At least %(min)d characters.", min=accounts.PASSWORD_MIN),
        render_kw=NEW_PASSWORD,
    )
    password_repeat = PasswordField(_l("Password again"), _repeat_validators(), render_kw=NEW_PASSWORD)
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


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=EMAIL_MAX, message=TOO_LONG)],
        filters=STRIP,
        render_kw={"autocomplete": "username", **LEFT_TO_RIGHT},
    )
    password = PasswordField(
        _l("Password"),
        [DataRequired(message=REQUIRED), Length(max=accounts.PASSWORD_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), _email_validators(), filters=STRIP, render_kw=LEFT_TO_RIGHT)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        _new_password_validators(),
        description=_l("At least %(min)d characters.", min=accounts.PASSWORD_MIN),
        render_kw=NEW_PASSWORD,
    )
    password_repeat = PasswordField(_l("New password again"), _repeat_validators(), render_kw=NEW_PASSWORD)


class PostingForm(FlaskForm):
    type = RadioField(
        _l("This is"),
        choices=lambda: _labelled_choices(POSTING_TYPES),
        default="offer",
        invalid_choice_message=NOT_A_CHOICE,
    )
    category = SelectField(
        _l("Category"),
        choices=lambda: [SelectChoice(c.slug, c.label) for c in CATEGORIES],
        invalid_choice_message=_l("Unknown category."),
    )
    original_language = SelectField(_l("Language you write in"), invalid_choice_message=NOT_A_CHOICE)
    title = StringField(
        _l("Title"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=postings.TITLE_MAX, message=TOO_LONG)],
        description=_l("Short and concrete, for example: Winter jackets for children"),
        filters=STRIP,
        render_kw=TYPED_TEXT,
    )
    body = TextAreaField(
        _l("Description"),
        [SEVERAL_LINES, Length(max=postings.BODY_MAX, message=TOO_LONG)],
        description=_l("What, for whom, when and how to get in touch. Simple words help."),
        render_kw=TYPED_TEXT,
    )
    district = SelectField(_l("District"), default="", invalid_choice_message=NOT_A_CHOICE)
    valid_until = DayField(
        _l("Valid until"),
        invalid_value_message=_l("Enter a date like 2025-12-31."),
        description=_l("After this day the posting is no longer shown. At most one year."),
    )

    def __init__(
        self,
        *args,
        keep_district: str | None = None,
        keep_valid_until: date | None = None,
        editing: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self._keep_valid_until = keep_valid_until
        # Imported postings may have no end date; editing one must not force a date on it.
        self._open_ended_allowed = editing and keep_valid_until is None
        if not self._open_ended_allowed:
            self.valid_until.render_kw = {"required": True}
        self.original_language.choices = _language_choices()
        self.district.choices = _district_choices(keep_district)
        if not editing and not self.is_submitted():
            self.original_language.data = current_language()
            days = current_app.config["BULLETIN_POSTING_DEFAULT_DAYS"]
            self.valid_until.data = clock.today() + timedelta(days=days)

    def validate_valid_until(self, field):
        if field.process_errors:
            return  # not a date at all: the field says so already
        if field.data is None:
            if self._open_ended_allowed:
                return
            raise ValidationError(_l("Choose the last day the posting is valid."))
        if field.data == self._keep_valid_until:
            return  # an unchanged stored date stays, even one set by an import beyond a year
        today = clock.today()
        if field.data < today:
            raise ValidationError(_l("The date must not be in the past."))
        if field.data > one_year_after(today):
            raise ValidationError(_l("At most one year from today."))

    def posting_input(self, translations: dict[str, tuple[str, str]], status: str) -> PostingInput:
        """The service's input: this form's original text plus the ``translations`` it does not show."""
        titles = {code: title for code, (title, _body) in translations.items()}
        bodies = {code: body for code, (_title, body) in translations.items()}
        titles[self.original_language.data] = self.title.data or ""
        bodies[self.original_language.data] = self.body.data or ""
        return PostingInput(
            type=self.type.data,
            category=self.category.data,
            titles=titles,
            bodies=bodies,
            original_language=self.original_language.data,
            district=self.district.data or None,
            valid_until=self.valid_until.data,
            status=status,
        )


class TranslationForm(FlaskForm):
    title = StringField(
        _l("Title"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=postings.TITLE_MAX, message=TOO_LONG)],
        filters=STRIP,
    )
    body = TextAreaField(_l("Description"), [SEVERAL_LINES, Length(max=postings.BODY_MAX, message=TOO_LONG)])


class AddMemberForm(FlaskForm):
    email = EmailField(
        _l("Email address of the new member"),
        _email_validators(),
        description=_l("They get an email with a link to choose their password."),
        filters=STRIP,
        render_kw=LEFT_TO_RIGHT,
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


def show_service_errors(
    form: FlaskForm, error: InvalidData, field_names: dict[str, str] | None = None
) -> None:
    """Put a service's refusal next to the fields it names; the rest goes to the form-wide list."""
    field_names = field_names or {}
    for name, message in error.errors.items():
        field = form._fields.get(field_names.get(name, name))
        if field is not None and not isinstance(field, HiddenField):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
