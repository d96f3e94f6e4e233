"""Associates of an entity: who appears beside it, inside one request's scope only.

An associate is another person (a request-entity, `entity_for`) connected to the
requester's entity by at least one of:

- `record`: a mention of both in the same record;
- `phone` / `address`: a mention of each holding the same phone (E.164) or address key;
- `vehicle`: a record of each naming the same plate.

Everything is read inside the requester's scope, with the linkage rule of visibility
(`entities.visible`: full grant, sensitivity within it, no linking field withheld) for
every mention on either side, and, for plates, no withholding of `record.vehicles` in
either record. So a hidden record never makes two people associates, a withheld phone
never connects, and since the store applies the scope before its caps (`associates_sql`),
the answer is exactly what it would be had the hidden records never existed. Associates
are grouped by their own request-entity, never the stored one: a hidden mention does not
merge two associates into one, nor an associate into the entity.

Strength orders them: each distinct connection (kind, key, the two records) counts its
kind's weight (`WEIGHTS`): being in one record is the strongest tie, a shared address the
weakest (households and shelters share one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lexhub.linkage.entities import LINKING_FIELDS, RequestEntity, entities_for, visible
from lexhub.model import Disclosure, Scope
from lexhub.store.base import Store
from lexhub.store.search import MentionRow

__all__ = [
    "WEIGHTS",
    "Associate",
    "Associates",
    "Connection",
    "Member",
    "associates_of",
    "members_of",
]

WEIGHTS: dict[str, int] = {"record": 4, "vehicle": 3, "phone": 3, "address": 1}
_MENTION_KINDS = {"ph": "phone", "addr": "address"}
HOLDERS_CAP = 200  # mentions (or records) read per shared key, after the scope
VEHICLES = frozenset({"record.vehicles"})


@dataclass(frozen=True)
class Member:
    """One visible mention of an entity, with its record and the best match weight of a
    link (inside the request's entity) that ties it in; None for an entity of one."""

    mention_id: int
    record_id: int
    owner: str
    source_id: str
    record_type: str
    occurred: str | None
    role: str
    name: str
    dob: str | None
    weight: float | None


@dataclass(frozen=True)
class Connection:
    """One reason two people are associates: `kind` (WEIGHTS' keys), the shared value
    (phone, address key or plate; None for `record`), and the two records that hold it
    (the same record for `record`)."""

    kind: str
    key: str | None
    entity_record: int
    associate_record: int


@dataclass(frozen=True)
class Associate:
    members: tuple[Member, ...]  # the associate's request-entity
    connections: tuple[Connection, ...]
    strength: int

    @property
    def name(self) -> str:
        return self.members[0].name


@dataclass(frozen=True)
class Associates:
    entity: RequestEntity
    members: tuple[Member, ...]
    associates: tuple[Associate, ...]

    def record_ids(self) -> set[int]:
        """Every record this answer discloses (the audit entry names them all)."""
        ids = {m.record_id for m in self.members}
        for a in self.associates:
            ids |= {m.record_id for m in a.members}
        return ids


def _name(row: MentionRow) -> str:
    first = " ".join(p for p in (row.first, row.middle) if p)
    return f"{row.last or '?'}, {first}" if first else row.last or "?"


def members_of(
    store: Store, entity: RequestEntity, rows: dict[int, MentionRow] | None = None
) -> tuple[Member, ...]:
    """The entity's mentions with their records and tie-in weights, by mention id (`rows`:
    their rows when the caller has read them). The weight comes from the request's own
    links, never the stored entity's (a hidden mention's link must not show through a
    number)."""
    best: dict[int, float] = {}
    for k in entity.links:
        for end in (k.left, k.right):
            best[end] = max(best.get(end, k.weight), k.weight)
    if rows is None or not set(entity.mention_ids) <= rows.keys():
        rows = {r.id: r for r in store.mention_rows(entity.mention_ids)}
    return tuple(
        Member(
            r.id, r.record_id, r.owner, r.source_id, r.type, r.occurred, r.role,
            _name(r), r.dob, best.get(r.id),
        )
        for r in (rows[m] for m in sorted(entity.mention_ids))
    )  # fmt: skip


def _full(scope: Scope) -> Scope:
    """The scope's full grants only: a pointer discloses no person, so it connects none."""
    return Scope(tuple(g for g in scope.grants if g.disclosure is Disclosure.FULL))


def _vehicles_shown(row: MentionRow, scope: Scope) -> bool:
    """Whether the record's vehicles may be seen (rules on records apply whatever the
    person's role, as in `access.record`)."""
    grant = scope.grant(row.owner, row.type)
    if grant is None:
        return False
    cats = set(row.offense_categories)
    return not any(
        "record.vehicles" in rule.fields
        and (rule.offense_categories is None or not cats.isdisjoint(rule.offense_categories))
        for rule in grant.withhold
    )


def _candidates(
    store: Store, scope: Scope, rows: list[MentionRow]
) -> dict[int, set[tuple[str, str | None, int]]]:
    """mention id -> {(kind, key, the entity's record)} for every mention connected to one
    of `rows` (the entity's), read inside `scope`. Each distinct shared value is looked up
    once, and stands for the entity by the first of its records holding it (a person in a
    hundred records at one address is one connection per associate record, not a
    hundred)."""
    found: dict[int, set[tuple[str, str | None, int]]] = {}

    def add(mid: int, kind: str, key: str | None, record: int) -> None:
        found.setdefault(mid, set()).add((kind, key, record))

    records = sorted({r.record_id for r in rows})
    for rid, mid in store.mentions_in_records(records, scope, LINKING_FIELDS):
        add(mid, "record", None, rid)
    record_of = {r.id: r.record_id for r in rows}
    first: dict[tuple[str, str], int] = {}
    for mid, keys in store.mention_keys_of(list(record_of), list(_MENTION_KINDS)).items():
        for held in keys:
            first[held] = min(first.get(held, record_of[mid]), record_of[mid])
    for (kind, key), rid in sorted(first.items()):
        for other in store.mentions_holding((kind, key), scope, LINKING_FIELDS, HOLDERS_CAP):
            add(other, _MENTION_KINDS[kind], key, rid)
    shown = sorted({r.record_id for r in rows if _vehicles_shown(r, scope)})
    plate_first: dict[tuple[str, str], int] = {}
    for rid, keys in store.record_keys_of(shown, ["plate"]).items():
        for plate in keys:
            plate_first[plate] = min(plate_first.get(plate, rid), rid)
    for (kind, key), rid in sorted(plate_first.items()):
        holders = store.records_holding((kind, key), scope, VEHICLES, HOLDERS_CAP)
        for orid, mid in store.mentions_in_records(holders, scope, LINKING_FIELDS):
            if orid not in records:
                add(mid, "vehicle", key, rid)
    return found


def associates_of(
    store: Store, scope: Scope, entity: RequestEntity, *, limit: int = 50
) -> Associates:
    """The associates of `entity` (formed for `scope` by `entity_for`) as `scope` may see
    them: strongest first, at most `limit`. Callers MUST audit what it discloses."""
    full = _full(scope)
    own = set(entity.mention_ids)
    rows = [r for r in store.mention_rows(entity.mention_ids) if visible(r, full)]
    found = _candidates(store, full, rows)
    # Every candidate's request-entity in a few reads (not three per candidate).
    formed, seen = entities_for(store, full, sorted(m for m in found if m not in own))
    groups: dict[int, RequestEntity] = {}
    of: dict[int, int] = {}
    for mid, other in formed.items():
        if own & set(other.mention_ids):
            continue
        groups[other.mention_ids[0]] = other
        of[mid] = other.mention_ids[0]
    conns: dict[int, set[Connection]] = {}
    for mid, ties in found.items():
        if mid not in of:
            continue
        arec = seen[mid].record_id
        conns.setdefault(of[mid], set()).update(
            Connection(kind, key, erec, arec) for kind, key, erec in ties
        )
    ranked = sorted(
        ((_strength(c), head) for head, c in conns.items()), key=lambda t: (-t[0], t[1])
    )[:limit]
    out = tuple(
        Associate(members_of(store, groups[head], seen), _ordered(conns[head]), strength)
        for strength, head in ranked
    )
    return Associates(entity, members_of(store, entity), out)


def _strength(connections: Iterable[Connection]) -> int:
    return sum(WEIGHTS[c.kind] for c in connections)


def _ordered(connections: Iterable[Connection]) -> tuple[Connection, ...]:
    return tuple(
        sorted(
            connections,
            key=lambda c: (
                -WEIGHTS[c.kind],
                c.kind,
                c.key or "",
                c.entity_record,
                c.associate_record,
            ),
        )
    )
