"""Search reads shared by both engines: candidates inside a scope, and their rows.

The scope is part of every statement here, never a filter applied afterwards: a record
outside it is not read, counted or ranked, and a key that reveals a withheld field does not
match (the probe carries the field its key reveals; `scope_clause` turns each grant's
withholding rules into SQL on that field, the person's role and the record's offense
categories). Ranking and explanation live in `lexhub.search`; this module only finds and
fetches. Engine-specific pieces (full text) are hooks on the store.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import orjson

from lexhub.model import Scope, SearchKey, Sensitivity

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = [
    "KeyProbe",
    "MentionRow",
    "Narrowing",
    "RecordFilter",
    "RecordRow",
    "find_mentions",
    "find_records",
    "key_counts",
    "key_values",
    "mention_rows",
    "record_keys_of",
    "scope_clause",
]

CHUNK = 500


@dataclass(frozen=True)
class KeyProbe:
    """One key to look for: a mention key, or with `record` a record key whose record's
    mentions become candidates. `pattern`: `key` is a LIKE pattern (plate fragments).
    `names` (mention keys only): the key counts only for mentions whose surname or given
    name, compact, is one of these (a date of birth one digit out is worth a candidate
    only beside the name typed: alone, thirty such dates hold a region's worth of people);
    such a probe also reveals the name, so a grant withholding the name does not let it
    match. `dobs` is the same pairing read from the other side: a name key that counts
    only for mentions born on one of these dates (ISO), for when the names typed are
    held by fewer mentions than the dates; it reveals the date of birth too."""

    kind: str
    key: str
    weight: float
    field: str  # the withholdable field the key reveals (normalize.keys.key_field)
    record: bool = False
    pattern: bool = False
    names: tuple[str, ...] = ()
    dobs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Narrowing:
    """What a candidate must not contradict when the query's keys are broad (a tattoo
    motif, a plate fragment): the sex and a span of birth years the witness gave. A
    mention recording neither (sex unknown, no date of birth) stays a candidate: absence
    is not disagreement. Without it, a motif shared by thousands of mentions fills the
    candidate list in id order and the person described is often not among them.

    Callers MUST NOT narrow on a field the scope withholds anywhere (search/engine.py
    checks): excluding a mention by its withheld date of birth would reveal it."""

    sex: str | None = None
    born_from: int | None = None  # year
    born_to: int | None = None
    # A full date of birth typed where a recorded date that contradicts it leaves no hit
    # (search/score.py decides when): the mention is kept only if its date of birth is
    # unknown, in that year, or one of `born_near_dates` (ISO, other years).
    born_near_year: int | None = None
    born_near_dates: tuple[str, ...] = ()
    # Not a filter but an order: among candidates the keys weigh alike, those born
    # nearest this year first, then those without a recorded year (a witness's age range
    # is a guess around its middle; the scorer weighs it the same way). A motif or a
    # moniker held by more people of that sex and age than are scored kept the lowest ids.
    born_about: int | None = None

    def clause(self, alias: str) -> tuple[str, list[Any]]:
        """SQL true for the mentions of `alias` this narrowing keeps, and its params."""
        parts: list[str] = []
        params: list[Any] = []
        if self.sex:
            parts.append(f"({alias}.sex IS NULL OR {alias}.sex IN ('U', ?))")
            params.append(self.sex)
        if self.born_from is not None or self.born_to is not None:
            parts.append(f"({alias}.dob_year IS NULL OR {alias}.dob_year BETWEEN ? AND ?)")
            params += [self.born_from or 0, self.born_to or 9999]
        if self.born_near_year is not None:
            near = f" OR {alias}.dob IN ({_marks(self.born_near_dates)})"
            parts.append(
                f"({alias}.dob IS NULL OR {alias}.dob_year = ?"
                f"{near if self.born_near_dates else ''})"
            )
            params += [self.born_near_year, *self.born_near_dates]
        return " AND ".join(parts) or "1 = 1", params


@dataclass(frozen=True)
class MentionRow:
    id: int
    record_id: int
    owner: str
    type: str
    sensitivity: str
    source_id: str
    occurred: str | None
    role: str
    last: str | None
    first: str | None
    middle: str | None
    dob: str | None
    sex: str | None
    race: str | None
    height_in: int | None
    weight_lb: int | None
    profile: dict[str, Any]
    offense_categories: tuple[str, ...]


@dataclass(frozen=True)
class RecordFilter:
    """A record query as the store sees it: every criterion must hold. Key lists are
    alternatives (any one of them); `plate` is a LIKE pattern over plate keys, and
    `plate_lookup` the key kind and pattern the index answers it with (normalize's
    `plate_lookup`: a leading wildcard is looked up reversed), chosen by the caller
    because the store does not know how keys are made."""

    record_type: str | None = None
    offense: str | None = None
    owner: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    location_keys: tuple[SearchKey, ...] = ()
    phone_keys: tuple[SearchKey, ...] = ()
    plate: str | None = None
    plate_lookup: tuple[str, str] | None = None
    text: str | None = None

    @property
    def fields(self) -> frozenset[str]:
        """The withholdable fields this filter reads: a grant withholding one of them
        cannot satisfy it."""
        used = {
            "record.offenses": self.offense is not None,
            "record.locations": bool(self.location_keys),
            "record.phones": bool(self.phone_keys),
            "record.vehicles": self.plate is not None,
            "record.narrative": self.text is not None,
        }
        return frozenset(f for f, on in used.items() if on)


@dataclass(frozen=True)
class RecordRow:
    id: int
    owner: str
    type: str
    sensitivity: str
    source_id: str
    occurred: str | None
    offense_categories: tuple[str, ...]
    relevance: float  # engine full-text rank, higher is better; 0 without text


def scope_clause(
    scope: Scope, alias: str, *, field_sql: str | None = None,
    fields: frozenset[str] = frozenset(), person: bool = True,
) -> tuple[str, list[Any]]:  # fmt: skip
    """SQL true for the rows of `alias` the scope lets match (`_scope_clause`), built once
    per scope and arguments: a search builds it once per statement branch, and for a
    region-wide scope (a grant per owner and record type) building it cost about as much
    as the index searches of a name query."""
    key = (alias, field_sql, fields, person)
    with _CLAUSES_LOCK:
        held = _CLAUSES.get(id(scope))
        if held is None or held[0] is not scope:  # a new scope (or a reused id)
            if len(_CLAUSES) >= 64:
                _CLAUSES.clear()
            held = _CLAUSES[id(scope)] = (scope, {})
        built = held[1].get(key)
    if built is None:
        sql, params = _scope_clause(scope, alias, field_sql, fields, person)
        built = (sql, tuple(params))
        with _CLAUSES_LOCK:
            held[1][key] = built
    return built[0], list(built[1])


# Built clauses by scope identity (the scope object kept alongside, so that an id reused
# after it is gone is not mistaken for it): hashing a region-wide scope each time would
# cost a third of building the clause.
_CLAUSES: dict[int, tuple[Scope, dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]]]] = {}
_CLAUSES_LOCK = threading.Lock()


def _scope_clause(
    scope: Scope, alias: str, field_sql: str | None, fields: frozenset[str], person: bool
) -> tuple[str, list[Any]]:
    """SQL true for the rows of `alias` (mentions or records) the scope lets match.

    `field_sql` is an SQL expression naming, per row, the field the match reveals (a
    probe's field); `fields` is a fixed set of fields the match reads. A withholding rule
    excludes the row when its condition (roles, offense categories) holds and it withholds
    the field, or, for person rows, the whole person. Role conditions do not apply to
    records: there a rule applies whenever its categories do (fail closed)."""
    by_owner: dict[tuple[str, Sensitivity, tuple[Any, ...]], list[str]] = {}
    for g in scope.grants:
        by_owner.setdefault((g.owner, g.max_sensitivity, g.withhold), []).append(g.record_type)
    # Owners granted the same record types alike share one term (`owner IN (...)`): a
    # region-wide scope is then one term, not one per owner for every row to try.
    groups: dict[tuple[tuple[str, ...], Sensitivity, tuple[Any, ...]], list[str]] = {}
    for (owner, max_sensitivity, withhold), owned in by_owner.items():
        groups.setdefault((tuple(owned), max_sensitivity, withhold), []).append(owner)
    parts: list[str] = []
    params: list[Any] = []
    for (types, max_sensitivity, withhold), owners in groups.items():
        levels = [s.value for s in Sensitivity if s.rank <= max_sensitivity.rank]
        sql = (
            f"({alias}.owner IN ({_marks(owners)}) AND {alias}.type IN ({_marks(types)})"
            f" AND {alias}.sensitivity IN ({_marks(levels)})"
        )
        p: list[Any] = [*owners, *types, *levels]
        excluded = False
        for rule in withhold:
            conditions: list[str] = []
            rule_params: list[Any] = []
            if rule.roles is not None and person:
                roles = sorted(r.value for r in rule.roles)
                conditions.append(f"{alias}.role IN ({_marks(roles)})")
                rule_params += roles
            if rule.offense_categories is not None:
                cats = sorted(c.value for c in rule.offense_categories)
                conditions.append("(" + " OR ".join(f"{alias}.offcats LIKE ?" for _ in cats) + ")")
                rule_params += [f"% {c} %" for c in cats]
            if person and "person" in rule.fields:
                pass  # the whole person: hidden whenever the rule applies
            elif field_sql is not None:
                conditions.append(f"{field_sql} IN ({_marks(rule.fields)})")
                rule_params += sorted(rule.fields)
            elif not fields & rule.fields:
                continue  # withholds nothing this match reads
            if not conditions:
                excluded = True  # applies to every row of the group
                break
            sql += " AND NOT (" + " AND ".join(conditions) + ")"
            p += rule_params
        if not excluded:
            parts.append(sql + ")")
            params += p
    if not parts:
        return "1 = 0", []
    return "(" + " OR ".join(parts) + ")", params


def _marks(values: Sequence[Any] | frozenset[Any]) -> str:
    return ",".join("?" * len(values))


def key_counts(store: SqlStore, keys: Sequence[SearchKey], cap: int) -> dict[SearchKey, int]:
    """How many mentions hold each key, counted up to `cap` (a bounded index range scan):
    the planner's statistics for choosing selective keys, like the database's own."""
    out: dict[SearchKey, int] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 100):
        part = unique[start : start + 100]
        sql = " UNION ALL ".join(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM mention_keys"
            " WHERE kind = ? AND key = ? LIMIT ?) t)"
            for _ in part
        )
        params = [v for kind, key in part for v in (kind, key, cap)]
        rows = store._x(sql, params).fetchall()
        out.update({k: int(row[0]) for k, row in zip(part, rows, strict=True)})
    return out


def key_values(store: SqlStore, kind: str) -> list[str]:
    """Every distinct key of `kind`: the spelling vocabulary typo expansion searches."""
    rows = store._x("SELECT DISTINCT key FROM mention_keys WHERE kind = ?", (kind,)).fetchall()
    return [r[0] for r in rows]


def find_mentions(
    store: SqlStore,
    probes: Sequence[KeyProbe],
    scope: Scope,
    limit: int,
    narrowing: Narrowing | None = None,
) -> list[tuple[int, float]]:
    """(mention id, summed probe weight) of the best `limit` mentions inside `scope` that
    hold any probe's key and do not contradict `narrowing`, best first, ties by the
    nearness of the year of birth to `narrowing.born_about` if given, then by id."""
    if scope.empty or not probes:
        return []
    narrow_sql, narrow_params = (narrowing or Narrowing()).clause("m")
    branches: list[str] = []
    params: list[Any] = []
    head = ""
    plain = [p for p in probes if not p.record and not p.pattern and not p.names and not p.dobs]
    if plain:
        values = ",".join(
            "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS REAL), CAST(? AS TEXT))" for _ in plain
        )
        head = f"WITH q(kind, key, w, f) AS (VALUES {values}) "
        params += [v for p in plain for v in (p.kind, p.key, p.weight, p.field)]
        scope_sql, scope_params = scope_clause(scope, "m", field_sql="q.f")
        # The probes drive the join: one index search per probe. With a few hundred
        # probes SQLite's planner would rather scan all keys; `_driving_join` pins it.
        join = store._driving_join
        branches.append(
            f"SELECT m.id AS id, q.w AS w, m.dob_year AS y FROM q {join} mention_keys k"
            f" ON k.kind = q.kind AND k.key = q.key {join} mentions m ON m.id = k.mention_id"
            f" WHERE {scope_sql} AND {narrow_sql}"
        )
        params += [*scope_params, *narrow_params]
    for (kind, weight, field, names), keys in _named(probes).items():
        scope_sql, scope_params = scope_clause(scope, "m", fields=frozenset({field, "person.name"}))
        compact = [f"REPLACE(REPLACE(m.{c}, '-', ''), ' ', '') IN ({_marks(names)})"
                   for c in ("last", "first")]  # fmt: skip
        branches.append(
            f"SELECT m.id AS id, CAST(? AS REAL) AS w, m.dob_year AS y FROM mention_keys x"
            f" JOIN mentions m ON m.id = x.mention_id WHERE x.kind = ? AND x.key IN"
            f" ({_marks(keys)}) AND ({' OR '.join(compact)}) AND {scope_sql} AND {narrow_sql}"
        )
        params += [weight, kind, *keys, *names, *names, *scope_params, *narrow_params]
    for (weight, field, dobs), pairs in _dated(probes).items():
        scope_sql, scope_params = scope_clause(scope, "m", fields=frozenset({field, "person.name"}))
        either = " OR ".join("(x.kind = ? AND x.key = ?)" for _ in pairs)
        branches.append(
            f"SELECT DISTINCT m.id AS id, CAST(? AS REAL) AS w, m.dob_year AS y"
            f" FROM mention_keys x"
            f" JOIN mentions m ON m.id = x.mention_id WHERE ({either})"
            f" AND m.dob IN ({_marks(dobs)}) AND {scope_sql} AND {narrow_sql}"
        )
        params += [weight, *[v for k in pairs for v in k], *dobs, *scope_params, *narrow_params]
    for p in probes:
        if not p.record and not p.pattern:
            continue
        scope_sql, scope_params = scope_clause(scope, "m", fields=frozenset({p.field}))
        table = "record_keys" if p.record else "mention_keys"
        join = "m.record_id = x.record_id" if p.record else "m.id = x.mention_id"
        match_sql, match_params = _key_match("x", p.key, p.pattern)
        branches.append(
            f"SELECT m.id AS id, CAST(? AS REAL) AS w, m.dob_year AS y FROM {table} x"
            f" JOIN mentions m ON {join}"
            f" WHERE x.kind = ? AND {match_sql} AND {scope_sql} AND {narrow_sql}"
        )
        params += [p.weight, p.kind, *match_params, *scope_params, *narrow_params]
    about, about_params = "", []
    if narrowing is not None and narrowing.born_about is not None:
        about, about_params = "COALESCE(ABS(MIN(y) - ?), 9999), ", [narrowing.born_about]
    sql = (
        head + "SELECT id, SUM(w) AS s FROM (" + " UNION ALL ".join(branches) + ") c"
        f" GROUP BY id ORDER BY s DESC, {about}id LIMIT ?"
    )
    rows = store._x(sql, [*params, *about_params, limit]).fetchall()
    return [(int(i), float(s)) for i, s in rows]


def _named(probes: Sequence[KeyProbe]) -> dict[tuple[str, float, str, tuple[str, ...]], list[str]]:
    """Name-bound mention probes grouped into one statement branch each (kind, weight,
    field, names -> keys): thirty dates one digit out are one index search of thirty keys."""
    out: dict[tuple[str, float, str, tuple[str, ...]], list[str]] = {}
    for p in probes:
        if p.names and not p.record and not p.pattern:
            out.setdefault((p.kind, p.weight, p.field, p.names), []).append(p.key)
    return out


def _dated(probes: Sequence[KeyProbe]) -> dict[tuple[float, str, tuple[str, ...]], list[SearchKey]]:
    """Date-bound name probes grouped into one branch each (weight, field, dates -> keys).
    DISTINCT in the branch: a mention holding two of the names counts once."""
    out: dict[tuple[float, str, tuple[str, ...]], list[SearchKey]] = {}
    for p in probes:
        if p.dobs and not p.record and not p.pattern:
            out.setdefault((p.weight, p.field, p.dobs), []).append((p.kind, p.key))
    return out


def _key_match(alias: str, key: str, pattern: bool) -> tuple[str, list[Any]]:
    """SQL matching `alias`.key to `key`, a LIKE pattern if `pattern`. A pattern's literal
    prefix ("FD825" of "FD825%") also bounds the key as a range, which both engines answer
    from the (kind, key) index; LIKE alone reads every key of the kind (SQLite's LIKE is
    case-insensitive and PostgreSQL's collation is not C, so neither uses the index), and
    a plate fragment then costs a scan of every plate in the region."""
    if not pattern:
        return f"{alias}.key = ?", [key]
    prefix = key[: min((i for i, c in enumerate(key) if c in "%_"), default=len(key))]
    if not prefix or not prefix.isascii() or prefix[-1] == "\x7f":
        return f"{alias}.key LIKE ?", [key]
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return f"{alias}.key >= ? AND {alias}.key < ? AND {alias}.key LIKE ?", [prefix, upper, key]


_MENTION_SELECT = (
    "SELECT m.id, m.record_id, m.owner, m.type, m.sensitivity, r.source_id, r.occurred,"
    " m.role, m.last, m.first, m.middle, m.dob, m.sex, m.race, m.height_in, m.weight_lb,"
    " m.profile, m.offcats FROM mentions m JOIN records r ON r.id = m.record_id"
)


def mention_rows(store: SqlStore, ids: Sequence[int]) -> list[MentionRow]:
    """The rows of these mentions (ids found by `find_mentions`, so inside the scope)."""
    out: list[MentionRow] = []
    for start in range(0, len(ids), CHUNK):
        part = list(ids[start : start + CHUNK])
        rows = store._x(f"{_MENTION_SELECT} WHERE m.id IN ({_marks(part)})", part).fetchall()
        for row in rows:
            occurred = row[6]
            out.append(
                MentionRow(
                    int(row[0]), int(row[1]), row[2], row[3], row[4], row[5],
                    occurred.isoformat() if isinstance(occurred, date) else occurred,
                    row[7], row[8], row[9], row[10], row[11], row[12], row[13],
                    row[14], row[15],
                    orjson.loads(row[16]) if row[16] else {},
                    tuple(row[17].split()),
                )
            )  # fmt: skip
    return out


def record_keys_of(
    store: SqlStore, record_ids: Sequence[int], kinds: Sequence[str]
) -> dict[int, list[SearchKey]]:
    """Record keys of these kinds (plates of candidates' records, to score a plate)."""
    out: dict[int, list[SearchKey]] = {}
    ids = list(dict.fromkeys(record_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        rows = store._x(
            f"SELECT record_id, kind, key FROM record_keys WHERE record_id IN ({_marks(part)})"
            f" AND kind IN ({_marks(kinds)})",
            [*part, *kinds],
        ).fetchall()
        for rid, kind, key in rows:
            out.setdefault(int(rid), []).append((kind, key))
    return out


def find_records(
    store: SqlStore, rf: RecordFilter, scope: Scope, limit: int, offset: int
) -> tuple[list[RecordRow], int]:
    """Active records inside `scope` meeting every criterion of `rf`, most relevant first,
    ties by id; and how many there are in all."""
    if scope.empty:
        return [], 0
    scope_sql, params = scope_clause(scope, "r", fields=rf.fields, person=False)
    where = ["r.status = 'active'", scope_sql]
    if rf.record_type:
        where.append("r.type = ?")
        params.append(rf.record_type)
    if rf.owner:
        where.append("r.owner = ?")
        params.append(rf.owner)
    if rf.date_from:
        where.append("r.occurred >= ?")
        params.append(store._date(rf.date_from))
    if rf.date_to:
        where.append("r.occurred <= ?")
        params.append(store._date(rf.date_to))
    exists = "EXISTS (SELECT 1 FROM record_keys x WHERE x.record_id = r.id AND "
    if rf.offense:
        where.append(exists + "x.kind = 'off' AND x.key = ?)")
        params.append(rf.offense.strip().upper())
    for keys in (rf.location_keys, rf.phone_keys):
        if keys:
            alternatives = " OR ".join("(x.kind = ? AND x.key = ?)" for _ in keys)
            where.append(exists + f"({alternatives}))")
            params += [v for key in keys for v in key]
    if rf.plate is not None:
        kind, pattern = rf.plate_lookup or ("plate", rf.plate)
        match_sql, match_params = _key_match("x", pattern, True)
        where.append(exists + f"x.kind = ? AND {match_sql})")
        params += [kind, *match_params]
    relevance = "0.0"
    join = ""
    if rf.text is not None:
        join, relevance, text_params = store._text_match(rf.text)
        params = [*text_params, *params]
    base = f"FROM records r {join} WHERE {' AND '.join(where)}"
    total = int(store._x(f"SELECT count(*) {base}", params).fetchone()[0])
    rows = store._x(
        f"SELECT r.id, r.owner, r.type, r.sensitivity, r.source_id, r.occurred, r.offcats,"
        f" {relevance} AS rel {base} ORDER BY rel DESC, r.id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    out = [
        RecordRow(
            int(row[0]), row[1], row[2], row[3], row[4],
            row[5].isoformat() if isinstance(row[5], date) else row[5],
            tuple(row[6].split()), float(row[7] or 0.0),
        )
        for row in rows
    ]  # fmt: skip
    return out, total
