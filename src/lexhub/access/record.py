"""The request flow of a record retrieval: context -> policy -> the record -> audit -> view.

Search finds, retrieval discloses: getting a full record is a second step with an audit
entry of its own (DESIGN.md, request flow point 6; LEXS search-and-retrieval). The grant
that covers the record decides what of it is shown; withheld fields are REMOVED from the
view, never blanked, and a person withheld as a whole leaves no trace (no placeholder, no
count, no gap in a numbering: person refs are not shown, persons are named by position).

A record the requester may not see answers exactly as one that does not exist: unknown,
retracted, expunged, outside the scope (no grant for its owner and type, or sensitivity
above the grant) and granted as a pointer only all raise the same NotFound, so trying ids
reveals nothing. Each such attempt is audited as denied. The ids asked for were typed by
the user, so they go to the erasable side table (`AuditEvent.query`), and the chained entry
does not say WHY the record was not shown: the requesting agency's auditor reads that entry,
and "outside your scope" would confirm the record exists. Only an owner policy block is
named, as search names it; it refuses every record of that owner, existing or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lexhub.access.decisions import current_decisions
from lexhub.access.search import blocked_owners
from lexhub.audit import record_event
from lexhub.errors import NotFound
from lexhub.model import (
    Disclosure,
    Grant,
    RequestContext,
    Scope,
    offense_categories,
    record_to_dict,
)
from lexhub.model.audit import AuditEvent, AuditKind, RecordRef
from lexhub.policy import Requester
from lexhub.policy.scope import Decision
from lexhub.store import RecordStatus, Store, StoredRecord

__all__ = [
    "PERSON_PARTS",
    "RECORD_PARTS",
    "RecordView",
    "WithheldField",
    "audited_record",
    "not_found_message",
    "record_view",
]

Json = dict[str, Any]

# Where each withholdable field lives in `record_to_dict`'s form. Only keys listed here or
# in the *_ALWAYS tuples reach a view: a key the codec gains later stays out until someone
# decides which field it belongs to (fail closed).
PERSON_PARTS: dict[str, tuple[str, ...]] = {
    "person.name": ("name",),
    "person.aliases": ("aliases", "monikers"),
    "person.dob": ("dob",),
    "person.descriptors": ("sex", "race", "height_in", "weight_lb", "eye", "hair"),
    "person.marks": ("marks",),
    "person.phones": ("phones",),
    "person.addresses": ("addresses",),
    "person.identifiers": ("identifiers",),
}
RECORD_PARTS: dict[str, tuple[str, ...]] = {
    "record.narrative": ("narrative",),
    "record.locations": ("locations",),
    "record.vehicles": ("vehicles",),
    "record.phones": ("phones",),
    "record.offenses": ("offenses",),
}
PERSON_ALWAYS = ("role",)  # not `ref`: "P2" without "P1" betrays a withheld person
RECORD_ALWAYS = ("owner", "source_id", "type", "occurred", "reported", "sensitivity")


@dataclass(frozen=True)
class WithheldField:
    """One field the view leaves out, and the grant (its agreements and owner policy,
    `Grant.source`) that withheld it. `person` is the index in the view's `persons`;
    None for a field of the record itself."""

    field: str
    by: str | None
    person: int | None = None

    def to_dict(self) -> Json:
        out: Json = {"field": self.field, "by": self.by, "person": self.person}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class RecordView:
    """What one requester may see of one record: `record` in `record_to_dict`'s form
    with every withheld field absent, and the list of what was withheld (whole persons
    are absent from both). `mention_ids`, when asked for, holds the mention id of each
    person of the view in its order (what the console links to the entity screen); it is
    empty otherwise, and the ids of withheld persons are never in it. Not in `to_dict`:
    the API's answer is unchanged."""

    owner: str
    source_id: str
    record_type: str
    version: int
    record: Json
    withheld: tuple[WithheldField, ...] = ()
    mention_ids: tuple[int, ...] = ()

    def to_dict(self) -> Json:
        return {
            "record": self.record,
            "version": self.version,
            "withheld": [w.to_dict() for w in self.withheld],
        }


def not_found_message(owner: str, source_id: str) -> str:
    """The one answer for a record the requester cannot have, whatever the reason."""
    return f"no record {owner}/{source_id}"


def _record_fields(grant: Grant, categories: frozenset[str]) -> frozenset[str]:
    """Record fields withheld in a record of these offense categories. A rule's person
    roles do not apply to the record's own fields (validation refuses such rules); if one
    comes anyway it applies whatever the roles, as the search's storage query does."""
    out: set[str] = set()
    for rule in grant.withhold:
        cats = rule.offense_categories
        if cats is None or not cats.isdisjoint(categories):
            out |= rule.fields & RECORD_PARTS.keys()
    return frozenset(out)


def _keep(
    d: Json, always: tuple[str, ...], parts: dict[str, tuple[str, ...]], hidden: frozenset[str]
) -> Json:
    """`d` with only the keys of `always` and of the parts not `hidden`."""
    keys = set(always).union(*(k for f, k in parts.items() if f not in hidden))
    return {k: v for k, v in d.items() if k in keys}


def record_view(stored: StoredRecord, grant: Grant, mention_ids: Sequence[int] = ()) -> RecordView:
    """The view of `stored` under `grant`. A pure function of its arguments.

    `mention_ids` are the ids of the mentions `grant` shows of this record, by id (the
    store gives each person one mention, in the record's order); they go into the view
    only when there is one for each person shown, else none: a link is left out rather
    than pointed at the wrong person.

    Raises ValueError unless `grant` discloses this record in full (its owner and type, a
    sensitivity within the cap, `full`): callers MUST have decided that it may be seen."""
    record = stored.record
    if record is None or stored.status is not RecordStatus.ACTIVE:
        raise ValueError(f"record {stored.owner}/{stored.source_id} is {stored.status.value}")
    if (
        (grant.owner, grant.record_type) != (record.owner, record.type)
        or grant.disclosure is not Disclosure.FULL
        or record.sensitivity.rank > grant.max_sensitivity.rank
    ):
        raise ValueError(f"the grant does not disclose {record.owner}/{record.source_id}")
    categories = offense_categories(o.code for o in record.offenses)
    content = record_to_dict(record)
    hidden = _record_fields(grant, categories)
    view = _keep(content, RECORD_ALWAYS, RECORD_PARTS, hidden)
    withheld = [WithheldField(f, grant.source) for f in sorted(hidden)]
    persons: list[Json] = []
    for person, data in zip(record.persons, content.get("persons", ()), strict=True):
        fields = grant.withheld(person.role, categories) if grant.withhold else frozenset()
        if "person" in fields:
            continue  # no entry, no placeholder: nothing says it was there
        parts = fields & PERSON_PARTS.keys()
        withheld += [WithheldField(f, grant.source, len(persons)) for f in sorted(parts)]
        persons.append(_keep(data, PERSON_ALWAYS, PERSON_PARTS, parts))
    if persons:
        view["persons"] = persons
    linked = tuple(mention_ids) if len(mention_ids) == len(persons) else ()
    return RecordView(
        record.owner, record.source_id, record.type.value, stored.version, view,
        tuple(withheld), linked,
    )  # fmt: skip


def _disclosing_grant(stored: StoredRecord | None, decisions: Sequence[Decision]) -> Grant | None:
    """The grant under which `stored` may be seen in full, or None."""
    if stored is None or stored.record is None or stored.status is not RecordStatus.ACTIVE:
        return None
    record = stored.record
    grant = next(
        (d.grant for d in decisions if d.owner == record.owner and d.record_type == record.type),
        None,
    )
    if grant is None or grant.disclosure is not Disclosure.FULL:
        return None
    if record.sensitivity.rank > grant.max_sensitivity.rank:
        return None
    return grant


def audited_record(
    store: Store,
    context: RequestContext,
    owner: str,
    source_id: str,
    *,
    today: date | None = None,
    with_mentions: bool = False,
) -> RecordView:
    """The record `owner`/`source_id` as `context` may see it, audited before returning.
    `with_mentions` also reads the mention id of each person shown (one more indexed
    read, which the API does not need), through the store's scoped query so a person the
    grant withholds is never among them.

    Raises NotFound (audited as denied) for a record that is unknown, retracted, expunged,
    outside the scope or granted as a pointer only, with the same message in every case;
    AuditWriteFailed when the entry cannot be committed: then nothing is disclosed."""
    today = today or datetime.now(UTC).date()
    decisions = current_decisions(store, Requester.of(context), today, owners=[owner])
    stored = store.get_record(owner, source_id)
    grant = _disclosing_grant(stored, decisions)
    if grant is None or stored is None:
        blocked = blocked_owners(decisions)
        details: Json = {"request": "retrieval"}
        if blocked:
            details["blocked_by_owner_policy"] = blocked
        record_event(
            store,
            AuditEvent(
                AuditKind.DENIED, context=context,
                query={"owner": owner, "id": source_id}, details=details,
            ),
        )  # fmt: skip
        raise NotFound(not_found_message(owner, source_id))
    mentions: list[int] = []
    if with_mentions:
        pairs = store.mentions_in_records([stored.record_id], Scope((grant,)), frozenset())
        mentions = sorted(m for _, m in pairs)
    view = record_view(stored, grant, mentions)
    record_event(
        store,
        AuditEvent(
            AuditKind.RETRIEVAL,
            context=context,
            owners_searched=(view.owner,),
            disclosed=(RecordRef(view.owner, view.source_id, view.record_type),),
            details={
                "version": view.version,
                "withheld": sorted({w.field for w in view.withheld}),
                **({"grant": grant.source} if grant.source else {}),
            },
        ),
    )  # fmt: skip
    return view
