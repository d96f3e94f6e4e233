"""Identity events: what happened to an account, as plain records for the audit log.

`lexhub.identity` does not write the audit log. Every function that changes an account,
or decides a login or a token, hands one `IdentityEvent` per fact to the `on_event`
callback of its `IdentitySettings`; the caller (the service, the CLI) appends them to the
audit log. Events never carry a secret: no password, code, token or seed, only names,
ids, roles and reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["EventKind", "EventSink", "IdentityEvent"]


class EventKind(StrEnum):
    USER_CREATED = "user-created"
    ROLES_CHANGED = "roles-changed"
    PASSWORD_CHANGED = "password-changed"
    TOTP_ENROLLED = "totp-enrolled"
    USER_DISABLED = "user-disabled"
    USER_ENABLED = "user-enabled"
    USER_UNLOCKED = "user-unlocked"
    LOGIN_OK = "login-ok"
    LOGIN_FAILED = "login-failed"
    LOCKOUT = "lockout"
    TOKEN_CREATED = "token-created"
    TOKEN_REVOKED = "token-revoked"
    TOKEN_REJECTED = "token-rejected"


@dataclass(frozen=True)
class IdentityEvent:
    """One fact. `username` is the account concerned (for a failed login, the name as
    typed, which may not exist); `actor` who did it when it was not the account itself
    (an administrator, `cli:<os user>`); `detail` small JSON-able values only."""

    kind: EventKind
    at: datetime
    username: str
    agency: str | None = None
    actor: str | None = None
    detail: Mapping[str, object] = field(default_factory=dict)


EventSink = Callable[[IdentityEvent], None]
