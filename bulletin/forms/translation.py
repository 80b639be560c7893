"""Translating a posting or a profile: by its organisation, or by a volunteer translator."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from bulletin.forms.fields import ONE_LINE, REQUIRED, SEVERAL_LINES, STRIP, TOO_LONG
from bulletin.services import organisations, postings


class TranslationForm(FlaskForm):
    title = StringField(
        _l("Title"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=postings.TITLE_MAX, message=TOO_LONG)],
        filters=STRIP,
    )
    body = TextAreaField(_l("Description"), [SEVERAL_LINES, Length(max=postings.BODY_MAX, message=TOO_LONG)])




class PostingTranslationForm(TranslationForm):
    """A volunteer's translation of a posting, with the version of the original it was made from."""

    based_on = HiddenField()  # the original the translator saw (translations.source_digest)


class ProfileTranslationForm(FlaskForm):
    body = TextAreaField(
        _l("Description"),
        [DataRequired(message=REQUIRED), SEVERAL_LINES,
         Length(max=organisations.DESCRIPTION_MAX, message=TOO_LONG)],
    )
    based_on = HiddenField()
