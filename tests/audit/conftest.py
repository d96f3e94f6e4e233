"""Audit fixtures: a fixed clock, a request context, events, and a raw second connection
for tampering behind the store's back (as an operator with database access could)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from lexhub.audit import ensure_audit_key, record_event
from lexhub.model import Purpose, RequestContext, UserRole
from lexhub.model.audit import AuditEntry, AuditEvent, AuditKind, RecordRef
from lexhub.store import Store
from lexhub.store.sqlite import sqlite_path

REQUESTER = "WA0170000"
OWNER = "WA0171500"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

Raw = Callable[..., list[tuple[Any, ...]]]


class Clock:
    """Time that moves one second per reading, from T0: no sleeps, reproducible bodies."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def context(user: str = "jdoe") -> RequestContext:
    return RequestContext(
        user, REQUESTER, UserRole.INVESTIGATOR, Purpose.CRIMINAL_INVESTIGATION, "24-0017"
    )


def search_event(i: int = 0, last: str = "SMITH") -> AuditEvent:
    return AuditEvent(
        AuditKind.SEARCH,
        context=context(),
        query={"last": last, "dob": "1981-05-29"},
        owners_searched=(OWNER, REQUESTER),
        disclosed=(RecordRef(OWNER, f"INC-{i}", "incident"),),
        pointers=(RecordRef(REQUESTER, f"FI-{i}", "field-interview"),),
        counts={"hits": 2, "disclosed": 1, "pointers": 1},
        page=1,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def log(store: Store, key_dir: Path, clock: Clock) -> list[AuditEntry]:
    """A node with an audit key and six search entries (seq 1 is the key's creation)."""
    ensure_audit_key(store, key_dir, now=clock)
    return [record_event(store, search_event(i), now=clock) for i in range(6)]


@pytest.fixture
def raw(store: Store) -> Iterator[Raw]:
    """SQL on a second connection, committed at once (autocommit)."""
    if store.engine == "sqlite":
        conn: Any = sqlite3.connect(sqlite_path(store.url), isolation_level=None)
        q: Callable[[str], str] = lambda s: s  # noqa: E731
    else:
        conn = psycopg.connect(store.url, autocommit=True)
        q = lambda s: s.replace("?", "%s")  # noqa: E731

    def run(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        cur = conn.execute(q(sql), params)
        return list(cur.fetchall()) if cur.description else []

    run.engine = store.engine  # type: ignore[attr-defined]
    yield run
    conn.close()


def allow_tampering(raw: Raw) -> None:
    """Drop the append-only triggers, as an operator with full database access can."""
    if raw.engine == "sqlite":  # type: ignore[attr-defined]
        raw("DROP TRIGGER audit_entries_no_update")
        raw("DROP TRIGGER audit_entries_no_delete")
    else:
        raw("DROP TRIGGER audit_entries_no_change ON audit_entries")
