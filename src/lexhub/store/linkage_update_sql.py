"""Keeping the stored entities right between full runs (issue 7, part 2).

A full `lexhub link` replaces every entity at once (`linkage_sql.linkage_save`). Between
runs three things change the graph, and each must change the stored entities in the SAME
transaction, or the next reader sees an entity its edges no longer justify:

- an incremental batch adds mentions and their edges (`linkage_add`): a new mention joins
  an entity, merges several, or starts one;
- a human accepts or rejects a pair (`linkage_reform` after `linkage_decide`): accept
  merges, reject splits where that edge held the entity together;
- retraction, expungement or a new version removes a mention (`forget_linkage` calls
  `reform_entities`): an entity the mention bridged splits into its parts.

All three recompute only the entities touched, as connected parts over their members and
the stored edges between them, under the joining rule of `lexhub.linkage.components` (an
edge joins when a human accepted it, or nobody rejected it and its weight reaches the
threshold of the model in force), written here as SQL because the store may not import
the core. A recomputed part keeps an old entity's id (parts choose largest first), so
entity ids stay stable for everything a change does not touch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from math import inf
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from lexhub.store.linkage_sql import LinkRow
    from lexhub.store.sql import SqlStore

__all__ = [
    "Edge",
    "EntityChange",
    "LinkageUpdateSqlMixin",
    "LinkageUpdateStore",
    "entities_of",
    "reform_entities",
]

_CHUNK = 500
# A new edge as `linkage_add` takes it: left < right, weight, probability, and the levels as
# the JSON text `linkage_sql._levels` writes (built by the caller in bulk).
Edge = tuple[int, int, float, float, str]
# The joining rule of lexhub.linkage.components.joins, as SQL over entity_links.
_JOINS = "(decision = 'accept' OR (decision IS NULL AND weight >= ?))"


@dataclass(frozen=True)
class EntityChange:
    """What a recomputation did: entities it replaced and formed; of the formed ones, how
    many a new mention started alone, joined to one old entity, or merged from several, and
    how many old entities fell apart (split)."""

    before: int = 0
    after: int = 0
    started: int = 0
    joined: int = 0
    merged: int = 0
    split: int = 0
    edges: int = 0  # edges stored (linkage_add)


class LinkageUpdateStore(Protocol):
    """The incremental part of the Store's linkage interface."""

    def linkage_unlinked(self) -> list[int]:
        """The ids of indexed mentions that are in no stored entity (new since the last
        run), ascending."""

    def linkage_add(self, edges: Sequence[Edge], mention_ids: Sequence[int]) -> EntityChange:
        """In one transaction (the open one, or its own): store the undecided edges of new
        mentions `mention_ids`, each touching one (replacing any undecided edge of the same
        pair), and join them into the stored entities; each new mention ends in exactly one
        entity. `edges` SHOULD come in key order (left, right): they are written as given."""

    def linkage_reform(self, mention_ids: Sequence[int]) -> EntityChange:
        """Recompute the stored entities holding these mentions from their members and
        edges, inside the open transaction (or one of its own)."""

    def review_candidates(
        self, low: float, high: float, centre: float, offset: int, limit: int
    ) -> list[LinkRow]:
        """Undecided edges with low <= weight < high, closest to `centre` first (then by
        pair), `limit` of them from `offset`."""


class LinkageUpdateSqlMixin:
    """SQL of the incremental linkage writes, shared by both engines."""

    @property
    def _upd_store(self) -> SqlStore:
        return cast("SqlStore", self)

    @contextmanager
    def _linkage_write(self, doing: str) -> Iterator[SqlStore]:
        """Inside the open transaction, or in one of its own that commits at the end."""
        s = self._upd_store
        if s._tx is not None:
            with s._errors(doing):
                yield s
            return
        with s.transaction() as tx, s._errors(doing):
            yield s
            tx.commit()

    def linkage_unlinked(self) -> list[int]:
        s = self._upd_store
        with s._errors("linkage read"):
            rows = s._x(
                "SELECT m.id FROM mentions m LEFT JOIN entity_members e ON e.mention_id = m.id"
                " WHERE e.mention_id IS NULL ORDER BY m.id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def linkage_add(self, edges: Sequence[Edge], mention_ids: Sequence[int]) -> EntityChange:
        from lexhub.store.linkage_sql import _bulk  # linkage_sql imports this module

        with self._linkage_write("linkage add") as s:
            model = _model(s)
            if model is None:
                return EntityChange()
            ids = sorted(set(mention_ids))
            for part in _chunks(ids):
                marks = ",".join("?" * len(part))
                for end in ("left_id", "right_id"):
                    s._x(
                        f"DELETE FROM entity_links WHERE decision IS NULL AND {end} IN ({marks})",
                        part,
                    )
            change = _grow(s, model, edges, ids)
            # As a full run keeps them: every joining edge, and a band edge only between
            # two entities (inside one it joins nothing, and reviewing it changes nothing).
            threshold = model[1]
            band = {e for a, b, w, _, _ in edges if w < threshold for e in (a, b)}
            home = _entity_map(s, sorted(band))
            kept = [k for k in edges if k[2] >= threshold or home[k[0]] != home[k[1]]]
            cols = "left_id, right_id, weight, probability, levels"
            _bulk(s, "entity_links", cols, kept)
            s._drain()
            return replace(change, edges=len(kept))

    def linkage_reform(self, mention_ids: Sequence[int]) -> EntityChange:
        with self._linkage_write("linkage reform") as s:
            return reform_entities(s, entities_of(s, mention_ids))

    def review_candidates(
        self, low: float, high: float, centre: float, offset: int, limit: int
    ) -> list[LinkRow]:
        from lexhub.store.linkage_sql import _link

        s = self._upd_store
        with s._errors("linkage read"):
            rows = s._x(
                "SELECT left_id, right_id, weight, probability, levels, decision"
                " FROM entity_links WHERE decision IS NULL AND weight >= ? AND weight < ?"
                " ORDER BY abs(weight - ?), left_id, right_id LIMIT ? OFFSET ?",
                (low, high, centre, limit, offset),
            ).fetchall()
        return [_link(r) for r in rows]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _model(s: SqlStore) -> tuple[int, float] | None:
    row = s._x("SELECT id, threshold FROM linkage_models ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), float(row[1]))


def entities_of(s: SqlStore, mention_ids: Sequence[int]) -> set[int]:
    out: set[int] = set()
    for part in _chunks(sorted(set(mention_ids))):
        rows = s._x(
            "SELECT DISTINCT entity_id FROM entity_members"
            f" WHERE mention_id IN ({','.join('?' * len(part))})",
            part,
        ).fetchall()
        out.update(int(r[0]) for r in rows)
    return out


def _lookup(s: SqlStore, select: str, ids: Sequence[int]) -> dict[int, int]:
    """key -> value from `select` ("SELECT key, value FROM ... WHERE column"), asked for
    `ids` in chunks of IN lists."""
    out: dict[int, int] = {}
    for part in _chunks(ids):
        rows = s._x(f"{select} IN ({','.join('?' * len(part))})", part).fetchall()
        out.update((int(k), int(v)) for k, v in rows)
    return out


def _entity_map(s: SqlStore, mention_ids: Sequence[int]) -> dict[int, int]:
    """mention -> its stored entity, for those of `mention_ids` in one."""
    member = "SELECT mention_id, entity_id FROM entity_members WHERE mention_id"
    return _lookup(s, member, mention_ids)


def _grow(
    s: SqlStore, model: tuple[int, float], edges: Sequence[Edge], new_ids: Sequence[int]
) -> EntityChange:
    """The entities after adding mentions `new_ids` and undecided `edges`, each of which
    touches one.

    An old entity is already a component of its edges (every write keeps it so), and no
    old edge changed, so old entities join as wholes: the parts are formed over the new
    mentions and one node per old entity (its id negated), and no old edge is read again.
    A part keeps the id of its largest old entity; the others' members move into it."""
    model_id, threshold = model
    new = set(new_ids)
    joining = [(a, b, w) for a, b, w, _, _ in edges if w >= threshold]
    ends = sorted({e for a, b, _ in joining for e in (a, b) if e not in new})
    entity_of = _entity_map(s, ends)
    held_ids = sorted(set(entity_of.values()))
    sizes = _lookup(s, "SELECT id, size FROM entities WHERE id", held_ids)

    # A new mention is its own node, an old one its entity's; the edges between two nodes
    # once (an old entity meets a new mention through many of its members).
    node = {m: -entity_of[m] for m in ends}
    node.update((m, m) for m in new)
    parts = _parts([*sorted(new), *(-e for e in held_ids)],
                   list({(node[a], node[b]) for a, b, _ in joining}))  # fmt: skip
    best: dict[int, float] = {}
    seen = best.get
    for a, b, w in joining:
        if w > seen(a, -inf):
            best[a] = w
        if w > seen(b, -inf):
            best[b] = w
    fresh = int(s._x("SELECT coalesce(max(id), 0) FROM entities").fetchone()[0])
    counts = {"started": 0, "joined": 0, "merged": 0}
    created: list[tuple[int, int, int]] = []
    resized: list[tuple[int, int]] = []
    gone: list[int] = []
    members: list[tuple[int, int, float | None]] = []
    for part in parts:
        held = sorted((-n for n in part if n < 0), key=lambda e: (-sizes[e], e))
        mentions = [n for n in part if n > 0]
        size = len(mentions) + sum(sizes[e] for e in held)
        if not held:
            fresh += 1
            kept = fresh
            created.append((kept, model_id, size))
            counts["started"] += 1
        else:
            kept, others = held[0], held[1:]
            resized.append((size, kept))
            counts["joined" if not others else "merged"] += 1
            for some in _chunks(others):
                s._x(
                    "UPDATE entity_members SET entity_id = ?"
                    f" WHERE entity_id IN ({','.join('?' * len(some))})",
                    (kept, *some),
                )
            gone += others
        members += [(m, kept, best.get(m)) for m in mentions]
    for some in _chunks(gone):
        s._x(f"DELETE FROM entities WHERE id IN ({','.join('?' * len(some))})", some)
    s._many("UPDATE entities SET size = ? WHERE id = ?", resized)
    s._many("INSERT INTO entities (id, model_id, size) VALUES (?, ?, ?)", created)
    s._many("INSERT INTO entity_members (mention_id, entity_id, weight) VALUES (?, ?, ?)", members)
    s._many(
        "UPDATE entity_members SET weight = ? WHERE mention_id = ?"
        " AND (weight IS NULL OR weight < ?)",
        [(best[m], m, best[m]) for m in ends],
    )
    return EntityChange(before=len(held_ids), after=len(parts), **counts)


def _parts(nodes: Sequence[int], edges: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected parts of the graph (each sorted), largest first, then by smallest id."""
    near: dict[int, list[int]] = {n: [] for n in nodes}
    for a, b in edges:
        near[a].append(b)
        near[b].append(a)
    seen: set[int] = set()
    parts: list[list[int]] = []
    for start in near:
        if start in seen:
            continue
        seen.add(start)
        part, todo = [start], [start]
        while todo:
            for other in near[todo.pop()]:
                if other not in seen:
                    seen.add(other)
                    part.append(other)
                    todo.append(other)
        parts.append(sorted(part))
    return sorted(parts, key=lambda p: (-len(p), p[0]))


def reform_entities(
    s: SqlStore, entity_ids: set[int], new_mentions: Sequence[int] = ()
) -> EntityChange:
    """Replace the entities `entity_ids` (plus the mentions `new_mentions`, in no entity
    yet) by the connected parts of their members over the joining edges between them.
    Runs inside the caller's transaction; the caller translates errors. With no model in
    force there are no entities, and nothing changes."""
    model = _model(s)
    if model is None or not (entity_ids or new_mentions):
        return EntityChange()
    model_id, threshold = model
    held_by = "SELECT mention_id, entity_id FROM entity_members WHERE entity_id"
    old = _lookup(s, held_by, sorted(entity_ids))  # member -> its entity before
    nodes = sorted(set(old) | set(new_mentions))
    wanted = set(nodes)
    edges: list[tuple[int, int, float]] = []
    for part in _chunks(nodes):
        rows = s._x(
            "SELECT left_id, right_id, weight FROM entity_links"
            f" WHERE left_id IN ({','.join('?' * len(part))}) AND {_JOINS}",
            (*part, threshold),
        ).fetchall()
        edges += [(int(a), int(b), float(w)) for a, b, w in rows if int(b) in wanted]
    parts = _parts(nodes, [(a, b) for a, b, _ in edges])
    best: dict[int, float] = {}
    for a, b, w in edges:
        for end in (a, b):
            best[end] = max(w, best.get(end, w))
    top = s._x("SELECT coalesce(max(id), 0) FROM entities").fetchone()[0]
    for part in _chunks(sorted(entity_ids)):
        marks = ",".join("?" * len(part))
        s._x(f"DELETE FROM entity_members WHERE entity_id IN ({marks})", part)
        s._x(f"DELETE FROM entities WHERE id IN ({marks})", part)
    free, fresh = set(entity_ids), int(top)
    entities: list[tuple[int, int, int]] = []
    members: list[tuple[int, int, float | None]] = []
    counts = {"started": 0, "joined": 0, "merged": 0}
    pieces: dict[int, int] = {}  # old entity -> how many parts hold its members
    for part in parts:
        held = sorted({old[m] for m in part if m in old})
        for e in held:
            pieces[e] = pieces.get(e, 0) + 1
        reuse = next((e for e in held if e in free), None)
        if reuse is None:
            fresh += 1
            reuse = fresh
        free.discard(reuse)
        if any(m not in old for m in part):  # a new mention: it started, joined or merged
            counts["started" if not held else "joined" if len(held) == 1 else "merged"] += 1
        elif len(held) > 1:  # an accepted pair merged two entities
            counts["merged"] += 1
        entities.append((reuse, model_id, len(part)))
        members += [(m, reuse, best.get(m)) for m in part]
    s._many("INSERT INTO entities (id, model_id, size) VALUES (?, ?, ?)", entities)
    s._many("INSERT INTO entity_members (mention_id, entity_id, weight) VALUES (?, ?, ?)", members)
    return EntityChange(
        before=len(entity_ids),
        after=len(parts),
        split=sum(1 for n in pieces.values() if n > 1),
        **counts,
    )
