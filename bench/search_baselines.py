"""The two baselines lexhub's search is measured against, on the queries that carry a name.

Both score a mention as name similarity (0..1) + 0.5 x date-of-birth agreement, where
agreement is 1 for the same full date (or the same year when the query gives only a
year), 0.5 for the same birth year, 0.5 for a birth year inside the query's age range,
and 0 otherwise. Names are compared order-free (sorted tokens of first and last name,
folded), so a swapped first and last name costs neither baseline anything.

- `TrigramBaseline`: PostgreSQL pg_trgm `similarity()` over a GIN trigram index (the
  `%` operator at the default 0.3 threshold picks candidates), DOB rerank in SQL.
- `RapidfuzzScan`: every mention's name scored by rapidfuzz (`fuzz.ratio` on the sorted
  tokens, i.e. token_sort_ratio) in one single-threaded `process.cdist`, DOB rerank in
  numpy. Exhaustive: it cannot miss a candidate, only rank it low.

Each returns positions in the `NameTable`, best first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import psycopg
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from lexhub.search import PersonQuery
from search_data import TODAY, NameTable, sorted_name

__all__ = ["DobTerms", "RapidfuzzScan", "TrigramBaseline", "dob_terms"]


@dataclass(frozen=True)
class DobTerms:
    full: int | None  # YYYYMMDD of a full query date
    year: int | None  # the query's birth year (full date or year only)
    year_only: bool
    lo: int | None  # birth-year range from an age range
    hi: int | None


def dob_terms(q: PersonQuery) -> DobTerms:
    full = year = lo = hi = None
    if q.dob:
        year = int(q.dob[:4])
        if len(q.dob) == 10:
            full = int(q.dob.replace("-", ""))
    if q.age_min is not None or q.age_max is not None:
        lo = TODAY.year - (q.age_max if q.age_max is not None else 120) - 1
        hi = TODAY.year - (q.age_min or 0)
    return DobTerms(full, year, year is not None and full is None, lo, hi)


def _dob_ints(dobs: list[str | None]) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    full = np.zeros(len(dobs), dtype=np.int32)
    year = np.zeros(len(dobs), dtype=np.int32)
    for i, d in enumerate(dobs):
        if d:
            year[i] = int(d[:4])
            if len(d) == 10:
                full[i] = int(d.replace("-", ""))
    return full, year


class RapidfuzzScan:
    def __init__(self, table: NameTable) -> None:
        self.names = table.names
        self.full, self.year = _dob_ints(table.dobs)

    def search(self, q: PersonQuery, k: int = 10) -> list[int]:
        name = sorted_name(q.first, q.last)
        scores = process.cdist([name], self.names, scorer=fuzz.ratio, dtype=np.uint8, workers=1)
        total = scores[0].astype(np.float32) / 100
        t = dob_terms(q)
        agree = np.zeros(len(self.names), dtype=np.float32)
        if t.lo is not None and t.hi is not None:
            agree[(self.year >= t.lo) & (self.year <= t.hi)] = 0.5
        if t.year is not None:
            agree[self.year == t.year] = 1.0 if t.year_only else 0.5
        if t.full is not None:
            agree[self.full == t.full] = 1.0
        total += 0.5 * agree
        top = np.argpartition(-total, min(k, len(total) - 1))[:k]
        return sorted(top.tolist(), key=lambda i: (-total[i], i))


_SQL = """
SELECT pos FROM bench_names
WHERE full_name %% %(name)s
ORDER BY similarity(full_name, %(name)s) + 0.5 * (CASE
    WHEN %(full)s::int IS NOT NULL AND dob_full = %(full)s::int THEN 1.0
    WHEN %(year)s::int IS NOT NULL AND dob_year = %(year)s::int
        THEN CASE WHEN %(year_only)s THEN 1.0 ELSE 0.5 END
    WHEN dob_year BETWEEN %(lo)s::int AND %(hi)s::int THEN 0.5
    ELSE 0 END) DESC, pos
LIMIT %(k)s
"""


class TrigramBaseline:
    """pg_trgm on its own database (`url`), built once from the NameTable."""

    def __init__(self, url: str, table: NameTable) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self._build(table)

    def _build(self, table: NameTable) -> None:
        c = self.conn
        c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        exists = c.execute("SELECT to_regclass('bench_names') IS NOT NULL").fetchone()
        if exists and exists[0]:
            row = c.execute("SELECT count(*) FROM bench_names").fetchone()
            if row and row[0] == len(table.names):
                return
            c.execute("DROP TABLE bench_names")
        c.execute(
            "CREATE TABLE bench_names (pos int PRIMARY KEY, full_name text NOT NULL,"
            " dob_full int, dob_year int)"
        )
        full, year = _dob_ints(table.dobs)
        with c.cursor() as cur, cur.copy("COPY bench_names FROM STDIN") as cp:
            for i, name in enumerate(table.names):
                cp.write_row((i, name, int(full[i]) or None, int(year[i]) or None))
        c.execute("CREATE INDEX bench_names_trgm ON bench_names USING gin (full_name gin_trgm_ops)")
        c.execute("VACUUM ANALYZE bench_names")

    def search(self, q: PersonQuery, k: int = 10) -> list[int]:
        t = dob_terms(q)
        params = {
            "name": sorted_name(q.first, q.last),
            "full": t.full,
            "year": t.year,
            "year_only": t.year_only,
            "lo": t.lo,
            "hi": t.hi,
            "k": k,
        }
        return [int(r[0]) for r in self.conn.execute(_SQL, params).fetchall()]

    def close(self) -> None:
        self.conn.close()
