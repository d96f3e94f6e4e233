"""The review queue: pairs near the threshold, decided by a person, audited.

Why: the threshold is chosen without labels, so the pairs just below it (a person the model
almost linked) and just above it (linked on thin evidence) are where it is most often wrong,
and one wrong edge merges two whole entities. A records administrator or an analyst reads
the evidence and accepts or rejects the pair; the decision beats the model in every later
run, full or incremental (`linkage_save` keeps it, `components.joins` obeys it).

Rules kept here:
- Only REVIEWERS decide, and only on pairs whose two mentions their request's Scope lets
  them see (`entities.visible`): a pair with a hidden end answers exactly like a pair that
  was never scored (NotFound), and never appears in their queue.
- What the queue shows is a disclosure (names and dates of birth of two records), so the
  listing is audited before it is returned (`linkage-review`, naming the records), and
  fails closed: AuditWriteFailed, nothing shown.
- A decision, the entities it changes (accept merges, reject splits where that edge held
  the entity together) and its audit entry (`linkage-decision`) commit in ONE transaction:
  if the entry cannot be written, no decision is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lexhub.access.decisions import current_decisions
from lexhub.audit import append_entry, commit_audited, record_event
from lexhub.errors import AccessDenied, InputError, NotFound
from lexhub.linkage.entities import visible
from lexhub.linkage.evidence import evidence, evidence_text
from lexhub.linkage.incremental import NO_MODEL
from lexhub.linkage.run import REVIEW_BAND
from lexhub.model import RequestContext, Scope, UserRole
from lexhub.model.audit import AuditEvent, AuditKind, RecordRef
from lexhub.policy import Requester
from lexhub.store.base import Store
from lexhub.store.linkage_update_sql import EntityChange
from lexhub.store.search import MentionRow

__all__ = [
    "DECISIONS",
    "REVIEWERS",
    "REVIEW_MARGIN",
    "ReviewItem",
    "ReviewSide",
    "decide",
    "review_queue",
]

REVIEWERS = (UserRole.RECORDS_ADMIN, UserRole.ANALYST)
DECISIONS = ("accept", "reject")
# Pairs this far above the threshold are still reviewed: posterior odds 16 to 64 to 1, linked
# but on evidence that one wrong field could have made (the band below is REVIEW_BAND).
REVIEW_MARGIN = 2.0
_FETCH = 200


@dataclass(frozen=True)
class ReviewSide:
    mention_id: int
    owner: str
    source_id: str
    record_type: str
    name: str
    dob: str | None
    sex: str | None


@dataclass(frozen=True)
class ReviewItem:
    left: ReviewSide
    right: ReviewSide
    weight: float
    probability: float
    threshold: float
    evidence: tuple[str, ...]  # the waterfall in words (lexhub.linkage.evidence)

    @property
    def linked(self) -> bool:
        return self.weight >= self.threshold


def _require(context: RequestContext) -> None:
    if context.role not in REVIEWERS:
        wanted = " or ".join(r.value for r in REVIEWERS)
        raise AccessDenied(f"{context.user} needs the role {wanted} to review linkage")


def _scope(store: Store, context: RequestContext, today: date | None) -> Scope:
    day = today or datetime.now(UTC).date()
    decisions = current_decisions(store, Requester.of(context), day)
    return Scope(tuple(d.grant for d in decisions if d.grant is not None))


def _side(row: MentionRow) -> ReviewSide:
    given = " ".join(x for x in (row.first, row.middle) if x)
    name = ", ".join(x for x in (row.last, given) if x)
    return ReviewSide(row.id, row.owner, row.source_id, row.type, name, row.dob, row.sex)


def _ref(side: ReviewSide) -> RecordRef:
    return RecordRef(side.owner, side.source_id, side.record_type)


def review_queue(
    store: Store, context: RequestContext, *, limit: int = 20, today: date | None = None
) -> list[ReviewItem]:
    """Up to `limit` undecided pairs with weight in [threshold - REVIEW_BAND, threshold +
    REVIEW_MARGIN), closest to the threshold first, both of whose mentions the context may
    see, with their evidence. Audited before it returns (AuditWriteFailed: nothing shown).
    Raises AccessDenied for a role that may not review, NotFound before the first run."""
    _require(context)
    model = store.linkage_model()
    if model is None:
        raise NotFound(NO_MODEL)
    scope = _scope(store, context, today)
    t = model.threshold
    items: list[ReviewItem] = []
    offset = 0
    while len(items) < limit:
        batch = store.review_candidates(t - REVIEW_BAND, t + REVIEW_MARGIN, t, offset, _FETCH)
        if not batch:
            break
        offset += len(batch)
        ends = sorted({m for k in batch for m in (k.left, k.right)})
        seen = {r.id: r for r in store.mention_rows(ends) if visible(r, scope)}
        for k in batch:
            if k.left in seen and k.right in seen and len(items) < limit:
                items.append(
                    ReviewItem(
                        _side(seen[k.left]), _side(seen[k.right]), k.weight, k.probability, t,
                        tuple(evidence_text(evidence(model, k))),
                    )
                )  # fmt: skip
    refs = sorted({_ref(s) for i in items for s in (i.left, i.right)}, key=str)
    record_event(
        store,
        AuditEvent(
            AuditKind.LINKAGE_REVIEW, context=context, disclosed=tuple(refs),
            counts={"pairs": len(items)},
        ),
    )  # fmt: skip
    return items


def decide(
    store: Store,
    context: RequestContext,
    left: int,
    right: int,
    decision: str,
    *,
    reason: str | None = None,
    today: date | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> EntityChange:
    """Record `decision` ("accept" or "reject") on the scored pair of mentions `left` and
    `right`, recompute the stored entities it touches, and audit it, in one transaction.
    `reason` is chained and MUST NOT be personal data. Raises InputError for another
    decision, AccessDenied for a role that may not review, NotFound for a pair that was
    never scored or has an end the context may not see, AuditWriteFailed (nothing stored)
    if the entry cannot be written."""
    _require(context)
    if decision not in DECISIONS:
        raise InputError("decision", None, "decision", f"{decision!r}: accept or reject")
    left, right = min(left, right), max(left, right)
    scope = _scope(store, context, today)
    rows = {r.id: r for r in store.mention_rows([left, right]) if visible(r, scope)}
    if left == right or set(rows) != {left, right}:
        raise NotFound(f"no scored pair of mentions {left} and {right}")
    details: dict[str, object] = {"left": left, "right": right, "decision": decision}
    if reason:
        details["reason"] = reason
    with store.transaction() as tx:
        store.linkage_decide(left, right, decision, context.user, now())
        change = store.linkage_reform([left, right])
        append_entry(
            store,
            AuditEvent(
                AuditKind.LINKAGE_DECISION, context=context, details=details,
                disclosed=tuple(_ref(_side(rows[m])) for m in (left, right)),
                counts={"entities_before": change.before, "entities_after": change.after},
            ),
            now=now,
        )  # fmt: skip
        commit_audited(tx)
    return change
