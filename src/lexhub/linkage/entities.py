"""Entities as one request may see them: formed from visible mentions and their edges only.

The stored entities of a run are components over EVERY mention; no request sees them as
they are. For a request, an entity is re-formed from the stored entity's members that the
request's Scope lets it see, and the stored edges between two of them only (`components`):
a hidden mention never bridges two visible ones, never appears, and, since the answer is
computed as if hidden mentions did not exist, no size or count reveals it.

Visible, for linkage, is stricter than for search (fail closed): the mention's record must
be inside a FULL grant (owner, record type, sensitivity), and the grant must withhold
neither the whole person nor any field a comparison reads, because an edge scored on a
withheld phone would disclose that the phones agree. An owner whose policy prohibits the
request's purpose has no grant in that request's Scope (`lexhub.policy`), so its mentions
never link other owners' mentions for that purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lexhub.linkage.components import components, joins
from lexhub.model import Disclosure, Scope, Sensitivity
from lexhub.store.base import Store
from lexhub.store.linkage_sql import LinkageModel, LinkRow
from lexhub.store.search import MentionRow

__all__ = [
    "LINKING_FIELDS",
    "RequestEntity",
    "entities_for",
    "entity_for",
    "form_entities",
    "visible",
]

# The withholdable fields the comparisons read (settings.py); withholding any one of them
# takes the mention out of entities for that request.
LINKING_FIELDS = frozenset(
    {
        "person",
        "person.name",
        "person.aliases",
        "person.dob",
        "person.descriptors",
        "person.marks",
        "person.phones",
        "person.addresses",
        "person.identifiers",
    }
)


@dataclass(frozen=True)
class RequestEntity:
    """The mentions of one entity a request may see, and the edges that join them."""

    mention_ids: tuple[int, ...]
    links: tuple[LinkRow, ...]
    threshold: float


def visible(row: MentionRow, scope: Scope) -> bool:
    grant = scope.grant(row.owner, row.type)
    if grant is None or grant.disclosure is not Disclosure.FULL:
        return False
    if Sensitivity(row.sensitivity).rank > grant.max_sensitivity.rank:
        return False
    return not (grant.withheld(row.role, row.offense_categories) & LINKING_FIELDS)


def form_entities(
    visible_ids: Sequence[int], links: Sequence[LinkRow], threshold: float
) -> dict[int, int]:
    """mention -> entity (its smallest mention id) over `visible_ids` only: edges with an
    end outside them are dropped before anything is joined."""
    return components(visible_ids, links, threshold)


def entity_for(
    store: Store, scope: Scope, mention_id: int, *, model: LinkageModel | None = None
) -> RequestEntity | None:
    """The entity holding `mention_id` as this scope may see it; None when the mention is
    not visible or nothing was linked yet (the caller MUST treat both alike: NotFound).
    `model`: the model in force, when the caller forms many entities in one request
    (associates) and has read it once already."""
    model = model or store.linkage_model()
    if model is None:
        return None
    rows = store.mention_rows(store.entity_members_of(mention_id))
    seen = [r.id for r in rows if visible(r, scope)]
    if mention_id not in seen:
        return None
    links = store.entity_links_among(seen)
    comp = form_entities(seen, links, model.threshold)
    ids = tuple(sorted(m for m in seen if comp[m] == comp[mention_id]))
    members = set(ids)
    kept = tuple(
        sorted(
            (k for k in links
             if k.left in members and k.right in members and joins(k, model.threshold)),
            key=lambda k: (k.left, k.right),
        )
    )  # fmt: skip
    return RequestEntity(ids, kept, model.threshold)


def entities_for(
    store: Store, scope: Scope, mention_ids: Sequence[int], *, model: LinkageModel | None = None
) -> tuple[dict[int, RequestEntity], dict[int, MentionRow]]:
    """`entity_for` of many mentions at once, in a handful of reads: mention -> its
    request-entity for each of `mention_ids` that is visible (absent otherwise), and the
    rows of every visible member. Each stored entity is re-formed on its own, exactly as
    `entity_for` re-forms it, so the answers are the same."""
    model = model or store.linkage_model()
    if model is None or not mention_ids:
        return {}, {}
    groups = sorted({tuple(g) for g in store.stored_entities_of(mention_ids).values()})
    rows = {
        r.id: r for r in store.mention_rows(sorted({m for g in groups for m in g}))
        if visible(r, scope)
    }  # fmt: skip
    links = store.entity_links_among(sorted(rows))
    wanted = set(mention_ids)
    group_of = {m: n for n, g in enumerate(groups) for m in g}
    by_group: dict[int, list[LinkRow]] = {}
    for k in links:  # an edge counts inside its stored entity only, as in entity_for
        if k.left in group_of and group_of[k.left] == group_of.get(k.right):
            by_group.setdefault(group_of[k.left], []).append(k)
    out: dict[int, RequestEntity] = {}
    for n, group in enumerate(groups):
        seen = [m for m in group if m in rows]
        own = by_group.get(n, [])
        comp = form_entities(seen, own, model.threshold)
        parts: dict[int, list[int]] = {}
        for m in seen:
            parts.setdefault(comp[m], []).append(m)
        for ids in parts.values():
            members = set(ids)
            if not members & wanted:
                continue
            entity = RequestEntity(
                tuple(sorted(ids)),
                tuple(sorted(
                    (k for k in own if k.left in members and k.right in members
                     and joins(k, model.threshold)),
                    key=lambda k: (k.left, k.right),
                )),
                model.threshold,
            )  # fmt: skip
            out.update((m, entity) for m in members & wanted)
    return out, rows
