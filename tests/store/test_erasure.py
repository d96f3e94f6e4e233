"""Expunged content leaves the disk (SQLite) or every query and live row (PostgreSQL).

A record carrying a distinctive made-up word in its narrative, names, alias and address
is written in two versions, expunged and compacted. On SQLite the word must then be in
no byte of the database files (db, -wal, -shm); on PostgreSQL no query over any table
finds it and the tables that held it were vacuumed (see docs/storage.md for the limits).
"""

from __future__ import annotations

from pathlib import Path

from lexhub.model import Address, Person, PersonName
from lexhub.store import Store
from lexhub.store.sqlite import sqlite_path
from tests.store.helpers import OWNER, person, prepared, record

WORD = "Zqxvorblattic"


def _marked(source_id: str, narrative: str) -> object:
    base = person("P1")
    marked = Person(
        **{
            **base.__dict__,
            "name": PersonName(WORD, "Ima", "Q"),
            "aliases": (PersonName(f"{WORD}-Smith", "I"),),
            "addresses": (Address(f"12 {WORD} Rd", key=f"12 {WORD.upper()} RD"),),
        }
    )
    return record(source_id, persons=(marked,), narrative=narrative)


def _write_and_expunge(store: Store) -> None:
    with store.transaction() as tx:
        tx.write_records("b1", [prepared(_marked("R1", f"Seen with {WORD} at noon."))])  # type: ignore[arg-type]
        tx.write_records("b1", [prepared(record(f"K{i}")) for i in range(50)])
        tx.commit()
    with store.transaction() as tx:
        tx.write_records("b2", [prepared(_marked("R1", f"{WORD} left by car."))])  # type: ignore[arg-type]
        tx.commit()


def _files_containing(db: Path, word: str) -> list[str]:
    needle = word.lower().encode()
    return [
        p.name for p in sorted(db.parent.glob(db.name + "*")) if needle in p.read_bytes().lower()
    ]


def test_expunged_content_is_gone_after_compact(region: Store) -> None:
    if region.engine == "sqlite":
        _sqlite_erasure(region)
    else:
        _postgres_erasure(region)


def _sqlite_erasure(region: Store) -> None:
    db = Path(sqlite_path(region.url))
    _write_and_expunge(region)
    region.compact()
    assert _files_containing(db, WORD) == [db.name]  # the test can see the word when present
    with region.transaction() as tx:
        tx.expunge(OWNER, "R1")
        tx.commit()
    region.compact()
    assert _files_containing(db, WORD) == []
    # Other records are intact and the database still works.
    got = region.get_record(OWNER, "K7")
    assert got is not None and got.record == record("K7")


def _postgres_erasure(store: Store) -> None:
    import psycopg

    _write_and_expunge(store)
    with psycopg.connect(store.url, autocommit=True) as conn:

        def hits() -> dict[str, int]:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            ]
            out = {}
            for t in tables:
                n = conn.execute(
                    f"SELECT count(*) FROM {t} AS x WHERE x::text ILIKE %s", (f"%{WORD}%",)
                ).fetchone()[0]
                if n:
                    out[t] = n
            return out

        assert hits().keys() == {"record_versions", "mentions", "mention_keys", "narratives"}
        with store.transaction() as tx:
            tx.expunge(OWNER, "R1")
            tx.commit()
        store.compact()
        assert hits() == {}
        stats = dict(
            conn.execute(
                "SELECT relname, n_dead_tup FROM pg_stat_user_tables"
                " WHERE relname IN ('record_versions', 'narratives', 'mentions', 'mention_keys')"
                " AND last_vacuum IS NOT NULL"
            ).fetchall()
        )
        assert set(stats) == {"record_versions", "narratives", "mentions", "mention_keys"}
        assert all(n == 0 for n in stats.values()), stats
