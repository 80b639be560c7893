"""What every form is built from: the messages, the typed-text rule, field types, choices, validators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from bulletin import settings
from bulletin.services import accounts, organisations, text_rules
from bulletin.taxonomy import LANGUAGES

EMAIL_MAX = 254

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


def language_choices() -> list[SelectChoice]:
    # Native names, marked with their language: a reader recognises their language in its own script.
    return [
        SelectChoice(language.code, language.native_name, {"lang": language.code, "dir": language.direction})
        for language in LANGUAGES
    ]


def district_choices(keep: str | None) -> list[SelectChoice]:
    """The board's districts, "no district", and a stored value not (or no longer) in the list."""
    districts = list(settings.current().districts)
    if keep and keep not in districts:
        districts.append(keep)
    return [SelectChoice("", _l("No particular district")), *(SelectChoice(name, name) for name in districts)]


def labelled_choices(labels: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


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


def email_validators(required: bool = True) -> list:
    return [
        DataRequired(message=REQUIRED) if required else Optional(),
        ONE_LINE,
        Length(max=EMAIL_MAX, message=TOO_LONG),
        Regexp(organisations.EMAIL_PATTERN, message=NOT_AN_EMAIL),
    ]


def new_password_validators() -> list:
    return [
        DataRequired(message=REQUIRED),
        Length(
            min=accounts.PASSWORD_MIN,
            max=accounts.PASSWORD_MAX,
            message=_l("Between %(min)d and %(max)d characters, please."),
        ),
    ]


def repeat_validators() -> list:
    return [DataRequired(message=REQUIRED), EqualTo("password", message=_l("The two passwords differ."))]
