"""The console's sessions (issue 6): the SessionStore protocol and its SQL for both engines.

A row holds only the SHA-256 of the session id the browser's cookie carries: a copy of the
database (a backup, a replica) cannot be replayed as a login. Whether a session is still
good (idle lock, absolute expiry) is decided by `lexhub.service.console.sessions`; the store
keeps the times it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

from lexhub.store.audit_sql import _dt

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["SessionSqlMixin", "SessionStore", "StoredSession"]


@dataclass(frozen=True)
class StoredSession:
    """`stage`: `enrol` (password checked, second factor being enrolled) or `full`."""

    id_hash: str
    username: str
    stage: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class SessionStore(Protocol):
    """The console-session part of the Store interface; each call is its own transaction
    unless the caller's is open."""

    def session_add(self, session: StoredSession) -> None: ...

    def session_get(self, id_hash: str) -> StoredSession | None: ...

    def session_touch(self, id_hash: str, at: datetime, stage: str | None = None) -> None:
        """Record activity at `at` (and move to `stage` when given)."""

    def session_end(self, id_hash: str, before: datetime | None = None) -> None:
        """Forget the session, and with `before` every session idle since before then."""


_COLUMNS = "id_hash, username, stage, created_at, last_seen_at, expires_at"


class SessionSqlMixin:
    """SQL of the console_sessions table, shared by both engines."""

    @property
    def _sessions(self) -> SqlStore:
        return cast("SqlStore", self)

    def session_add(self, session: StoredSession) -> None:
        s = self._sessions
        with s._errors("session start"):
            s._x(
                f"INSERT INTO console_sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    session.id_hash, session.username, session.stage,
                    s._ts(session.created_at), s._ts(session.last_seen_at),
                    s._ts(session.expires_at),
                ),
            )  # fmt: skip

    def session_get(self, id_hash: str) -> StoredSession | None:
        s = self._sessions
        with s._reading("session read"):
            row = s._x(
                f"SELECT {_COLUMNS} FROM console_sessions WHERE id_hash = ?", (id_hash,)
            ).fetchone()
        if row is None:
            return None
        return StoredSession(row[0], row[1], row[2], _dt(row[3]), _dt(row[4]), _dt(row[5]))

    def session_touch(self, id_hash: str, at: datetime, stage: str | None = None) -> None:
        s = self._sessions
        with s._errors("session touch"):
            s._x(
                "UPDATE console_sessions SET last_seen_at = ?, stage = COALESCE(?, stage)"
                " WHERE id_hash = ?",
                (s._ts(at), stage, id_hash),
            )

    def session_end(self, id_hash: str, before: datetime | None = None) -> None:
        s = self._sessions
        with s._errors("session end"):
            s._x("DELETE FROM console_sessions WHERE id_hash = ?", (id_hash,))
            if before is not None:
                s._x("DELETE FROM console_sessions WHERE last_seen_at < ?", (s._ts(before),))
