"""Make the database itself refuse audit writes: the fail-closed tests' one tool."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from lexhub.store import Store
from lexhub.store.sqlite import sqlite_path


def refuse_audit(store: Store) -> None:
    """A trigger on `store`'s database that rejects every INSERT into the audit log, set
    from a connection of its own (not a patched function: the write really fails)."""
    if store.engine == "sqlite":
        conn: Any = sqlite3.connect(sqlite_path(store.url), isolation_level=None)
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON audit_entries"
            " BEGIN SELECT RAISE(ABORT, 'audit refused by the database'); END"
        )
    else:
        conn = psycopg.connect(store.url, autocommit=True)
        conn.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'audit refused by the database'; END; $$"
        )
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON audit_entries"
                     " FOR EACH ROW EXECUTE FUNCTION refuse()")  # fmt: skip
    conn.close()
