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

__all__ = ["LINKING_FIELDS", "RequestEntity", "entity_for", "form_entities", "visible"]

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
        k for k in links if k.left in members and k.right in members and joins(k, model.threshold)
    )
    return RequestEntity(ids, kept, model.threshold)
