"""Opening, migrating and refusing databases, on both engines."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from lexhub.errors import SchemaTooNew, StoreError
from lexhub.store import SCHEMA_VERSION, Store, open_store
from lexhub.store.migrate import load_migrations
from tests.store.conftest import Raw, raw_connection

TABLES = {
    "agencies",
    "batches",
    "records",
    "record_versions",
    "mentions",
    "mention_keys",
    "record_keys",
    "narratives",
    "expunged_digests",
    "schema_migrations",
}


def _tables(store: Store, raw: Raw) -> set[str]:
    if store.engine == "sqlite":
        return {r[0] for r in raw("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {r[0] for r in raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_migrate_creates_every_table_and_is_idempotent(store: Store, raw: Raw) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    assert TABLES <= _tables(store, raw)
    assert store.migrate() == SCHEMA_VERSION
    assert store.migrate() == SCHEMA_VERSION
    applied = raw("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [v for v, _ in applied] == list(range(1, SCHEMA_VERSION + 1))


def test_opening_creates_no_tables(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    for url in (str(tmp_path / "new.db"), request.getfixturevalue("pg_url")):
        with open_store(url) as s:
            assert s.schema_version() == 0
            assert s.stats is not None
        with open_store(url) as s:  # still empty: nothing was created by the first open
            assert s.schema_version() == 0


def test_postgres_migration_creates_search_extensions(pg_url: str) -> None:
    with open_store(pg_url) as s:
        s.migrate()
    with psycopg.connect(pg_url) as conn:
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
        indexes = {
            r[0]
            for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'mentions'")
        }
    assert {"pg_trgm", "fuzzystrmatch"} <= extensions
    assert "mentions_last_trgm" in indexes


def test_newer_schema_is_refused_with_a_clear_message(store: Store) -> None:
    conn, q = raw_connection(store)
    conn.execute(
        q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
        (SCHEMA_VERSION + 2, "from_the_future", "2030-01-01T00:00:00+00:00"),
    )
    conn.close()
    with pytest.raises(SchemaTooNew) as caught:
        open_store(store.url)
    assert str(caught.value) == (
        f"database schema version {SCHEMA_VERSION + 2} is newer than this lexhub "
        f"({SCHEMA_VERSION}); upgrade lexhub"
    )


def test_every_engine_has_the_same_numbered_migrations() -> None:
    for engine in ("sqlite", "postgres"):
        assert [m.version for m in load_migrations(engine)] == list(range(1, SCHEMA_VERSION + 1))
    names = {engine: [m.name for m in load_migrations(engine)] for engine in ("sqlite", "postgres")}
    assert names["sqlite"] == names["postgres"]


def test_url_schemes_pick_the_engine(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with open_store(str(tmp_path / "a.db")) as s:
        assert s.engine == "sqlite"
    with open_store(f"sqlite:///{tmp_path}/b.db") as s:
        assert s.engine == "sqlite"
    assert (tmp_path / "b.db").exists()
    pg = request.getfixturevalue("pg_url")
    with open_store(pg) as s:
        assert s.engine == "postgres"
    with open_store(pg.replace("postgresql://", "postgres://", 1)) as s:
        assert s.engine == "postgres"


def test_unknown_scheme_is_named() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("mysql://root@localhost/lexhub")
    assert str(caught.value) == (
        'unsupported database URL scheme "mysql://": use a file path, sqlite:///path '
        "or postgresql://..."
    )


def test_a_sqlite_url_without_three_slashes_is_refused() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("sqlite://lexhub.db")
    assert str(caught.value) == (
        '"sqlite://lexhub.db" is not a SQLite URL: write sqlite:///path or a plain path'
    )


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(StoreError) as caught:
        open_store(str(junk))
    assert "not a database" in str(caught.value)
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        open_store(str(tmp_path))


def test_unreachable_postgres_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://someone:s3cret-pw@127.0.0.1:1/lexhub")
    assert "cannot connect to postgresql://someone:***@127.0.0.1:1/lexhub" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    assert isinstance(caught.value.__cause__, psycopg.Error)
