"""Users of agencies, their roles and credentials: passwords (argon2id), a TOTP second
factor, lockout after failed logins, and API tokens. See docs/identity.md.

Every function takes the Store, the node's `IdentitySettings` and, where time matters,
`now`; every change and every login decision is reported as an `IdentityEvent` to
`settings.on_event` for the audit log.
"""

from lexhub.identity.events import EventKind, EventSink, IdentityEvent
from lexhub.identity.login import LoginFailed, login
from lexhub.identity.passwords import DEFAULT_ARGON2, Argon2Params
from lexhub.identity.principal import AuthMethod, Principal
from lexhub.identity.sealing import SealingKey
from lexhub.identity.settings import IdentitySettings
from lexhub.identity.tokens import (
    IssuedToken,
    TokenInfo,
    TokenRejected,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)
from lexhub.identity.users import (
    Enrolment,
    User,
    add_user,
    disable_user,
    enable_user,
    enrol_totp,
    get_user,
    list_users,
    set_password,
    set_roles,
    unlock_user,
)

__all__ = [
    "DEFAULT_ARGON2",
    "Argon2Params",
    "AuthMethod",
    "Enrolment",
    "EventKind",
    "EventSink",
    "IdentityEvent",
    "IdentitySettings",
    "IssuedToken",
    "LoginFailed",
    "Principal",
    "SealingKey",
    "TokenInfo",
    "TokenRejected",
    "User",
    "add_user",
    "authenticate",
    "create_token",
    "disable_user",
    "enable_user",
    "enrol_totp",
    "get_user",
    "list_tokens",
    "list_users",
    "login",
    "revoke_token",
    "set_password",
    "set_roles",
    "unlock_user",
]
