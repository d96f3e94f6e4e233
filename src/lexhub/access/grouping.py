"""Search hits grouped by entity: one group per person, as the requester may see persons.

Shared by the API (`group_by: "entity"`), `lexhub search --group-by-entity` and the
console's toggle. Hits are grouped by their REQUEST-entity (`linkage.entity_for` under the
scope the search ran in), never the stored one: two hits come together only when links
between mentions the requester may see tie them, so a hidden mention never bridges two
groups and grouping reveals nothing a hidden record holds. A hit without a person mention
(a pointer, a record hit) and a mention with no entity for this scope are groups of their
own.

Grouping only rearranges hits the search already disclosed and audited; it discloses no
record. Groups are ordered by their best hit's score, hits inside a group by score (ties
keep the search's order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lexhub.access.decisions import current_decisions
from lexhub.linkage.entities import entities_for
from lexhub.model import RequestContext, Scope
from lexhub.policy import Requester
from lexhub.search import Hit
from lexhub.store import Store

__all__ = ["HitGroup", "group_hits", "grouped_for"]


@dataclass(frozen=True)
class HitGroup:
    """The hits of one person. `entity`: the smallest mention id of the requester's entity
    (a stable name for it; the mention itself when it has none), None for a hit without
    a person mention."""

    entity: int | None
    hits: tuple[Hit, ...]

    @property
    def best(self) -> float:
        return self.hits[0].score


def group_hits(store: Store, scope: Scope, hits: Sequence[Hit]) -> tuple[HitGroup, ...]:
    """`hits` (one page of a search run inside `scope`) grouped by request-entity."""
    # Every hit's request-entity in a few reads (entities_for equals entity_for of each).
    formed, _ = entities_for(store, scope, [h.mention_id for h in hits if h.mention_id])
    groups: dict[tuple[str, int], list[Hit]] = {}
    for n, hit in enumerate(hits):
        mid = hit.mention_id
        if mid is None:
            groups[("hit", n)] = [hit]
            continue
        head = formed[mid].mention_ids[0] if mid in formed else mid
        groups.setdefault(("entity", head), []).append(hit)
    made = [
        HitGroup(key[1] if key[0] == "entity" else None,
                 tuple(sorted(found, key=lambda h: -h.score)))
        for key, found in groups.items()
    ]  # fmt: skip
    return tuple(sorted(made, key=lambda g: -g.best))


def grouped_for(
    store: Store, context: RequestContext, hits: Sequence[Hit], *, today: date | None = None
) -> tuple[HitGroup, ...]:
    """`group_hits` under the scope `context` searched in (the decisions in force)."""
    today = today or datetime.now(UTC).date()
    decisions = current_decisions(store, Requester.of(context), today)
    return group_hits(store, Scope(tuple(d.grant for d in decisions if d.grant is not None)), hits)
