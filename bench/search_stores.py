"""The benchmark databases: the prepared region loaded once per engine and cached.

A database is keyed by the prepared data AND a fingerprint of the code that decides what
is stored and indexed (normalize, store with its migrations, ingest, model), so a change
to the index rebuilds it instead of measuring a stale one. Older databases of the same
prepared data are removed when a new one is built (SQLite files; PostgreSQL databases
named `lexhub_sq_<prepared>_*`, or `$LEXHUB_BENCH_PG_PREFIX`), so the cache does not
grow with every commit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import psycopg
from psycopg import sql

import lexhub
from common import CACHE, free_disk_gb

__all__ = ["PG_ADMIN", "build_store", "drop_stale", "fingerprint", "mention_people", "pg_database"]

PG_ADMIN = os.environ.get("LEXHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
_CODE = ("normalize", "store", "ingest", "model")
# Two benchmarks run from different checkouts at once must not drop each other's
# PostgreSQL databases (drop_stale removes other fingerprints'): give each its own prefix.
PG_PREFIX = os.environ.get("LEXHUB_BENCH_PG_PREFIX", "lexhub_sq")


# Query-side code under those directories: it reads the index and never writes it, so a
# change to it must not cost a rebuild (an hour per engine at 1M records).
_READ_ONLY = frozenset({"store/search.py"})


def fingerprint() -> str:
    """The index code's fingerprint, or $LEXHUB_BENCH_FP when set: in a tree that others
    edit at the same time (a Protocol added to store/base.py), reuse databases built at a
    known fingerprint; only when the index code is known to be unchanged since."""
    pinned = os.environ.get("LEXHUB_BENCH_FP")
    if pinned:
        return pinned
    root = Path(lexhub.__file__).parent
    h = hashlib.sha256()
    for part in _CODE:
        for f in sorted((root / part).rglob("*")):
            if str(f.relative_to(root)) in _READ_ONLY:
                continue
            if f.suffix in (".py", ".sql", ".yaml") and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:10]


def pg_database(name: str) -> str:
    """The URL of database `name` on the benchmark server, created if missing."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if row is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _drop_pg(prefix: str, keep: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix,)
        ).fetchall()
        for (name,) in rows:
            if name != keep:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def drop_stale(family: str, tag: str, fp: str) -> None:
    """Remove prepared data and databases of the same region made by older benchmark
    code (`family` is the region's part of `tag`) or older index code (`fp`)."""
    for old in CACHE.glob(f"search-{family}*"):
        if old.name != f"search-{tag}":
            shutil.rmtree(old)
    _drop_pg(f"lexhub_sqb_{family}", keep=f"lexhub_sqb_{tag}")
    _drop_pg(f"{PG_PREFIX}_{family}", keep=f"{PG_PREFIX}_{tag}_{fp}")


def build_store(engine: str, prepared: Path, tag: str, fp: str, rebuild: bool) -> str:
    """The URL of a loaded, cached database of `prepared` on `engine`; loads it if needed.
    `tag` names the prepared data (short, [a-z0-9_]); `fp` is `fingerprint()` taken once
    per run, so both engines are keyed by the same code even if it changes meanwhile."""
    if engine == "sqlite":
        path = prepared / f"lexhub-{fp}.db"
        done = prepared / f"lexhub-{fp}.done"
        if rebuild or not done.exists():
            for old in prepared.glob("lexhub-*.db*"):
                old.unlink()
            for old in prepared.glob("lexhub-*.done"):
                old.unlink()
            _load(str(path), prepared, engine)
            done.touch()
        return f"sqlite:///{path}"
    name = f"{PG_PREFIX}_{tag}_{fp}"
    prefix = f"{PG_PREFIX}_{tag}_"
    done = prepared / f"postgres-{fp}.done"
    if rebuild or not done.exists():
        _drop_pg(prefix, keep="")
        for old in prepared.glob("postgres-*.done"):
            old.unlink()
        _load(pg_database(name), prepared, engine)
        done.touch()
    url = pg_database(name)
    _analyze(url)
    return url


def _analyze(url: str) -> None:
    """Gather planner statistics once. The benchmark server runs with autovacuum off, so
    without this PostgreSQL plans every search blind (measured: 10-50 s per query at
    100k records instead of milliseconds)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_user_tables"
            " WHERE last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0"
        ).fetchone()
        if row and row[0]:
            print("  ANALYZE (no planner statistics yet)", flush=True)
            conn.execute("ANALYZE")


def _load(url: str, prepared: Path, engine: str) -> None:
    from lexhub.cli.agency import agencies_from_file
    from lexhub.ingest.load import load_file
    from lexhub.store import open_store

    if free_disk_gb(prepared) < 5:
        raise SystemExit(f"less than 5 GB free under {prepared}; not building the database")
    print(f"loading the {engine} benchmark database ...", flush=True)
    started = time.perf_counter()
    with open_store(url) as store:
        store.migrate()
        with store.transaction() as tx:
            for agency in agencies_from_file(prepared / "agencies.json"):
                tx.put_agency(agency)
            tx.commit()
        for path in sorted(prepared.glob("*.jsonl")):
            load_file(store, path)
    print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)


def mention_people(url: str, truth: dict[str, str]) -> dict[int, str]:
    """Each stored mention's id -> its true person, through (owner, source_id, ref)."""
    from search_data import truth_key

    query = (
        "SELECT m.id, r.owner, r.source_id, m.ref FROM mentions m JOIN records r"
        " ON r.id = m.record_id"
    )
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            rows = conn.execute(query).fetchall()
    else:
        with psycopg.connect(url) as pg:
            rows = pg.execute(query).fetchall()
    out: dict[int, str] = {}
    for mid, owner, source_id, ref in rows:
        person = truth.get(truth_key(owner, source_id, ref))
        if person is not None:
            out[int(mid)] = person
    return out
