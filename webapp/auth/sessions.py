"""Login sessions and API tokens: the services behind every way of being authenticated.

A browser or JSON login creates a server-side `LoginSession`; the cookie carries only its random id.
Logout deletes the row, so an old copy of the cookie stops working. API tokens are stored as a keyed
hash and act as their user."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from webapp.models import ApiToken, LoginSession, User, utcnow
from webapp.security import passwords, tokens

TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)


def find_user_by_login(session: Session, login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return session.execute(select(User).where(User.email == login.lower())).scalar_one_or_none()
    return session.execute(select(User).where(User.username == login)).scalar_one_or_none()


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The user for these credentials, or None. Rehashes the password when argon2 parameters changed."""
    user = find_user_by_login(session, login)
    if not passwords.verify_password(user.password_hash if user else None, password or ""):
        return None
    if user is None or user.is_disabled:
        return None
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def start_login_session(session: Session, user: User, *, key: str, max_age: int, ip: str | None) -> str:
    sid = tokens.new_session_id()
    session.add(LoginSession(user_id=user.id, sid_hash=tokens.keyed_hash(sid, key),
                             expires_at=utcnow() + timedelta(seconds=max_age), ip=ip))
    user.login_session_id = sid
    return sid


def load_session_user(session: Session, raw_id: str, *, key: str) -> User | None:
    user_part, _, sid = (raw_id or "").partition(":")
    if not user_part.isdigit() or not sid:
        return None
    row = session.execute(
        select(LoginSession).where(LoginSession.sid_hash == tokens.keyed_hash(sid, key))
    ).scalar_one_or_none()
    if row is None or row.user_id != int(user_part) or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.is_disabled:
        return None
    user.login_session_id = sid
    return user


def end_login_session(session: Session, user: User, *, key: str) -> None:
    if user.login_session_id:
        session.execute(delete(LoginSession).where(
            LoginSession.sid_hash == tokens.keyed_hash(user.login_session_id, key)))


def end_all_login_sessions(session: Session, user_id: int) -> None:
    """Password change, disable, "log out everywhere"."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def create_api_token(session: Session, user: User, name: str, *, key: str) -> tuple[ApiToken, str]:
    token, prefix = tokens.new_api_token()
    row = ApiToken(user_id=user.id, name=name, prefix=prefix, token_hash=tokens.keyed_hash(token, key))
    session.add(row)
    session.flush()
    return row, token


def load_token_user(session: Session, token: str, *, key: str) -> User | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == tokens.keyed_hash(token, key))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.is_disabled:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH_INTERVAL:
        row.last_used_at = now
        session.commit()
    return user


def api_tokens_query(user_id: int) -> Select:
    """The user's tokens, newest first (revoked ones included, so the list shows when they were revoked)."""
    return select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(),
                                                                         ApiToken.id.desc())


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.execute(api_tokens_query(user_id)).scalars())


def revoke_api_token(session: Session, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token is a 404 as if it did not exist."""
    from webapp.errors import NotFound

    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound("TOKEN_NOT_FOUND", "No such API token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
