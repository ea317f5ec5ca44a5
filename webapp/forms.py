"""Flask-WTF forms for the server-rendered pages.

CSRF is enforced once for every POST by the global CSRFProtect (webapp.extensions.csrf), and each
template carries the hidden `csrf_token` input, so the forms themselves skip WTForms' own CSRF field.
Services stay the authority on business rules; the forms only check shape (required, length, choices)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from webapp.errors import AppError
from webapp.tenancy import ASSIGNABLE_ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in ASSIGNABLE_ROLES]


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
                                                         Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Remember me")


class AddMemberForm(PageForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter the email of an existing user."),
                                            Length(max=255)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="member")


class ChangeRoleForm(PageForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class TokenForm(PageForm):
    name = StringField("Token name", validators=[DataRequired(message="Give the token a name."),
                                                 Length(max=120, message="At most 120 characters.")])


class WorkspaceForm(PageForm):
    name = StringField("Workspace name", validators=[DataRequired(message="Enter a workspace name."),
                                                     Length(max=120, message="At most 120 characters.")])
    owner_email = EmailField("Owner email", validators=[DataRequired(message="Enter the owner's email."),
                                                        Length(max=255)])
