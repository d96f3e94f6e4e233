"""Fixtures of the contract suite: raw driver access (to look behind the interface) and a
store with the test agencies registered."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from lexhub.store import Store
from lexhub.store.sqlite import sqlite_path
from tests.store.helpers import OTHER, OWNER, agency

Raw = Callable[..., list[tuple[Any, ...]]]


def raw_connection(store: Store) -> tuple[Any, Callable[[str], str]]:
    """A second connection to the store's database, beside the store's own."""
    if store.engine == "sqlite":
        return sqlite3.connect(sqlite_path(store.url), isolation_level=None), lambda s: s
    return psycopg.connect(store.url, autocommit=True), lambda s: s.replace("?", "%s")


@pytest.fixture
def raw(store: Store) -> Iterator[Raw]:
    """Run SQL on a separate connection: what is committed, as any other client sees it."""
    conn, q = raw_connection(store)

    def run(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return list(conn.execute(q(sql), params).fetchall())

    run.engine = store.engine  # type: ignore[attr-defined]
    yield run
    conn.close()


@pytest.fixture
def region(store: Store) -> Store:
    with store.transaction() as tx:
        tx.put_agency(agency(OWNER, "Example County Sheriff"))
        tx.put_agency(agency(OTHER, "Example City Police"))
        tx.commit()
    return store
