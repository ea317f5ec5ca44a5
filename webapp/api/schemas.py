"""Request and response models of the auth, token, member and platform API (also usable for OpenAPI).

Requests forbid unknown fields so a typo is a 422 naming the field instead of being silently ignored.
Responses are built from ORM rows (`from_attributes`) and render times as ISO 8601 UTC with a `Z`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from webapp.models.base import isoformat

UtcDatetime = Annotated[datetime, PlainSerializer(isoformat, return_type=str)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=255)]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ---- requests ---------------------------------------------------------------------------------

class LoginRequest(RequestModel):
    """`{email|username, password, remember?}`; the view insists on one of email / username."""

    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None = None
    username: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    password: Annotated[str, StringConstraints(max_length=1024)]
    remember: bool = False

    @property
    def login(self) -> str:
        return self.email or self.username or ""


class TokenCreateRequest(RequestModel):
    name: Name


class MemberAddRequest(RequestModel):
    email: Email
    role: Literal["admin", "member"] = "member"


class MemberUpdateRequest(RequestModel):
    role: Literal["admin", "member"]


class WorkspaceCreateRequest(RequestModel):
    name: Name
    owner_email: Email


# ---- responses --------------------------------------------------------------------------------

class UserOut(ResponseModel):
    id: int
    email: str
    name: str
    is_platform_admin: bool


class WorkspaceRoleOut(BaseModel):
    id: int
    name: str
    company_code: str
    role: str


class SessionOut(BaseModel):
    authenticated: bool = True
    user: UserOut
    workspaces: list[WorkspaceRoleOut]
    auth_method: Literal["session", "token"]


class TokenOut(ResponseModel):
    id: int
    name: str
    prefix: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None = None
    revoked_at: UtcDatetime | None = None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself; shown only in this response.")


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: str
    created_at: UtcDatetime


class WorkspaceOut(ResponseModel):
    id: int
    name: str
    company_code: str


class PlatformWorkspaceOut(WorkspaceOut):
    member_count: int
    created_at: UtcDatetime


class MetaOut(BaseModel):
    app_version: str


def workspace_roles(rows: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    """`tenancy.workspaces_of()` rows as `[{id, name, company_code, role}]`."""
    return [WorkspaceRoleOut(id=w.id, name=w.name, company_code=w.company_code, role=role).model_dump()
            for w, role in rows]


def member_out(membership: Any) -> dict[str, Any]:
    user = membership.user
    return MemberOut(user_id=user.id, email=user.email, name=user.name, role=membership.role,
                     created_at=membership.created_at).model_dump(mode="json")
