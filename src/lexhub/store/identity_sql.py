"""The identity tables (issue 4): the IdentityStore protocol and its SQL for both engines.

The store keeps what `lexhub.identity` decides: it never sees a password, a token or a
TOTP code, only their hashes, sealed seeds and counters. Each write runs in its own short
transaction, or joins the caller's when one is open (`with store.transaction()`), so the
lead can commit an audit entry together with the change it records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from lexhub.errors import Conflict, StoreError
from lexhub.model import UserRole

__all__ = ["IdentitySqlMixin", "IdentityStore", "StoredToken", "StoredUser"]


@dataclass(frozen=True)
class StoredUser:
    """A users row with its roles. Secrets only as hashes or sealed values."""

    username: str
    agency: str
    display_name: str
    roles: frozenset[UserRole]
    oversight: bool
    created_at: datetime
    disabled_at: datetime | None = None
    password_hash: str | None = None
    password_changed_at: datetime | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    totp_secret: str | None = None
    totp_enrolled_at: datetime | None = None
    totp_last_step: int | None = None


@dataclass(frozen=True)
class StoredToken:
    id: str
    username: str
    name: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class IdentityStore(Protocol):
    """The identity part of the Store interface. Setters return False for an unknown user."""

    def add_user(self, user: StoredUser) -> None:
        """Raises Conflict if the username is taken."""

    def get_user(self, username: str) -> StoredUser | None: ...

    def list_users(self, agency: str | None = None) -> list[StoredUser]: ...

    def set_user_roles(
        self, username: str, roles: frozenset[UserRole], oversight: bool
    ) -> bool: ...

    def set_password_hash(self, username: str, password_hash: str, at: datetime) -> bool: ...

    def set_totp_secret(self, username: str, sealed: str, at: datetime) -> bool:
        """A new seed; forgets the last accepted step."""

    def set_user_disabled(self, username: str, at: datetime | None) -> bool: ...

    def claim_totp_step(self, username: str, step: int) -> bool:
        """Atomically record `step` as used; False if it (or a later one) already was."""

    def login_failed(
        self, username: str, max_failures: int, lock_until: datetime
    ) -> tuple[int, bool]:
        """Count a failure; at `max_failures` lock until `lock_until` and restart the count.
        Returns (failures counted, whether this failure locked the account)."""

    def login_succeeded(self, username: str, at: datetime) -> None: ...

    def unlock_user(self, username: str) -> bool: ...

    def add_token(self, token: StoredToken) -> None: ...

    def get_token(self, token_id: str) -> StoredToken | None: ...

    def list_tokens(self, username: str | None = None) -> list[StoredToken]: ...

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """False if unknown or already revoked."""

    def token_used(self, token_id: str, at: datetime) -> None: ...


class _Sql(Protocol):
    """What the mixin uses of SqlStore."""

    _tx: Any
    _begin_sql: str

    def _x(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def _errors(self, doing: str) -> AbstractContextManager[None]: ...

    def _ts(self, when: datetime) -> Any: ...

    def _rollback_quietly(self) -> None: ...

    def _reading(self, doing: str) -> AbstractContextManager[None]: ...


_USER_COLUMNS = (
    "username, agency, display_name, oversight, created_at, disabled_at, password_hash,"
    " password_changed_at, failed_logins, locked_until, last_login_at, totp_secret,"
    " totp_enrolled_at, totp_last_step"
)
_TOKEN_COLUMNS = "id, username, name, token_hash, created_at, expires_at, revoked_at, last_used_at"


@contextmanager
def _writing(s: _Sql, doing: str) -> Iterator[None]:
    """Join the open transaction, or run in a short one of our own."""
    with s._errors(doing):
        if s._tx is not None:
            yield
            return
        s._x(s._begin_sql)
        try:
            yield
            s._x("COMMIT")
        except BaseException:
            s._rollback_quietly()
            raise


def as_datetime(value: Any) -> datetime | None:
    """SQLite gives ISO text, PostgreSQL a datetime (store/reads.py has the same rule; it
    cannot be imported here without an import cycle through store/base.py)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _opt_ts(s: _Sql, when: datetime | None) -> Any:
    return None if when is None else s._ts(when)


def _required(value: Any, what: str) -> datetime:
    when = as_datetime(value)
    if when is None:  # NOT NULL in both schemas
        raise StoreError(f"identity: {what} is missing")
    return when


class IdentitySqlMixin:
    """SQL of the identity tables, shared by both engines."""

    # -- users ------------------------------------------------------------------------

    def add_user(self: _Sql, user: StoredUser) -> None:
        with _writing(self, "add_user"):
            if self._x("SELECT 1 FROM users WHERE username = ?", (user.username,)).fetchone():
                raise Conflict(f"user {user.username} already exists")
            self._x(
                f"INSERT INTO users ({_USER_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user.username, user.agency, user.display_name, user.oversight,
                    self._ts(user.created_at), _opt_ts(self, user.disabled_at),
                    user.password_hash, _opt_ts(self, user.password_changed_at),
                    user.failed_logins, _opt_ts(self, user.locked_until),
                    _opt_ts(self, user.last_login_at), user.totp_secret,
                    _opt_ts(self, user.totp_enrolled_at), user.totp_last_step,
                ),
            )  # fmt: skip
            _put_roles(self, user.username, user.roles)

    def get_user(self: _Sql, username: str) -> StoredUser | None:
        users = _read_users(self, "WHERE username = ?", (username,))
        return users[0] if users else None

    def list_users(self: _Sql, agency: str | None = None) -> list[StoredUser]:
        if agency is None:
            return _read_users(self, "", ())
        return _read_users(self, "WHERE agency = ?", (agency,))

    def set_user_roles(
        self: _Sql, username: str, roles: frozenset[UserRole], oversight: bool
    ) -> bool:
        with _writing(self, "set_user_roles"):
            cur = self._x(
                "UPDATE users SET oversight = ? WHERE username = ?", (oversight, username)
            )
            if cur.rowcount == 0:
                return False
            self._x("DELETE FROM user_roles WHERE username = ?", (username,))
            _put_roles(self, username, roles)
        return True

    def set_password_hash(self: _Sql, username: str, password_hash: str, at: datetime) -> bool:
        return _update(
            self,
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE username = ?",
            (password_hash, self._ts(at), username),
        )

    def set_totp_secret(self: _Sql, username: str, sealed: str, at: datetime) -> bool:
        return _update(
            self,
            "UPDATE users SET totp_secret = ?, totp_enrolled_at = ?, totp_last_step = NULL"
            " WHERE username = ?",
            (sealed, self._ts(at), username),
        )

    def set_user_disabled(self: _Sql, username: str, at: datetime | None) -> bool:
        return _update(
            self,
            "UPDATE users SET disabled_at = ? WHERE username = ?",
            (_opt_ts(self, at), username),
        )

    def claim_totp_step(self: _Sql, username: str, step: int) -> bool:
        # One conditional UPDATE: of two logins racing with the same code, one wins.
        return _update(
            self,
            "UPDATE users SET totp_last_step = ? WHERE username = ?"
            " AND (totp_last_step IS NULL OR totp_last_step < ?)",
            (step, username, step),
        )

    def login_failed(
        self: _Sql, username: str, max_failures: int, lock_until: datetime
    ) -> tuple[int, bool]:
        with _writing(self, "login_failed"):
            # The UPDATE takes the row (PostgreSQL) or the database (SQLite) lock first,
            # so concurrent failures are all counted and only one of them locks.
            self._x(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = ?",
                (username,),
            )
            row = self._x(
                "SELECT failed_logins FROM users WHERE username = ?", (username,)
            ).fetchone()
            failures = 0 if row is None else int(row[0])
            locked = row is not None and failures >= max_failures
            if locked:
                self._x(
                    "UPDATE users SET failed_logins = 0, locked_until = ? WHERE username = ?",
                    (self._ts(lock_until), username),
                )
        return failures, locked

    def login_succeeded(self: _Sql, username: str, at: datetime) -> None:
        _update(
            self,
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
            " WHERE username = ?",
            (self._ts(at), username),
        )

    def unlock_user(self: _Sql, username: str) -> bool:
        return _update(
            self,
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?",
            (username,),
        )

    # -- API tokens -------------------------------------------------------------------

    def add_token(self: _Sql, token: StoredToken) -> None:
        with _writing(self, "add_token"):
            self._x(
                f"INSERT INTO api_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    token.id, token.username, token.name, token.token_hash,
                    self._ts(token.created_at), self._ts(token.expires_at),
                    _opt_ts(self, token.revoked_at), _opt_ts(self, token.last_used_at),
                ),
            )  # fmt: skip

    def get_token(self: _Sql, token_id: str) -> StoredToken | None:
        tokens = _read_tokens(self, "WHERE id = ?", (token_id,))
        return tokens[0] if tokens else None

    def list_tokens(self: _Sql, username: str | None = None) -> list[StoredToken]:
        if username is None:
            return _read_tokens(self, "", ())
        return _read_tokens(self, "WHERE username = ?", (username,))

    def revoke_token(self: _Sql, token_id: str, at: datetime) -> bool:
        return _update(
            self,
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (self._ts(at), token_id),
        )

    def token_used(self: _Sql, token_id: str, at: datetime) -> None:
        _update(
            self, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (self._ts(at), token_id)
        )


def _update(s: _Sql, sql: str, params: Sequence[Any]) -> bool:
    with _writing(s, "identity update"):
        return bool(s._x(sql, params).rowcount)


def _put_roles(s: _Sql, username: str, roles: frozenset[UserRole]) -> None:
    for role in sorted(roles):
        s._x("INSERT INTO user_roles (username, role) VALUES (?, ?)", (username, role.value))


def _read_users(s: _Sql, where: str, params: Sequence[Any]) -> list[StoredUser]:
    with s._reading("read users"):
        rows = s._x(
            f"SELECT {_USER_COLUMNS} FROM users {where} ORDER BY username", params
        ).fetchall()
        roles: dict[str, set[UserRole]] = {}
        names = [r[0] for r in rows]
        for start in range(0, len(names), 500):
            part = names[start : start + 500]
            for name, role in s._x(
                "SELECT username, role FROM user_roles"
                f" WHERE username IN ({','.join('?' * len(part))})",
                part,
            ).fetchall():
                roles.setdefault(name, set()).add(UserRole(role))
    return [
        StoredUser(
            username=r[0],
            agency=r[1],
            display_name=r[2],
            roles=frozenset(roles.get(r[0], ())),
            oversight=bool(r[3]),
            created_at=_required(r[4], "created_at"),
            disabled_at=as_datetime(r[5]),
            password_hash=r[6],
            password_changed_at=as_datetime(r[7]),
            failed_logins=int(r[8]),
            locked_until=as_datetime(r[9]),
            last_login_at=as_datetime(r[10]),
            totp_secret=r[11],
            totp_enrolled_at=as_datetime(r[12]),
            totp_last_step=None if r[13] is None else int(r[13]),
        )
        for r in rows
    ]


def _read_tokens(s: _Sql, where: str, params: Sequence[Any]) -> list[StoredToken]:
    with s._errors("read tokens"):
        rows = s._x(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens {where} ORDER BY username, created_at, id",
            params,
        ).fetchall()
    return [
        StoredToken(
            id=r[0],
            username=r[1],
            name=r[2],
            token_hash=r[3],
            created_at=_required(r[4], "created_at"),
            expires_at=_required(r[5], "expires_at"),
            revoked_at=as_datetime(r[6]),
            last_used_at=as_datetime(r[7]),
        )
        for r in rows
    ]
