"""Interactive login: password, then TOTP code, with lockout after repeated failures.

Order of checks, and why: a locked account is refused before the password is looked at
(guessing stops for the lock's duration); an unknown user still costs one argon2
verification (no enumeration by timing); the password is verified before the account's
state is told (disabled, no second factor), so only its holder learns it; a TOTP step is
claimed atomically so the same code never logs in twice. Every wrong password or code,
and a replayed code, counts toward the lockout; a success clears the count.
"""

from __future__ import annotations

from datetime import datetime

from lexhub.errors import AccessDenied
from lexhub.identity.events import EventKind, IdentityEvent
from lexhub.identity.passwords import dummy_verify, verify_password
from lexhub.identity.principal import AuthMethod, Principal
from lexhub.identity.sealing import open_seed
from lexhub.identity.settings import IdentitySettings, aware
from lexhub.identity.totp import match_step
from lexhub.store import Store
from lexhub.store.identity_sql import StoredUser

__all__ = ["LoginFailed", "login"]

WRONG = "login failed: wrong username, password or code"


class LoginFailed(AccessDenied):
    """`reason` is for the audit log (unknown-user, bad-password, bad-code, code-reused,
    locked, disabled, no-totp, totp-unreadable); the message tells the person only what is
    safe to tell."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def login(
    store: Store, settings: IdentitySettings, username: str, password: str, code: str,
    now: datetime,
) -> Principal:  # fmt: skip
    """The principal of a successful login. Raises LoginFailed."""
    now = aware(now)
    user = store.get_user(username)
    if user is None:
        dummy_verify(password, settings.argon2)
        raise _failed(settings, username, None, now, "unknown-user", WRONG)
    if user.locked_until is not None and now < user.locked_until:
        until = user.locked_until.astimezone(now.tzinfo).isoformat(timespec="seconds")
        raise _failed(
            settings, username, user.agency, now, "locked",
            f"account {username} is locked until {until} after {settings.max_failures}"
            " failed logins; an administrator can unlock it",
        )  # fmt: skip
    if user.password_hash is None:
        dummy_verify(password, settings.argon2)
        raise _count(store, settings, user, now, "bad-password")
    ok, rehashed = verify_password(user.password_hash, password, settings.argon2)
    if not ok:
        raise _count(store, settings, user, now, "bad-password")
    if user.disabled_at is not None:
        raise _failed(
            settings, username, user.agency, now, "disabled", f"account {username} is disabled"
        )
    if user.totp_secret is None:
        raise _failed(
            settings, username, user.agency, now, "no-totp",
            f"account {username} has no second factor: an administrator must enrol one"
            " (lexhub user totp-enrol)",
        )  # fmt: skip
    try:
        seed = open_seed(user.totp_secret, username, settings.sealing_key)
    except AccessDenied as e:  # sealed and no (or the wrong) key: fail closed, on the record
        raise _failed(settings, username, user.agency, now, "totp-unreadable", str(e)) from None
    step = match_step(seed, code, now, None)
    if step is None:
        raise _count(store, settings, user, now, "bad-code")
    if not store.claim_totp_step(username, step):
        raise _count(store, settings, user, now, "code-reused")
    if rehashed is not None:
        store.set_password_hash(username, rehashed, now)
    store.login_succeeded(username, now)
    settings.emit(
        IdentityEvent(
            EventKind.LOGIN_OK, now, username, user.agency, None,
            {"method": AuthMethod.PASSWORD_TOTP.value, "rehashed": rehashed is not None},
        )
    )  # fmt: skip
    return Principal(username, user.agency, user.roles, user.oversight, AuthMethod.PASSWORD_TOTP)


def _failed(
    settings: IdentitySettings, username: str, agency: str | None, now: datetime,
    reason: str, message: str,
) -> LoginFailed:  # fmt: skip
    settings.emit(
        IdentityEvent(EventKind.LOGIN_FAILED, now, username, agency, None, {"reason": reason})
    )
    return LoginFailed(message, reason)


def _count(
    store: Store, settings: IdentitySettings, user: StoredUser, now: datetime, reason: str
) -> LoginFailed:
    """A failure that counts toward the lockout; the one that reaches the limit locks."""
    failures, locked = store.login_failed(
        user.username, settings.max_failures, now + settings.lock_for
    )
    error = _failed(settings, user.username, user.agency, now, reason, WRONG)
    if locked:
        settings.emit(
            IdentityEvent(
                EventKind.LOCKOUT, now, user.username, user.agency, None,
                {"failures": failures, "until": (now + settings.lock_for).isoformat()},
            )
        )  # fmt: skip
    return error
