"""Permission decorators shared by pages and the API.

`workspace_required(role)` resolves the `wid` URL argument once per request into `g.workspace` and
`g.membership`: not logged in → 401, not a member (or no such workspace) → 403, member calling an
admin action → 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g
from flask_login import current_user
from sqlalchemy import select

from webapp.errors import AuthRequired, Forbidden
from webapp.extensions import db
from webapp.models import Membership, Workspace

NOT_A_MEMBER = "Not a member of this workspace."
ADMIN_REQUIRED = "Admin or owner role required."


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise AuthRequired()
        return view(*args, **kwargs)

    return wrapper


def platform_admin_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise AuthRequired()
        if not current_user.is_platform_admin:
            raise Forbidden(message="Platform admin required.")
        return view(*args, **kwargs)

    return wrapper


def load_membership(user_id: int, workspace_id: int) -> Membership | None:
    return db.session.execute(
        select(Membership).where(Membership.user_id == user_id, Membership.workspace_id == workspace_id)
    ).scalar_one_or_none()


def workspace_required(role: str = "member") -> Callable[[Callable], Callable]:
    """Require membership of the workspace in the `wid` URL argument (`role="admin"` for admin actions)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                raise AuthRequired()
            membership = load_membership(current_user.id, kwargs["wid"])
            if membership is None:
                raise Forbidden(message=NOT_A_MEMBER)
            if role == "admin" and not membership.is_admin:
                raise Forbidden(message=ADMIN_REQUIRED)
            g.membership = membership
            g.workspace = db.session.get(Workspace, kwargs["wid"])
            return view(*args, **kwargs)

        return wrapper

    return decorator
