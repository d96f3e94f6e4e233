"""First login of an account without a second factor: enrol one, then prove it.

An administrator creates the account with a password; the first console login checks the
password (`login` answers `no-totp` only to the password's holder), shows a new seed as a
QR code, and finishes only when a code from the new seed is typed: the seed is proven to
be in the user's authenticator before the login counts. Wrong codes count toward the
lockout exactly as at a normal login.
"""

from __future__ import annotations

from datetime import datetime

from lexhub.errors import AccessDenied
from lexhub.identity.events import EventKind, IdentityEvent
from lexhub.identity.login import WRONG, LoginFailed
from lexhub.identity.principal import AuthMethod, Principal
from lexhub.identity.sealing import open_seed
from lexhub.identity.settings import IdentitySettings, aware
from lexhub.identity.totp import match_step
from lexhub.store import Store

__all__ = ["confirm_totp"]


def confirm_totp(
    store: Store, settings: IdentitySettings, username: str, code: str, now: datetime
) -> Principal:
    """The principal once `code` matches the seed just enrolled. The caller MUST have
    checked the password of `username` in this same login. Raises LoginFailed."""
    now = aware(now)
    user = store.get_user(username)
    if user is None or user.totp_secret is None or user.disabled_at is not None:
        raise LoginFailed(WRONG, "no-totp")
    if user.locked_until is not None and now < user.locked_until:
        raise LoginFailed(WRONG, "locked")
    try:
        seed = open_seed(user.totp_secret, username, settings.sealing_key)
    except AccessDenied as e:
        raise LoginFailed(str(e), "totp-unreadable") from None
    step = match_step(seed, code, now, None)
    if step is None or not store.claim_totp_step(username, step):
        failures, locked = store.login_failed(
            username, settings.max_failures, now + settings.lock_for
        )
        reason = "bad-code" if step is None else "code-reused"
        settings.emit(
            IdentityEvent(EventKind.LOGIN_FAILED, now, username, user.agency, None,
                          {"reason": reason, "enrolment": True})
        )  # fmt: skip
        if locked:
            settings.emit(IdentityEvent(EventKind.LOCKOUT, now, username, user.agency, None,
                                        {"failures": failures}))  # fmt: skip
        raise LoginFailed(WRONG, reason)
    store.login_succeeded(username, now)
    settings.emit(
        IdentityEvent(EventKind.LOGIN_OK, now, username, user.agency, None,
                      {"method": AuthMethod.PASSWORD_TOTP.value, "enrolment": True})
    )  # fmt: skip
    return Principal(username, user.agency, user.roles, user.oversight, AuthMethod.PASSWORD_TOTP)
