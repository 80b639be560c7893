"""The forms of the coordinator's desk. Limits come from the services, which check again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from bulletin.forms import (
    EMAIL_MAX,
    NOT_A_CHOICE,
    NOT_AN_EMAIL,
    ONE_LINE,
    REQUIRED,
    SEVERAL_LINES,
    STRIP,
    TOO_LONG,
    DayField,
    MultiCheckboxField,
)
from bulletin.services import moderation, organisations, reports
from bulletin.taxonomy import LANGUAGES

FILTER_TEXT_MAX = 254


BAD_DAY = _l("Enter a date like 2025-12-31.")


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the organisation sees it)"),
        [DataRequired(message=REQUIRED), SEVERAL_LINES, Length(max=moderation.REASON_MAX, message=TOO_LONG)],
        description=_l("For example: the phone number does not work; please correct it."),
    )


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (sent to the organisation)"),
        [Optional(), SEVERAL_LINES, Length(max=moderation.REASON_MAX, message=TOO_LONG)],
    )


class MessageForm(FlaskForm):
    text = TextAreaField(
        _l("What should the organisation change?"),
        [DataRequired(message=REQUIRED), SEVERAL_LINES, Length(max=moderation.MESSAGE_MAX, message=TOO_LONG)],
        description=_l("Shown on the organisation's dashboard and sent to its members by email."),
    )


class ReportCloseForm(FlaskForm):
    note = TextAreaField(
        _l("Note (only for the desk)"),
        [Optional(), SEVERAL_LINES, Length(max=reports.NOTE_MAX, message=TOO_LONG)],
    )


def _language_choices() -> list[SelectChoice]:
    return [
        SelectChoice(language.code, language.native_name, {"lang": language.code, "dir": language.direction})
        for language in LANGUAGES
    ]


class StaffAccountForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        [
            DataRequired(message=REQUIRED),
            ONE_LINE,
            Length(max=EMAIL_MAX, message=TOO_LONG),
            Regexp(organisations.EMAIL_PATTERN, message=NOT_AN_EMAIL),
        ],
        description=_l("The new person gets an email with a link to choose their password."),
        filters=STRIP,
    )
    role = RadioField(
        _l("Role"),
        choices=[
            SelectChoice("translator", _l("Translator")),
            SelectChoice("coordinator", _l("Coordinator")),
        ],
        default="translator",
        invalid_choice_message=NOT_A_CHOICE,
    )
    languages = MultiCheckboxField(
        _l("Translates into"),
        description=_l("Only for translators."),
        invalid_choice_message=NOT_A_CHOICE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = _language_choices()


class AuditFilterForm(FlaskForm):
    """The audit page's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    actor = StringField(
        _l("Who"), [Optional(), ONE_LINE, Length(max=FILTER_TEXT_MAX, message=TOO_LONG)], filters=STRIP
    )
    action = SelectField(_l("Action"), default="", invalid_choice_message=NOT_A_CHOICE)
    object_type = SelectField(_l("Kind of object"), default="", invalid_choice_message=NOT_A_CHOICE)
    object_key = StringField(
        _l("Key or email"), [Optional(), ONE_LINE, Length(max=FILTER_TEXT_MAX, message=TOO_LONG)],
        filters=STRIP,
    )
    date_from = DayField(_l("From"), [Optional()], invalid_value_message=BAD_DAY)
    date_to = DayField(_l("Last day"), [Optional()], invalid_value_message=BAD_DAY)

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(action, action) for action in actions
        ]
        self.object_type.choices = [SelectChoice("", _l("All kinds"))] + [
            SelectChoice(kind, kind) for kind in object_types
        ]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date lies before the start date."))
