"""The submit form: its fields and the validation rules, in one place.

A form's element ids come from the instance: WTForms puts the form's `prefix` before each
field's name and id, so two forms with the same fields can share a page (`prefix="edit-…"`).
Templates build every id from `field.id`.
"""

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from support.store import MAX_LENGTH, has_control_character, new_id

PREFIX = re.compile(r"[A-Za-z0-9_-]{0,48}")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form: FlaskForm, field: StringField) -> None:
    if has_control_character(field.data):
        raise ValidationError("Remove control characters such as tabs or line breaks.")


class SubmissionForm(FlaskForm):
    user_input = StringField(
        "Your text",
        filters=[_strip],
        validators=[
            DataRequired("Please enter some text."),
            Length(max=MAX_LENGTH, message="Use at most %(max)d characters."),
            _no_control_characters,
        ],
    )
    # One id per rendered form: submitting the same form twice stores one row.
    request_id = HiddenField(
        default=new_id,
        validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")],
    )

    @staticmethod
    def valid_prefix(prefix: str) -> bool:
        """True for a prefix that makes safe element ids (as a visitor's request may send)."""
        return PREFIX.fullmatch(prefix) is not None
