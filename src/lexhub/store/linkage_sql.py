"""The linkage tables (issue 7): the LinkageStore protocol and its SQL for both engines.

The store keeps rows only; what links, at which threshold, and what a requester may see of
an entity are decided in `lexhub.linkage`. Two rules live here because they must hold
whatever calls the store: a run replaces every unreviewed edge but never a human decision
(`linkage_save`), and a mention's linkage rows go with its index rows, so retraction,
expungement and a new version all remove the mention from its entity and its edges
(`forget_linkage`, called from `writes.delete_index_rows`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from lexhub.errors import NotFound
from lexhub.store.audit_sql import _dt

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = [
    "LINKAGE_COLUMNS",
    "EdgeColumns",
    "EdgeStream",
    "LinkRow",
    "LinkageModel",
    "LinkageSqlMixin",
    "LinkageStore",
    "forget_linkage",
]

# The columns `linkage_mentions` yields, in order (profile: the JSON of MentionIndex.profile).
LINKAGE_COLUMNS = (
    "id", "record_id", "owner", "type", "sensitivity", "role", "last", "first", "middle",
    "dob", "sex", "race", "height_in", "weight_lb", "profile", "offcats", "source_id", "ref",
)  # fmt: skip

_CHUNK = 500
_FETCH = 20_000
_REINDEX = 100_000  # edges above which a SQLite run rebuilds the right_id index after


@dataclass(frozen=True)
class LinkRow:
    """A scored pair of mentions (left < right); `levels` maps comparison -> level index."""

    left: int
    right: int
    weight: float
    probability: float
    levels: dict[str, int]
    decision: str | None = None  # "accept" | "reject" once a human decided


@dataclass(frozen=True)
class EdgeColumns:
    """Scored pairs column-wise (left < right), as a full run writes them: at regional
    scale millions of edges, where a LinkRow and a levels dict each cost more than the
    row's insert. `levels` holds each edge's levels as JSON text (keys sorted, as
    `entity_links.levels` stores them)."""

    left: list[int]
    right: list[int]
    weight: list[float]
    probability: list[float]
    levels: list[str]

    def __len__(self) -> int:
        return len(self.left)

    def rows(self) -> Iterator[tuple[int, int, float, float, str]]:
        return zip(self.left, self.right, self.weight, self.probability, self.levels, strict=True)


@dataclass(frozen=True)
class EdgeStream:
    """A full run's edges as chunks of EdgeColumns, in (left, right) order: at a million
    mentions some 30 million edges, which as Python objects all at once (EdgeColumns of
    lists) would take more memory than the rest of the run. `chunks()` MAY be called more
    than once; each call yields every edge once."""

    count: int
    chunks: Callable[[], Iterator[EdgeColumns]]

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True)
class LinkageModel:
    id: int
    created_at: datetime
    threshold: float
    model: str  # Splink settings JSON with trained m and u
    counts: dict[str, int]


class LinkageStore(Protocol):
    """The linkage part of the Store interface."""

    def linkage_mentions(self) -> Iterator[tuple[Any, ...]]:
        """Every indexed (active) mention as a tuple of LINKAGE_COLUMNS, by id, read in one
        snapshot."""

    def linkage_save(
        self,
        model: str,
        threshold: float,
        counts: dict[str, int],
        links: Sequence[LinkRow] | EdgeColumns | EdgeStream,
        members: Sequence[tuple[int, int, float | None]],
        at: datetime,
    ) -> int:
        """In one transaction: a new model row; every undecided edge replaced by `links`
        (a decided edge keeps its decision and takes the new scores); entities and members
        replaced by `members` (mention id, entity number, weight). Returns the model id."""

    def linkage_model(self) -> LinkageModel | None:
        """The model in force (the newest), or None before the first run."""

    def entity_members_of(self, mention_id: int) -> list[int]:
        """The mention ids of the stored entity holding `mention_id` (itself alone if none):
        the superset from which a request's entity is re-formed, NEVER shown as it is."""

    def entity_links_among(self, mention_ids: Sequence[int]) -> list[LinkRow]:
        """The stored edges whose two ends are both in `mention_ids`."""

    def decided_links(self) -> list[LinkRow]:
        """Every edge a human accepted or rejected (kept through every run)."""

    def linkage_decide(
        self, left: int, right: int, decision: str | None, by: str, at: datetime
    ) -> None:
        """Record a human's "accept" or "reject" of the edge (left < right), or clear it
        (None). Raises NotFound for an edge the store does not hold. The caller audits."""

    def entity_assignments(self) -> dict[int, int]:
        """mention id -> stored entity id, for every member (evaluation and statistics)."""


class LinkageSqlMixin:
    """SQL of the linkage tables, shared by both engines."""

    @property
    def _link_store(self) -> SqlStore:
        return cast("SqlStore", self)

    def linkage_mentions(self) -> Iterator[tuple[Any, ...]]:
        s = self._link_store
        with s._reading("linkage extract"):
            columns = ", ".join(f"r.{c}" if c == "source_id" else f"m.{c}" for c in LINKAGE_COLUMNS)
            cur = s._x(
                f"SELECT {columns} FROM mentions m JOIN records r ON r.id = m.record_id"
                " ORDER BY m.id"
            )
            while rows := cur.fetchmany(_FETCH):
                yield from rows

    def linkage_save(
        self,
        model: str,
        threshold: float,
        counts: dict[str, int],
        links: Sequence[LinkRow] | EdgeColumns | EdgeStream,
        members: Sequence[tuple[int, int, float | None]],
        at: datetime,
    ) -> int:
        s = self._link_store
        with s.transaction() as tx, s._errors("linkage save"):
            model_id = int(
                s._x("SELECT coalesce(max(id), 0) + 1 FROM linkage_models").fetchone()[0]
            )
            s._x(
                "INSERT INTO linkage_models (id, created_at, threshold, model, counts)"
                " VALUES (?, ?, ?, ?, ?)",
                (model_id, s._ts(at), threshold, model, json.dumps(counts, sort_keys=True)),
            )
            decided = {
                (int(a), int(b))
                for a, b in s._x(
                    "SELECT left_id, right_id FROM entity_links WHERE decision IS NOT NULL"
                )
            }
            # Unqualified when nothing is decided: SQLite then truncates the table instead
            # of deleting row by row (0.7 s against 6.3 s for a million edges).
            s._x(
                "DELETE FROM entity_links WHERE decision IS NULL"
                if decided
                else "DELETE FROM entity_links"
            )
            # SQLite: the edges come in key order, so the primary key grows at its end, but
            # the right_id index would take millions of random inserts (a cache miss each);
            # built once after the rows, it is one sort. PostgreSQL keeps it: there DROP
            # INDEX would lock the table against readers until the run commits.
            rebuild = s.engine == "sqlite" and len(links) > _REINDEX
            if rebuild:
                s._x("DROP INDEX entity_links_right")
            for chunk in _edge_chunks(links):
                fresh: list[tuple[Any, ...]] = []
                rescored: list[tuple[Any, ...]] = []
                if decided:
                    for e in chunk:
                        if (e[0], e[1]) in decided:
                            rescored.append((e[2], e[3], e[4], e[0], e[1]))
                        else:
                            fresh.append(e)
                else:
                    fresh = chunk
                s._many(
                    "UPDATE entity_links SET weight = ?, probability = ?, levels = ?"
                    " WHERE left_id = ? AND right_id = ?",
                    rescored,
                )
                _bulk(s, "entity_links", "left_id, right_id, weight, probability, levels", fresh)
            if rebuild:
                s._x("CREATE INDEX entity_links_right ON entity_links (right_id)")
            s._x("DELETE FROM entity_members")
            s._x("DELETE FROM entities")
            sizes: dict[int, int] = {}
            for _, entity, _ in members:
                sizes[entity] = sizes.get(entity, 0) + 1
            _bulk(s, "entities", "id, model_id, size", [(e, model_id, n) for e, n in sizes.items()])
            _bulk(s, "entity_members", "mention_id, entity_id, weight", list(members))
            tx.commit()
        return model_id

    def linkage_model(self) -> LinkageModel | None:
        s = self._link_store
        with s._errors("linkage read"):
            row = s._x(
                "SELECT id, created_at, threshold, model, counts FROM linkage_models"
                " ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if row is None:
            return None
        return LinkageModel(int(row[0]), _dt(row[1]), float(row[2]), row[3], json.loads(row[4]))

    def entity_members_of(self, mention_id: int) -> list[int]:
        s = self._link_store
        with s._errors("linkage read"):
            rows = s._x(
                "SELECT b.mention_id FROM entity_members a JOIN entity_members b"
                " ON b.entity_id = a.entity_id WHERE a.mention_id = ? ORDER BY b.mention_id",
                (mention_id,),
            ).fetchall()
        return [int(r[0]) for r in rows] or [mention_id]

    def entity_links_among(self, mention_ids: Sequence[int]) -> list[LinkRow]:
        s = self._link_store
        ids = sorted(set(mention_ids))
        wanted = set(ids)
        out: list[LinkRow] = []
        with s._reading("linkage read"):
            for start in range(0, len(ids), _CHUNK):
                part = ids[start : start + _CHUNK]
                rows = s._x(
                    "SELECT left_id, right_id, weight, probability, levels, decision"
                    f" FROM entity_links WHERE left_id IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                out += [_link(r) for r in rows if int(r[1]) in wanted]
        return out

    def decided_links(self) -> list[LinkRow]:
        s = self._link_store
        with s._errors("linkage read"):
            rows = s._x(
                "SELECT left_id, right_id, weight, probability, levels, decision"
                " FROM entity_links WHERE decision IS NOT NULL"
            ).fetchall()
        return [_link(r) for r in rows]

    def linkage_decide(
        self, left: int, right: int, decision: str | None, by: str, at: datetime
    ) -> None:
        s = self._link_store
        with s._errors("linkage decision"):
            n = s._x(
                "UPDATE entity_links SET decision = ?, decided_by = ?, decided_at = ?"
                " WHERE left_id = ? AND right_id = ?",
                (decision, by if decision else None, s._ts(at) if decision else None, left, right),
            ).rowcount
        if n != 1:
            raise NotFound(f"no scored pair of mentions {left} and {right}")

    def entity_assignments(self) -> dict[int, int]:
        s = self._link_store
        with s._errors("linkage read"):
            cur = s._x("SELECT mention_id, entity_id FROM entity_members")
            out: dict[int, int] = {}
            while rows := cur.fetchmany(_FETCH):
                out.update((int(m), int(e)) for m, e in rows)
        return out


def _link(row: Sequence[Any]) -> LinkRow:
    a, b, w, p, lv, d = row
    return LinkRow(int(a), int(b), float(w), float(p), json.loads(lv), d)


def forget_linkage(store: SqlStore, mention_ids: Sequence[int]) -> None:
    """Drop these mentions' memberships and every edge touching them, decisions included:
    a retracted, expunged or superseded mention leaves no trace in the linkage tables, and
    the entities that held it are recomputed from their remaining members and edges at
    once, so one it bridged splits (`reform_entities`; the caller translates errors)."""
    from lexhub.store.linkage_update_sql import entities_of, reform_entities  # no cycle: lazy

    for start in range(0, len(mention_ids), _CHUNK):
        part = tuple(mention_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(part))
        held = entities_of(store, part)
        store._x(f"DELETE FROM entity_links WHERE left_id IN ({marks})", part)
        store._x(f"DELETE FROM entity_links WHERE right_id IN ({marks})", part)
        store._x(f"DELETE FROM entity_members WHERE mention_id IN ({marks})", part)
        reform_entities(store, held)


def _edge_chunks(
    links: Sequence[LinkRow] | EdgeColumns | EdgeStream,
) -> Iterator[list[tuple[Any, ...]]]:
    """The edges as lists of (left, right, weight, probability, levels JSON) rows, one
    chunk at a time, so that a stream of millions is never held as tuples all at once."""
    if isinstance(links, EdgeStream):
        for part in links.chunks():
            yield list(part.rows())
    elif isinstance(links, EdgeColumns):
        yield list(links.rows())
    else:
        yield [(k.left, k.right, k.weight, k.probability, _levels(k)) for k in links]


def _levels(link: LinkRow) -> str:
    return json.dumps(link.levels, sort_keys=True, separators=(",", ":"))


def _bulk(store: SqlStore, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite (the engine's bulk path)."""
    if rows:
        store._drain()
        store._insert_many(table, columns, rows)
