"""The forms of the coordinator's desk. Limits come from the services, which check again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from bulletin.forms.fields import (
    NOT_A_CHOICE,
    ONE_LINE,
    REQUIRED,
    SEVERAL_LINES,
    STRIP,
    TOO_LONG,
    DayField,
    MultiCheckboxField,
    email_validators,
    language_choices,
)
from bulletin.services import moderation, reports

FILTER_TEXT_MAX = 254


BAD_DAY = _l("Enter a date like 2025-12-31.")


def free_text(label, limit: int, *, required: bool, description="") -> TextAreaField:
    """A text of several lines up to ``limit`` characters, as the desk's reasons, messages and notes are."""
    presence = DataRequired(message=REQUIRED) if required else Optional()
    return TextAreaField(label, [presence, SEVERAL_LINES, Length(max=limit, message=TOO_LONG)],
                         description=description)


class HideForm(FlaskForm):
    reason = free_text(
        _l("Reason (the organisation sees it)"), moderation.REASON_MAX, required=True,
        description=_l("For example: the phone number does not work; please correct it."),
    )


class SuspendForm(FlaskForm):
    reason = free_text(_l("Reason (sent to the organisation)"), moderation.REASON_MAX, required=False)


class MessageForm(FlaskForm):
    text = free_text(
        _l("What should the organisation change?"), moderation.MESSAGE_MAX, required=True,
        description=_l("Shown on the organisation's dashboard and sent to its members by email."),
    )


class ReportCloseForm(FlaskForm):
    note = free_text(_l("Note (only for the desk)"), reports.NOTE_MAX, required=False)


class StaffAccountForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        email_validators(),
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
        self.languages.choices = language_choices()


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
