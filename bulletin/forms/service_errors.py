"""A service's refusal (InvalidData), shown on the form that sent the data."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from bulletin.services.errors import InvalidData


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
