"""Fixtures of the identity tests: the `store` on both engines, a region with two agencies,
cheap argon2 parameters (tests only: the defaults are asserted separately) and a recorded
event stream.

`store` here is one migrated database per engine (and xdist worker) whose identity tables are
emptied before each test, instead of the root fixture's database per test: creating and
dropping a PostgreSQL database costs a few seconds on a busy machine, and these tests only
touch the identity tables (agencies are re-registered idempotently).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from lexhub.identity import Argon2Params, IdentityEvent, IdentitySettings, add_user, enrol_totp
from lexhub.model import UserRole
from lexhub.store import Store, open_store
from lexhub.store.sqlite import sqlite_path
from tests.conftest import DEFAULT_PG
from tests.store.conftest import raw_connection
from tests.store.helpers import OTHER, OWNER, agency

T0 = datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)
CHEAP = Argon2Params(time_cost=1, memory_cost=64, parallelism=1)
PASSWORD = "correct horse battery staple"


class Events(list[IdentityEvent]):
    def kinds(self) -> list[str]:
        return [e.kind.value for e in self]


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def _module_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_server: psycopg.Connection[tuple[object, ...]] | str,
) -> Iterator[Store]:
    if request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path_factory.mktemp('identity') / 't.db'}") as s:
            s.migrate()
            yield s
        return
    if isinstance(_pg_server, str):
        if os.environ.get("CI"):
            pytest.fail(f"{_pg_server} (CI is set: PostgreSQL tests must not be skipped)")
        pytest.skip(_pg_server)
    name = f"lexhub_t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    _pg_server.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
    )
    parts = urlsplit(os.environ.get("LEXHUB_TEST_PG", DEFAULT_PG))
    try:
        with open_store(urlunsplit(parts._replace(path=f"/{name}"))) as s:
            s.migrate()
            yield s
    finally:
        _pg_server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def store(_module_store: Store) -> Store:
    conn, q = raw_connection(_module_store)
    try:
        for table in ("api_tokens", "user_roles", "users"):
            conn.execute(q(f"DELETE FROM {table}"))
    finally:
        conn.close()
    return _module_store


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def settings(events: Events) -> IdentitySettings:
    return IdentitySettings(argon2=CHEAP, on_event=events.append)


@pytest.fixture
def region(store: Store) -> Store:
    with store.transaction() as tx:
        tx.put_agency(agency(OWNER, "Example County Sheriff"))
        tx.put_agency(agency(OTHER, "Example City Police"))
        tx.commit()
    return store


@pytest.fixture
def alice(region: Store, settings: IdentitySettings) -> str:
    """An investigator with a password and an enrolled second factor; returns the seed."""
    add_user(region, settings, "alice", OWNER, [UserRole.INVESTIGATOR], now=T0, password=PASSWORD)
    return enrol_totp(region, settings, "alice", now=T0).seed


def database_rows(store: Store) -> str:
    """Every row of every table, as text, read past the store."""
    if store.engine == "sqlite":
        conn = sqlite3.connect(sqlite_path(store.url))
        try:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return "\n".join(repr(r) for n in names for r in conn.execute(f'SELECT * FROM "{n}"'))
        finally:
            conn.close()
    with psycopg.connect(store.url, autocommit=True) as conn:
        names = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return "\n".join(
            str(r[0])
            for n in names
            for r in conn.execute(
                sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(n))
            ).fetchall()
        )


def database_text(store: Store) -> str:
    """What a stolen copy would hold: every row and, for SQLite, the raw bytes of the file
    and its WAL (which may also hold earlier tests' rows: use for absence checks only)."""
    text = database_rows(store)
    if store.engine == "sqlite":
        for suffix in ("", "-wal"):
            path = Path(sqlite_path(store.url) + suffix)
            if path.exists():
                text += path.read_bytes().decode("latin-1")
    return text
