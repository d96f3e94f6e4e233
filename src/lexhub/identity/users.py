"""Accounts: create, change roles, set passwords, enrol the second factor, disable, unlock.

A user belongs to one agency and holds one or more roles; `oversight` (auditors only)
extends an auditor's reach from its own agency to every agency, for an oversight body.
Each change is one `IdentityEvent` to `settings.on_event`; `actor` names who made it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lexhub.errors import Conflict, InputError, NotFound
from lexhub.identity.events import EventKind, IdentityEvent
from lexhub.identity.passwords import check_password_rules, hash_password
from lexhub.identity.sealing import seal_seed
from lexhub.identity.settings import IdentitySettings, aware
from lexhub.identity.totp import new_seed, provisioning_uri, qr_svg, qr_text
from lexhub.model import UserRole
from lexhub.store import Store
from lexhub.store.identity_sql import StoredUser

__all__ = [
    "Enrolment",
    "User",
    "add_user",
    "disable_user",
    "enable_user",
    "enrol_totp",
    "get_user",
    "list_users",
    "set_password",
    "set_roles",
    "unlock_user",
]

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class User:
    """An account as administrators see it: no hash, no seed."""

    username: str
    agency: str
    display_name: str
    roles: frozenset[UserRole]
    oversight: bool
    created_at: datetime
    disabled: bool
    has_password: bool
    totp_enrolled: bool
    failed_logins: int
    locked_until: datetime | None
    last_login_at: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and aware(now) < self.locked_until


@dataclass(frozen=True)
class Enrolment:
    """What the user scans, shown once. `uri` and `seed` are secrets: never log them."""

    username: str
    seed: str
    uri: str
    svg: str
    text: str  # the QR code in block characters for a terminal


def _user(s: StoredUser) -> User:
    return User(
        s.username, s.agency, s.display_name, s.roles, s.oversight, s.created_at,
        s.disabled_at is not None, s.password_hash is not None, s.totp_secret is not None,
        s.failed_logins, s.locked_until, s.last_login_at,
    )  # fmt: skip


def _bad(field: str, reason: str) -> InputError:
    return InputError("user", None, field, reason)


def _check_roles(roles: frozenset[UserRole], oversight: bool) -> None:
    if not roles:
        raise _bad("roles", "a user needs at least one role")
    if oversight and UserRole.AUDITOR not in roles:
        raise _bad("oversight", "only an auditor may have oversight of every agency")


def _stored(store: Store, username: str) -> StoredUser:
    found = store.get_user(username)
    if found is None:
        raise NotFound(f"no user {username}")
    return found


def get_user(store: Store, username: str) -> User:
    return _user(_stored(store, username))


def list_users(store: Store, agency: str | None = None) -> list[User]:
    return [_user(u) for u in store.list_users(agency)]


def add_user(
    store: Store, settings: IdentitySettings, username: str, agency: str,
    roles: Iterable[UserRole], *, now: datetime, oversight: bool = False,
    display_name: str = "", password: str | None = None, actor: str | None = None,
) -> User:  # fmt: skip
    """Create an account. Without a password it can only use API tokens until one is set.
    Raises InputError (bad name, roles, password), NotFound (agency), Conflict (taken)."""
    now = aware(now)
    if not _USERNAME.match(username):
        raise _bad(
            "username", f"{username!r}: 2-64 of a-z 0-9 . _ -, starting with a letter or digit"
        )
    role_set = frozenset(roles)
    _check_roles(role_set, oversight)
    if store.get_agency(agency) is None:
        raise NotFound(f"agency {agency} is not registered (lexhub agency add)")
    password_hash = None
    if password is not None:
        if (why := check_password_rules(password)) is not None:
            raise _bad("password", why)
        password_hash = hash_password(password, settings.argon2)
    stored = StoredUser(
        username=username, agency=agency, display_name=display_name.strip(), roles=role_set,
        oversight=oversight, created_at=now, password_hash=password_hash,
        password_changed_at=now if password_hash else None,
    )  # fmt: skip
    store.add_user(stored)
    settings.emit(
        IdentityEvent(
            EventKind.USER_CREATED, now, username, agency, actor,
            {"roles": sorted(r.value for r in role_set), "oversight": oversight,
             "password": password_hash is not None},
        )
    )  # fmt: skip
    return _user(stored)


def set_roles(
    store: Store, settings: IdentitySettings, username: str, roles: Iterable[UserRole],
    *, now: datetime, oversight: bool = False, actor: str | None = None,
) -> User:  # fmt: skip
    before = _stored(store, username)
    role_set = frozenset(roles)
    _check_roles(role_set, oversight)
    store.set_user_roles(username, role_set, oversight)
    settings.emit(
        IdentityEvent(
            EventKind.ROLES_CHANGED, aware(now), username, before.agency, actor,
            {"roles": sorted(r.value for r in role_set), "oversight": oversight,
             "before": sorted(r.value for r in before.roles),
             "oversight_before": before.oversight},
        )
    )  # fmt: skip
    return get_user(store, username)


def set_password(
    store: Store, settings: IdentitySettings, username: str, password: str,
    *, now: datetime, actor: str | None = None,
) -> None:  # fmt: skip
    now = aware(now)
    if (why := check_password_rules(password)) is not None:
        raise _bad("password", why)
    user = _stored(store, username)
    store.set_password_hash(username, hash_password(password, settings.argon2), now)
    settings.emit(IdentityEvent(EventKind.PASSWORD_CHANGED, now, username, user.agency, actor))


def enrol_totp(
    store: Store, settings: IdentitySettings, username: str,
    *, now: datetime, actor: str | None = None,
) -> Enrolment:  # fmt: skip
    """A new seed, replacing any earlier one at once (a lost phone is re-enrolled this
    way). The seed is sealed with `settings.sealing_key` when there is one."""
    now = aware(now)
    user = _stored(store, username)
    seed = new_seed()
    store.set_totp_secret(username, seal_seed(seed, username, settings.sealing_key), now)
    settings.emit(
        IdentityEvent(
            EventKind.TOTP_ENROLLED, now, username, user.agency, actor,
            {"sealed": settings.sealing_key is not None},
        )
    )  # fmt: skip
    uri = provisioning_uri(seed, username, settings.issuer)
    return Enrolment(username, seed, uri, qr_svg(uri), qr_text(uri))


def disable_user(
    store: Store, settings: IdentitySettings, username: str,
    *, now: datetime, actor: str | None = None,
) -> None:  # fmt: skip
    """No more logins and no more token use; the account and its history stay."""
    now = aware(now)
    user = _stored(store, username)
    if user.disabled_at is not None:
        raise Conflict(f"user {username} is already disabled")
    store.set_user_disabled(username, now)
    settings.emit(IdentityEvent(EventKind.USER_DISABLED, now, username, user.agency, actor))


def enable_user(
    store: Store, settings: IdentitySettings, username: str,
    *, now: datetime, actor: str | None = None,
) -> None:  # fmt: skip
    now = aware(now)
    user = _stored(store, username)
    if user.disabled_at is None:
        raise Conflict(f"user {username} is not disabled")
    store.set_user_disabled(username, None)
    settings.emit(IdentityEvent(EventKind.USER_ENABLED, now, username, user.agency, actor))


def unlock_user(
    store: Store, settings: IdentitySettings, username: str,
    *, now: datetime, actor: str | None = None,
) -> None:  # fmt: skip
    """Lift a lockout before it expires and forget the failures counted so far."""
    now = aware(now)
    user = _stored(store, username)
    store.unlock_user(username)
    was_locked = user.locked_until is not None and now < user.locked_until
    settings.emit(
        IdentityEvent(
            EventKind.USER_UNLOCKED, now, username, user.agency, actor,
            {"was_locked": was_locked, "failures_cleared": user.failed_logins},
        )
    )  # fmt: skip
