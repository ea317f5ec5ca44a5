"""TikTok Business OAuth: authorization states, the callback (code exchange + binding upsert), and
binding management (alias, revoke, delete).

Services take a session and explicit ids; they never read the request or current_user. The callback
is the only web request that talks to TikTok (PRODUCT.md: all other TikTok traffic runs in jobs)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from webapp.errors import AppError, BadRequest, Gone, field_error
from webapp.models import Binding, Membership, OAuthState, ProviderApp, SyncRun, isoformat, utcnow
from webapp.models.providers import BINDING_ACTIVE, BINDING_INVALID, BINDING_REVOKED, PROVIDER_TIKTOK_BUSINESS
from webapp.providers.provider_apps import get_provider_app_or_404
from webapp.providers.tiktok_business.bindings import get_binding_or_404
from webapp.providers.tiktok_business.errors import TikTokError, TokenInvalidError
from webapp.security.tokens import fingerprint

if TYPE_CHECKING:
    from webapp.providers.tiktok_business.client import TikTokClient

log = logging.getLogger(__name__)

STATE_TTL = timedelta(hours=1)
ALIAS_MAX = 120
RETURN_TO_MAX = 512

ClientFactory = Callable[[], "TikTokClient"]


def _default_client() -> TikTokClient:
    from webapp.providers.tiktok_business.connect import make_client

    return make_client()


# ---------------------------------------------------------------- authorization URL and state


def is_safe_return_to(value: str | None) -> bool:
    """Only a local absolute path may be a redirect target ("/w/1/..."), never "//host" or a URL."""
    if not value or len(value) > RETURN_TO_MAX or not value.startswith("/") or value.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def clean_alias(alias: str | None) -> str | None:
    alias = (alias or "").strip()
    if len(alias) > ALIAS_MAX:
        raise field_error("alias", f"The alias must be at most {ALIAS_MAX} characters.")
    return alias or None


def build_auth_url(portal_url: str, app_id: str, state: str, redirect_uri: str) -> str:
    """`{TTB_PORTAL_URL}/auth?app_id=..&state=..&redirect_uri=..` (TIKTOK_API.md §4.1)."""
    query = urlencode({"app_id": app_id, "state": state, "redirect_uri": redirect_uri})
    return f"{portal_url.rstrip('/')}/auth?{query}"


@dataclass
class Authorization:
    state: OAuthState
    auth_url: str

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state.state, "auth_url": self.auth_url, "expires_at": isoformat(self.state.expires_at)}


def start_authorization(session: Session, *, workspace_id: int, user_id: int, provider_app_id: Any, portal_url: str,
                        alias: str | None = None, return_to: str | None = None,
                        binding_id: int | None = None) -> Authorization:
    """Create a single-use state (1 hour, tied to workspace + user) and the portal URL to send the browser to."""
    app = get_provider_app_or_404(session, provider_app_id)
    if not app.enabled:
        raise BadRequest("PROVIDER_APP_DISABLED", "This provider app is disabled; choose another one.")
    alias = clean_alias(alias)
    if return_to and not is_safe_return_to(return_to):
        raise field_error("return_to", "The return path must be a local path starting with '/'.")
    now = utcnow()
    state = OAuthState(workspace_id=workspace_id, user_id=user_id, provider_app_id=app.id, alias=alias,
                       return_to=return_to or None, binding_id=binding_id, state=secrets.token_urlsafe(32),
                       created_at=now, expires_at=now + STATE_TTL)
    session.add(state)
    session.flush()
    return Authorization(state, build_auth_url(portal_url, app.app_id, state.state, app.redirect_uri))


def start_reconnect(session: Session, *, workspace_id: int, user_id: int, auth_id: Any, portal_url: str,
                    return_to: str | None = None) -> Authorization:
    """OAuth again for an existing binding (same app, same alias); the callback re-keys that binding."""
    binding = get_binding_or_404(session, workspace_id, auth_id)
    return start_authorization(session, workspace_id=workspace_id, user_id=user_id,
                               provider_app_id=binding.provider_app_id, portal_url=portal_url, alias=binding.alias,
                               return_to=return_to, binding_id=binding.id)


# ---------------------------------------------------------------- callback


def _invalid_state(message: str = "This authorization link is not valid; start the connection again.") -> AppError:
    return BadRequest("INVALID_STATE", message)


def consume_state(session: Session, *, user_id: int, state_value: str) -> OAuthState:
    """Validate and use up a state. Unknown/used/another user's/no longer admin → 400 INVALID_STATE;
    expired → 410 SESSION_EXPIRED."""
    state = session.execute(
        select(OAuthState).where(OAuthState.state == state_value).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if state is None or state.used_at is not None:
        raise _invalid_state()
    if state.user_id != user_id:
        raise _invalid_state()
    membership = session.execute(
        select(Membership).where(Membership.workspace_id == state.workspace_id, Membership.user_id == user_id)
    ).scalar_one_or_none()
    if membership is None or not membership.is_admin:
        raise _invalid_state()
    if state.expires_at <= utcnow():
        raise Gone("SESSION_EXPIRED", "The authorization session expired (1 hour); start the connection again.")
    state.used_at = utcnow()
    session.flush()
    return state


def retry_workspace(session: Session, *, user_id: int, state_value: str | None) -> int | None:
    """The workspace whose connect form a failed callback should link back to: the state's workspace
    when this user is a member of it, else None (the workspace switcher)."""
    if not state_value:
        return None
    row = session.execute(
        select(OAuthState.workspace_id).join(
            Membership, (Membership.workspace_id == OAuthState.workspace_id) & (Membership.user_id == user_id)
        ).where(OAuthState.state == state_value)
    ).first()
    return row[0] if row else None


@dataclass
class CallbackResult:
    binding: Binding
    created: bool
    workspace_id: int
    return_to: str | None


AUTHORIZATION_DENIED = ("You cancelled the authorization on TikTok, so no account was connected. "
                        "Connect again whenever you are ready.")


def complete_callback(session: Session, *, user_id: int, state_value: str | None, code: str | None,
                      client_factory: ClientFactory | None = None, denied: str | None = None) -> CallbackResult:
    """Validate and spend the state (committed at once), exchange the code at TikTok and store the
    binding (the caller commits it). `denied` is the `error` TikTok sends back instead of a code when the
    person refuses (e.g. access_denied): 400 AUTHORIZATION_DENIED, and the state is spent all the same."""
    if denied and not code:
        if state_value:
            try:
                consume_state(session, user_id=user_id, state_value=state_value)
                session.commit()
            except AppError:  # a stale or foreign state: the answer is the same, nothing was connected
                session.rollback()
        raise BadRequest("AUTHORIZATION_DENIED", AUTHORIZATION_DENIED, data={"error": denied[:64]})
    if not state_value or not code:
        raise BadRequest("INVALID_CALLBACK", "The authorization callback is missing its code or state.")
    state = consume_state(session, user_id=user_id, state_value=state_value)
    # Commit the use now: a state stays spent even when the exchange below fails.
    session.commit()
    app = get_provider_app_or_404(session, state.provider_app_id)
    client = (client_factory or _default_client)()
    try:
        token = client.exchange_auth_code(app.app_id, app.secret, code)
    except TikTokError as exc:
        log.warning("oauth code exchange failed workspace=%s app=%s code=%s request_id=%s",
                    state.workspace_id, app.id, exc.code, exc.request_id)
        raise AppError("TOKEN_EXCHANGE_FAILED", f"The token exchange with TikTok failed: {exc.message or 'error'}",
                       data={"tiktok_code": exc.code, "request_id": exc.request_id}, status=502) from None
    finally:
        client.close()
    binding, created = upsert_binding(
        session, workspace_id=state.workspace_id, provider_app_id=app.id, access_token=token.access_token,
        scope=list(token.scope), advertiser_ids=list(token.advertiser_ids), alias=state.alias, user_id=user_id,
        binding_id=state.binding_id,
    )
    return CallbackResult(binding, created, state.workspace_id, state.return_to)


def _find_by_fingerprint(session: Session, workspace_id: int, provider_app_id: int, digest: str) -> Binding | None:
    return session.execute(
        select(Binding).where(Binding.workspace_id == workspace_id, Binding.provider_app_id == provider_app_id,
                              Binding.token_fingerprint == digest).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def upsert_binding(session: Session, *, workspace_id: int, provider_app_id: int, access_token: str,
                   scope: list[Any], advertiser_ids: list[str], alias: str | None = None, user_id: int | None = None,
                   binding_id: int | None = None) -> tuple[Binding, bool]:
    """One binding per (workspace, app, token fingerprint): the same token again updates (and
    reactivates) the existing row. `binding_id` (Reconnect) re-keys that binding with the new token,
    unless the token is already another binding's. Returns (binding, created)."""
    digest = fingerprint(access_token)
    binding = _find_by_fingerprint(session, workspace_id, provider_app_id, digest)
    if binding is None and binding_id is not None:
        binding = Binding.get_for_workspace(session, workspace_id, binding_id)
        if binding is not None and binding.provider_app_id != provider_app_id:
            binding = None
    created = binding is None
    if created:
        binding = Binding(workspace_id=workspace_id, provider=PROVIDER_TIKTOK_BUSINESS,
                          provider_app_id=provider_app_id, created_by_user_id=user_id)
    binding.access_token = access_token
    binding.token_fingerprint = digest
    binding.scope = scope
    binding.advertiser_ids = advertiser_ids
    if alias:
        binding.alias = alias
    binding.status = BINDING_ACTIVE
    binding.status_reason = None
    binding.revoked_at = None
    if not created:
        binding.updated_at = utcnow()  # a re-bind counts as a change even when every column is equal
        session.flush()
        return binding, False
    try:
        with session.begin_nested():
            session.add(binding)
    except IntegrityError:
        # A concurrent callback stored the same token first: update that row instead.
        existing = _find_by_fingerprint(session, workspace_id, provider_app_id, digest)
        if existing is None:
            raise
        return upsert_binding(session, workspace_id=workspace_id, provider_app_id=provider_app_id,
                              access_token=access_token, scope=scope, advertiser_ids=advertiser_ids, alias=alias,
                              user_id=user_id)
    return binding, True


def enqueue_first_sync(session: Session, binding: Binding, *, user_id: int | None,
                       ip: str | None = None) -> SyncRun | None:
    """Start the first metadata sync of a new/renewed binding through the run service. The binding is
    already committed and must survive a failure to start the run, so that is logged and reported as
    None (the account page offers "Sync metadata"; a Redis hiccup while enqueueing is handled by the
    run service itself, which leaves the run `enqueued` for the scheduler tick)."""
    from webapp.runs.service import start_sync  # lazy: the runs package depends on providers, not back

    actor = {"user_id": user_id, "workspace_id": binding.workspace_id, "ip": ip}
    try:
        run, _ = start_sync(session, workspace_id=binding.workspace_id, binding_id=binding.id, scope="meta",
                            mode="full", actor=actor)
        session.commit()
        return run
    except AppError as exc:
        session.rollback()
        log.warning("first sync of binding %s not started: %s %s", binding.id, exc.code, exc.message)
    except (SQLAlchemyError, RedisError):
        session.rollback()
        log.exception("first sync of binding %s not started", binding.id)
    return None


# ---------------------------------------------------------------- management


def rename_binding(session: Session, workspace_id: int, auth_id: Any, alias: str | None) -> Binding:
    binding = get_binding_or_404(session, workspace_id, auth_id)
    binding.alias = clean_alias(alias)
    session.flush()
    return binding


def revoke_binding(session: Session, workspace_id: int, auth_id: Any, *, remote: bool = True,
                   client_factory: ClientFactory | None = None) -> Binding:
    """Mark a binding revoked; with `remote`, revoke the token at TikTok first (a token TikTok already
    considers dead counts as revoked). Other TikTok failures → 502 REVOKE_FAILED and nothing changes."""
    binding = get_binding_or_404(session, workspace_id, auth_id)
    if binding.status == BINDING_REVOKED:
        return binding
    if remote:
        app = session.get(ProviderApp, binding.provider_app_id)
        client = (client_factory or _default_client)()
        try:
            client.revoke_token(app.app_id, app.secret, binding.access_token)
        except TokenInvalidError:
            log.info("binding %s token was already invalid at TikTok", binding.id)
        except TikTokError as exc:
            raise AppError("REVOKE_FAILED", f"TikTok did not revoke the token: {exc.message or 'error'}",
                           data={"tiktok_code": exc.code, "request_id": exc.request_id}, status=502) from None
        finally:
            client.close()
    binding.status = BINDING_REVOKED
    binding.status_reason = "revoked at TikTok" if remote else "revoked locally"
    binding.revoked_at = utcnow()
    session.flush()
    return binding


def mark_binding_invalid(session: Session, binding: Binding, reason: str | None = None) -> Binding:
    """For jobs that got 40105/40102/40104: the UI then offers "Reconnect". Revoked stays revoked."""
    if binding.status != BINDING_REVOKED:
        binding.status = BINDING_INVALID
        binding.status_reason = (reason or "token invalid")[:255]
        session.flush()
    return binding


def delete_binding(session: Session, workspace_id: int, auth_id: Any) -> None:
    """Remove the binding; its mirror rows, runs, schedules and config go with it (ON DELETE CASCADE)."""
    binding = get_binding_or_404(session, workspace_id, auth_id)
    session.delete(binding)
    session.flush()
