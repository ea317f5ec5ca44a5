"""Flask-WTF forms for the server-rendered pages.

CSRF is enforced once for every POST by the global CSRFProtect (webapp.extensions.csrf), and each
template carries the hidden `csrf_token` input, so the forms themselves skip WTForms' own CSRF field.
Services stay the authority on business rules; the forms only check shape (required, length, choices).
Every message is a full sentence that says what to do ("Enter …", "… must be at most N characters.")."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.errors import AppError
from webapp.tenancy import ASSIGNABLE_ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in ASSIGNABLE_ROLES]
CHOOSE_ROLE = "Choose Admin or Member."
# Shape only (one @, a dotted domain, no spaces or markup); whether the person exists is the service's call.
EMAIL_SHAPE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def too_long(what: str, max_len: int) -> Length:
    return Length(max=max_len, message=f"{what} must be at most {max_len} characters.")


def valid_email(_form: Any, field: Any) -> None:
    if field.data and not EMAIL_SHAPE.match(field.data.strip()):
        raise ValidationError("Enter a valid email address.")


class RoleField(SelectField):
    """A role select whose wrong-choice message names the real choices (WTForms says "Not a valid choice")."""

    def pre_validate(self, form: Any) -> None:
        if self.data not in {choice.value for choice in ROLE_CHOICES}:
            raise ValidationError(CHOOSE_ROLE)


class PageForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect already checked the token before the view ran

    def apply_error(self, error: AppError, default_field: str) -> None:
        """Show a service error inline: on the field it names (422 data), else on `default_field`."""
        placed = False
        items = error.data if isinstance(error.data, list) else []
        for item in items:
            field = self._fields.get(item.get("field", ""))
            if field is not None:
                field.errors = [*field.errors, item.get("message", error.message)]
                placed = True
        if not placed:
            field = self._fields[default_field]
            field.errors = [*field.errors, error.message]


class LoginForm(PageForm):
    email = StringField("Email or username", validators=[DataRequired(message="Enter your email or username."),
                                                         too_long("The email or username", 255)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Remember me")


class AddMemberForm(PageForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter the email of an existing user."),
                                            too_long("The email", 255), valid_email])
    role = RoleField("Role", choices=ROLE_CHOICES, default="member")


class ChangeRoleForm(PageForm):
    role = RoleField("Role", choices=ROLE_CHOICES)


class TokenForm(PageForm):
    name = StringField("Token name", validators=[DataRequired(message="Give the token a name."),
                                                 too_long("The token name", 120)])


class WorkspaceForm(PageForm):
    name = StringField("Workspace name", validators=[DataRequired(message="Enter a workspace name."),
                                                     too_long("The workspace name", 120)])
    owner_email = EmailField("Owner email", validators=[DataRequired(message="Enter the owner's email."),
                                                        too_long("The email", 255), valid_email])
