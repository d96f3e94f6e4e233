"""Fixtures shared by every area: a throwaway PostgreSQL database per test, and a migrated
`store` on each engine.

PostgreSQL comes from LEXHUB_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test),
used only as the place to CREATE and DROP a database named after this process and a random
suffix, so concurrent runs (xdist workers, several engineers) never see each other's rows.
No server: the PostgreSQL tests skip on a workstation and FAIL when CI is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from lexhub.store import Store, open_store

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[psycopg.Connection[tuple[object, ...]] | str]:
    """An admin connection to the test server, or the reason there is none."""
    url = os.environ.get("LEXHUB_TEST_PG", DEFAULT_PG)
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as e:
        yield f"no PostgreSQL answers at LEXHUB_TEST_PG={url}: {e}".strip()
        return
    yield conn
    conn.close()


@pytest.fixture
def pg_url(_pg_server: psycopg.Connection[tuple[object, ...]] | str) -> Iterator[str]:
    """The URL of an empty database that exists for this test only."""
    if isinstance(_pg_server, str):
        if os.environ.get("CI"):
            pytest.fail(f"{_pg_server} (CI is set: PostgreSQL tests must not be skipped)")
        pytest.skip(_pg_server)
    base = os.environ.get("LEXHUB_TEST_PG", DEFAULT_PG)
    name = f"lexhub_t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    _pg_server.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
    )
    parts = urlsplit(base)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        _pg_server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(autouse=True)
def _key_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Private keys a test's `lexhub init` creates go to a temporary directory, never the
    working directory (a PostgreSQL node's default key directory is ./lexhub-keys)."""
    monkeypatch.setenv("LEXHUB_KEY_DIR", str(tmp_path_factory.mktemp("keys")))


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on each engine."""
    url = (
        f"sqlite:///{tmp_path}/t.db"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    with open_store(url) as s:
        s.migrate()
        yield s
