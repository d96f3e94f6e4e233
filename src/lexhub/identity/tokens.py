"""API tokens: random, shown once, stored as a SHA-256 digest, with expiry and revocation.

A token reads `lxh_<id>_<secret>`: `id` (16 hex digits) is public and names the token in
listings, revocation and the audit log; `secret` is `secrets.token_urlsafe(32)` (256 bits).
The database holds only SHA-256 of the whole token: a 256-bit random value needs no slow
hash or salt, and a leaked table gives no usable token. Authentication looks the row up
by id and compares digests in constant time. A token acts for its user with the user's
current roles; a disabled user's tokens stop working (and work again if re-enabled,
unless revoked or expired). A lockout, which stops password guessing, does not stop them.

`last_used_at` says when a token was last used to within `LAST_USED_EVERY`: writing it on
every request made each API call a second durable commit beside its audit entry (on
SQLite, a second turn at the one writer lock), for a column read only by `token list`.
Revocation, expiry and a disabled user are still checked against the database on every
request, so they take effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from lexhub.errors import AccessDenied, Conflict, InputError, NotFound
from lexhub.identity.events import EventKind, IdentityEvent
from lexhub.identity.principal import AuthMethod, Principal
from lexhub.identity.settings import IdentitySettings, aware
from lexhub.store import Store
from lexhub.store.identity_sql import StoredToken

__all__ = [
    "LAST_USED_EVERY",
    "IssuedToken",
    "TokenInfo",
    "TokenRejected",
    "authenticate",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_digest",
]

PREFIX = "lxh_"
_FORM = re.compile(r"^lxh_([0-9a-f]{16})_([A-Za-z0-9_-]{43,})$")
REJECTED = "invalid, expired or revoked API token"
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRejected(AccessDenied):
    """`reason` for the audit log: malformed, unknown, mismatch, expired, revoked,
    disabled; the message is the same for all."""

    def __init__(self, reason: str) -> None:
        super().__init__(REJECTED)
        self.reason = reason


@dataclass(frozen=True)
class IssuedToken:
    """`token` exists only here: show it once, never log or store it."""

    id: str
    username: str
    name: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    id: str
    username: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if aware(now) >= self.expires_at else "active"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    store: Store, settings: IdentitySettings, username: str, *, name: str, now: datetime,
    lifetime: timedelta | None = None, actor: str | None = None,
) -> IssuedToken:  # fmt: skip
    """Raises NotFound (user), Conflict (disabled user), InputError (lifetime, name)."""
    now = aware(now)
    lifetime = settings.token_lifetime if lifetime is None else lifetime
    if not timedelta(0) < lifetime <= settings.max_token_lifetime:
        raise InputError(
            "token", None, "expires",
            f"a token lives more than 0 and at most {settings.max_token_lifetime.days} days",
        )  # fmt: skip
    if not name.strip():
        raise InputError("token", None, "name", "a token needs a name saying what uses it")
    user = store.get_user(username)
    if user is None:
        raise NotFound(f"no user {username}")
    if user.disabled_at is not None:
        raise Conflict(f"user {username} is disabled")
    token_id = secrets.token_hex(8)
    token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    expires = now + lifetime
    store.add_token(
        StoredToken(token_id, username, name.strip(), token_digest(token), now, expires)
    )
    settings.emit(
        IdentityEvent(
            EventKind.TOKEN_CREATED, now, username, user.agency, actor,
            {"token_id": token_id, "name": name.strip(), "expires_at": expires.isoformat()},
        )
    )  # fmt: skip
    return IssuedToken(token_id, username, name.strip(), token, expires)


def revoke_token(
    store: Store, settings: IdentitySettings, token_id: str, *, now: datetime,
    actor: str | None = None,
) -> None:  # fmt: skip
    """Raises NotFound (unknown id), Conflict (already revoked)."""
    now = aware(now)
    found = store.get_token(token_id)
    if found is None:
        raise NotFound(f"no token {token_id}")
    if not store.revoke_token(token_id, now):
        raise Conflict(f"token {token_id} is already revoked")
    user = store.get_user(found.username)
    settings.emit(
        IdentityEvent(
            EventKind.TOKEN_REVOKED, now, found.username, user.agency if user else None, actor,
            {"token_id": token_id, "name": found.name},
        )
    )  # fmt: skip


def list_tokens(store: Store, username: str | None = None) -> list[TokenInfo]:
    return [
        TokenInfo(t.id, t.username, t.name, t.created_at, t.expires_at, t.revoked_at,
                  t.last_used_at)
        for t in store.list_tokens(username)
    ]  # fmt: skip


def authenticate(store: Store, settings: IdentitySettings, token: str, now: datetime) -> Principal:
    """The principal a token acts for. Raises TokenRejected, with one message for every
    reason, so a caller cannot tell a revoked token from a made-up one."""
    now = aware(now)
    m = _FORM.match(token.strip())
    if m is None:
        raise _reject(settings, now, "malformed", None, None)
    token_id = m.group(1)
    found = store.get_token(token_id)
    if found is None:
        raise _reject(settings, now, "unknown", None, token_id)
    if not hmac.compare_digest(found.token_hash, token_digest(token.strip())):
        raise _reject(settings, now, "mismatch", found.username, token_id)
    if found.revoked_at is not None:
        raise _reject(settings, now, "revoked", found.username, token_id)
    if now >= found.expires_at:
        raise _reject(settings, now, "expired", found.username, token_id)
    user = store.get_user(found.username)
    if user is None or user.disabled_at is not None:
        raise _reject(settings, now, "disabled", found.username, token_id)
    last = found.last_used_at
    if last is None or abs(now - last) >= LAST_USED_EVERY:  # abs: a clock set back
        store.token_used(token_id, now)
    return Principal(
        user.username, user.agency, user.roles, user.oversight, AuthMethod.TOKEN, token_id
    )


def _reject(
    settings: IdentitySettings, now: datetime, reason: str, username: str | None,
    token_id: str | None,
) -> TokenRejected:  # fmt: skip
    detail: dict[str, object] = {"reason": reason}
    if token_id is not None:
        detail["token_id"] = token_id
    settings.emit(IdentityEvent(EventKind.TOKEN_REJECTED, now, username or "", None, None, detail))
    return TokenRejected(reason)
