"""The submit form: its fields and the validation rules, in one place.

A form's element ids come from the instance: WTForms puts the form's `prefix` before each
field's name and id, so two forms with the same fields can share a page (`prefix="edit-…"`).
Templates build every id from `field.id`.
"""

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from submissions.schema import MAX_LENGTH, has_control_character, new_id

PREFIX = re.compile(r"[A-Za-z0-9_-]{0,48}")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form: FlaskForm, field: StringField) -> None:
    if has_control_character(field.data):
        raise ValidationError("Remove control characters such as tabs or line breaks.")


class SubmissionForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST (the token comes as `csrf_token`)

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


class EditForm(FlaskForm):
    """New text for one submission, with the same rules as submitting it."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST (the token comes as `csrf_token`)

    user_input = SubmissionForm.user_input
    # The version the visitor started from; saving over a newer one is refused.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)])

    def __init__(self, submission_id: str, **kwargs) -> None:
        # The form's element id, and the prefix of its fields' names and ids.
        self.form_id = f"edit-{submission_id}"
        super().__init__(prefix=self.form_id, **kwargs)
