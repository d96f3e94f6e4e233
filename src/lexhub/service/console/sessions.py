"""Console sessions: a random id in an HttpOnly, SameSite=Strict cookie, its hash in the
store, an idle lock and an absolute expiry measured on the app's injected clock.

CJIS asks for a session lock after at most 30 minutes idle: a session not used for IDLE
ends, and the next request goes back to the login page saying why. A session also ends
MAX_AGE after it began, however busy. The store keeps only SHA-256 of the id, so reading
the database does not give a usable cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lexhub.store import Store
from lexhub.store.session_sql import StoredSession

__all__ = [
    "COOKIE",
    "IDLE",
    "MAX_AGE",
    "Ended",
    "Stage",
    "digest",
    "end_session",
    "resume_session",
    "start_session",
]

COOKIE = "lexhub_session"
IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)


class Stage(StrEnum):
    ENROL = "enrol"  # password checked; the second factor is being enrolled
    FULL = "full"


class Ended(StrEnum):
    """Why a cookie no longer opens a session (the login page tells the user)."""

    NONE = "none"  # no cookie, or one the store does not know
    IDLE = "idle"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Session:
    id: str  # the cookie's value: never stored, never logged
    username: str
    stage: Stage


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


def start_session(store: Store, username: str, stage: Stage, now: datetime) -> Session:
    """A new session (a login always gets a new id: no fixation of an earlier one)."""
    session_id = secrets.token_urlsafe(32)
    store.session_add(
        StoredSession(digest(session_id), username, stage.value, now, now, now + MAX_AGE)
    )
    return Session(session_id, username, stage)


def resume_session(
    store: Store, session_id: str | None, now: datetime, stage: Stage | None = Stage.FULL
) -> Session | Ended:
    """The session of this cookie, marked as used at `now`; or why there is none. With
    `stage` given, a session in another stage does not count (an enrolment is not a login).
    An idle or expired session is deleted on the way, with every other idle one."""
    if not session_id:
        return Ended.NONE
    key = digest(session_id)
    found = store.session_get(key)
    if found is None or (stage is not None and found.stage != stage.value):
        return Ended.NONE
    if now >= found.expires_at or now - found.last_seen_at >= IDLE:
        store.session_end(key, before=now - IDLE)
        return Ended.EXPIRED if now >= found.expires_at else Ended.IDLE
    store.session_touch(key, now)
    return Session(session_id, found.username, Stage(found.stage))


def end_session(store: Store, session_id: str | None) -> None:
    if session_id:
        store.session_end(digest(session_id))
