"""An organisation's posting: what it offers or asks for, in the language it writes in."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from bulletin import settings
from bulletin.forms.fields import (
    NOT_A_CHOICE,
    ONE_LINE,
    REQUIRED,
    SEVERAL_LINES,
    STRIP,
    TOO_LONG,
    TYPED_TEXT,
    DayField,
    district_choices,
    labelled_choices,
    language_choices,
)
from bulletin.i18n import current_language
from bulletin.services import clock, postings
from bulletin.services.postings import PostingInput
from bulletin.taxonomy import CATEGORIES, POSTING_TYPES


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class PostingForm(FlaskForm):
    type = RadioField(
        _l("This is"),
        choices=lambda: labelled_choices(POSTING_TYPES),
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
        self.original_language.choices = language_choices()
        self.district.choices = district_choices(keep_district)
        if not editing and not self.is_submitted():
            self.original_language.data = current_language()
            days = settings.current().posting_default_days
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
