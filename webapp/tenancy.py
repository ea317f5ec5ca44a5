"""Tenancy services: users, workspaces with their company codes, memberships (one owner each).

Services take explicit ids and a session and never read the request."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from webapp.errors import Conflict, Forbidden, NotFound, field_error
from webapp.models import Membership, User, Workspace
from webapp.models.tenancy import ADMIN_ROLES, ROLE_ADMIN, ROLE_MEMBER, ROLE_OWNER
from webapp.security.passwords import MIN_PASSWORD_LENGTH, hash_password

ASSIGNABLE_ROLES = (ROLE_ADMIN, ROLE_MEMBER)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(session: Session, *, email: str, password: str, name: str = "",
                username: str | None = None, platform_admin: bool = False) -> User:
    email = normalize_email(email)
    if "@" not in email or len(email) > 255:
        raise field_error("email", "must be a valid email address")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise field_error("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict("USER_EXISTS", f"A user with email {email} already exists.")
    user = User(email=email, name=(name or "").strip(), username=username or None,
                password_hash=hash_password(password), is_platform_admin=platform_admin)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise NotFound("USER_NOT_FOUND", f"No user with email {normalize_email(email)}.")
    return user


def _next_company_code(session: Session) -> str:
    highest = session.execute(select(func.max(Workspace.company_code))).scalar_one_or_none()
    number = int(highest) + 1 if highest else 1
    if number > 9999:
        raise Conflict("COMPANY_CODES_EXHAUSTED", "All 4-digit company codes are in use.")
    return f"{number:04d}"


def create_workspace(session: Session, *, name: str, owner: User) -> Workspace:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise field_error("name", "must be 1 to 120 characters")
    # Codes are allocated in sequence; a concurrent creator hitting the unique key retries.
    for _ in range(5):
        workspace = Workspace(name=name, company_code=_next_company_code(session))
        try:
            with session.begin_nested():
                session.add(workspace)
                session.flush()
        except IntegrityError:
            continue
        session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=ROLE_OWNER))
        session.flush()
        return workspace
    raise Conflict("COMPANY_CODE_CONFLICT", "Could not allocate a company code; try again.")


def workspaces_of(session: Session, user_id: int) -> list[tuple[Workspace, str]]:
    rows = session.execute(
        select(Workspace, Membership.role).join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id).order_by(Workspace.name, Workspace.id)
    ).all()
    return [(w, role) for w, role in rows]


def members_query(workspace_id: int) -> Select:
    """The workspace's memberships with their users loaded, in the order people joined."""
    return (select(Membership).join(User, User.id == Membership.user_id).options(contains_eager(Membership.user))
            .where(Membership.workspace_id == workspace_id).order_by(Membership.id))


def list_workspaces(session: Session, *, page: int, page_size: int) -> tuple[list[tuple[Workspace, int]], int]:
    """One page of all workspaces (platform view) with their member counts, and the total."""
    total = session.execute(select(func.count(Workspace.id))).scalar_one()
    counts = (select(Membership.workspace_id, func.count(Membership.id).label("n"))
              .group_by(Membership.workspace_id).subquery())
    rows = session.execute(
        select(Workspace, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.workspace_id == Workspace.id)
        .order_by(Workspace.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return [(w, int(n)) for w, n in rows], total


def get_membership(session: Session, workspace_id: int, user_id: int) -> Membership:
    membership = session.execute(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).scalar_one_or_none()
    if membership is None:
        raise NotFound("MEMBER_NOT_FOUND", "No such member in this workspace.")
    return membership


def _check_role(role: str) -> str:
    if role not in ASSIGNABLE_ROLES:
        raise field_error("role", f"must be one of {', '.join(ASSIGNABLE_ROLES)}")
    return role


def add_member(session: Session, workspace_id: int, *, email: str, role: str) -> Membership:
    _check_role(role)
    user = get_user_by_email(session, email)
    existing = session.execute(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user.id)
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict("ALREADY_MEMBER", f"{user.email} is already a member of this workspace.")
    membership = Membership(workspace_id=workspace_id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    return membership


def change_role(session: Session, workspace_id: int, user_id: int, *, role: str, actor_role: str) -> Membership:
    _check_role(role)
    membership = get_membership(session, workspace_id, user_id)
    if membership.role == ROLE_OWNER:
        raise Forbidden("OWNER_ROLE_FIXED", "The owner's role cannot be changed; a workspace has exactly one owner.")
    if actor_role not in ADMIN_ROLES:
        raise Forbidden(message="Admin or owner role required.")
    membership.role = role
    return membership


def remove_member(session: Session, workspace_id: int, user_id: int) -> None:
    membership = get_membership(session, workspace_id, user_id)
    if membership.role == ROLE_OWNER:
        raise Forbidden("OWNER_CANNOT_BE_REMOVED", "The owner cannot be removed from the workspace.")
    session.delete(membership)
