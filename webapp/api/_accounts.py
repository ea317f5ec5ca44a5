"""Shared lookups for the account-scoped API routes
(`/tenants/<wid>/providers/<provider>/accounts/<auth_id>/...`)."""

from __future__ import annotations

from typing import Any

from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models.providers import PROVIDER_TIKTOK_BUSINESS, Binding

# URL spellings of each provider -> the value stored in Binding.provider.
PROVIDER_SEGMENTS = {"tiktok-business": PROVIDER_TIKTOK_BUSINESS, "tiktok_business": PROVIDER_TIKTOK_BUSINESS}


def provider_from_segment(provider: str) -> str:
    """The canonical provider name for a URL segment, else 404 PROVIDER_NOT_SUPPORTED."""
    canonical = PROVIDER_SEGMENTS.get(provider)
    if canonical is None:
        raise NotFound("PROVIDER_NOT_SUPPORTED", f"Provider '{provider[:64]}' is not supported.")
    return canonical


def account_binding(wid: int, provider: str, auth_id: Any) -> Binding:
    """The binding `auth_id` of workspace `wid` for this provider segment.

    Unknown provider → 404 PROVIDER_NOT_SUPPORTED; a binding that does not exist, belongs to another
    workspace or to another provider → 404 BINDING_NOT_FOUND (indistinguishable on purpose).
    Membership/role checks stay with the view's `workspace_required` decorator."""
    canonical = provider_from_segment(provider)
    binding = Binding.get_for_workspace_or_404(db.session, wid, auth_id, code="BINDING_NOT_FOUND",
                                               message="Binding not found.")
    if binding.provider != canonical:
        raise NotFound("BINDING_NOT_FOUND", "Binding not found.")
    return binding
