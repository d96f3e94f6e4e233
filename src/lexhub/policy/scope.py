"""Evaluate agreements and owner policies into the Scope a search runs inside.

`scope(context, snapshot, today)` is a PURE function of its arguments: no store, no clock.
For each owner and record type it decides, in this order (docs/policy.md):

1. Deny by default: no grant, no access.
2. The owner policy wins: a prohibited requester (the agency, or a group it belongs to) or
   a prohibited purpose denies every record type of that owner, own records included.
3. Candidates: the implicit self-grant (an agency's users see all of its own records,
   restricted, full) and every agreement of the owner in force `today` that names the
   requester or one of its groups, and covers the purpose, the user's role and the type.
4. Several candidates merge into the more open grant, term by term: the highest maximum
   sensitivity, `full` over `pointer`, and a field withheld only where EVERY candidate
   withholds it (rule by rule; see `intersect`).
5. The owner policy's withholding is added on top (grants only add; the policy restricts).

Anything that goes wrong while evaluating one owner denies that owner (fail closed): the
error is logged, the owner gets no grant, the other owners are unaffected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import product

from lexhub.model import (
    WITHHOLDABLE,
    Disclosure,
    Grant,
    RecordType,
    Scope,
    Sensitivity,
    Withholding,
)
from lexhub.model.agreement import Agreement, OwnerPolicy, PolicySnapshot
from lexhub.model.context import Purpose, RequestContext, UserRole

__all__ = ["Decision", "Requester", "decide", "intersect", "scope"]

log = logging.getLogger(__name__)

PERSON_PARTS = frozenset(f for f in WITHHOLDABLE if f.startswith("person."))
OWN = "own records"


@dataclass(frozen=True)
class Requester:
    """What evaluation needs of a RequestContext (explain asks without a case)."""

    agency: str
    role: UserRole
    purpose: Purpose

    @classmethod
    def of(cls, context: RequestContext) -> Requester:
        return cls(context.agency, context.role, context.purpose)


@dataclass(frozen=True)
class Decision:
    """The outcome for one (owner, record type): `grant` None means denied. `deciding`
    names what decided it ("own records", "agreement ID vN", "owner policy of ORI vN");
    `reasons` say why, in words a records administrator can check."""

    owner: str
    record_type: RecordType
    grant: Grant | None
    deciding: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def outcome(self) -> str:
        if self.grant is None:
            return "denied"
        return "allowed" if self.grant.disclosure is Disclosure.FULL else "pointer"


@dataclass(frozen=True)
class _Candidate:
    label: str
    max_sensitivity: Sensitivity
    disclosure: Disclosure
    withhold: tuple[Withholding, ...]


def scope(context: RequestContext, snapshot: PolicySnapshot, today: date) -> Scope:
    """The Scope of `context` under `snapshot` on `today`."""
    decisions = decide(Requester.of(context), snapshot, today)
    return Scope(tuple(d.grant for d in decisions if d.grant is not None))


def decide(
    requester: Requester,
    snapshot: PolicySnapshot,
    today: date,
    owners: Iterable[str] | None = None,
    record_types: Iterable[RecordType] | None = None,
) -> list[Decision]:
    """One Decision per owner (default: every owner the snapshot knows, and the requester's
    own agency) and record type (default: all), sorted."""
    types = sorted(RecordType if record_types is None else set(record_types))
    wanted = snapshot.owners | {requester.agency} if owners is None else set(owners)
    out: list[Decision] = []
    for owner in sorted(wanted):
        try:
            out += _decide_owner(requester, snapshot, today, owner, types)
        except Exception as e:  # fail closed: an unevaluable policy denies
            log.error("policy of owner %s could not be evaluated: %s", owner, type(e).__name__)
            reason = f"the policy could not be evaluated ({type(e).__name__}): denied"
            out += [Decision(owner, rt, None, ("evaluation error",), (reason,)) for rt in types]
    return out


def _policy_label(policy: OwnerPolicy) -> str:
    return f"owner policy of {policy.owner} v{policy.version}"


def _label(a: Agreement) -> str:
    return f"agreement {a.id} v{a.version}"


def _decide_owner(
    req: Requester, snapshot: PolicySnapshot, today: date, owner: str, types: Sequence[RecordType]
) -> list[Decision]:
    policy = snapshot.owner_policy(owner)
    refs = {req.agency} | snapshot.groups_of(req.agency)
    if policy is not None:
        blocked = sorted(policy.prohibited_requesters & refs)
        if blocked:
            via = "" if blocked[0] == req.agency else f" ({req.agency} is a member)"
            why = f"{_policy_label(policy)} prohibits requester {blocked[0]}{via}"
            return [Decision(owner, rt, None, (_policy_label(policy),), (why,)) for rt in types]
        if req.purpose in policy.prohibited_purposes:
            why = f"{_policy_label(policy)} prohibits purpose {req.purpose.value}"
            return [Decision(owner, rt, None, (_policy_label(policy),), (why,)) for rt in types]
    out = []
    for rt in types:
        candidates: list[_Candidate] = []
        notes: list[str] = []
        if req.agency == owner:
            candidates.append(_Candidate(OWN, Sensitivity.RESTRICTED, Disclosure.FULL, ()))
        for a in sorted(snapshot.agreements, key=lambda x: x.id):
            if a.owner != owner or rt not in a.record_types or not a.grantees & refs:
                continue
            miss = _miss(a, req, today)
            if miss:
                notes.append(f"{_label(a)} {miss}")
            else:
                candidates.append(
                    _Candidate(_label(a), a.max_sensitivity, a.disclosure, a.withhold)
                )
        out.append(_merge(owner, rt, candidates, notes, policy, req))
    return out


def _miss(a: Agreement, req: Requester, today: date) -> str | None:
    """Why agreement `a`, which names the requester and the type, does not apply."""
    if not a.in_force(today):
        return f"is not in force on {today} (valid {a.valid_from or '…'} to {a.valid_to or '…'})"
    if req.purpose not in a.purposes:
        return f"does not cover purpose {req.purpose.value}"
    if a.roles is not None and req.role not in a.roles:
        roles = ", ".join(sorted(r.value for r in a.roles))
        return f"is limited to user roles {roles}, not {req.role.value}"
    return None


def _merge(
    owner: str,
    rt: RecordType,
    candidates: list[_Candidate],
    notes: list[str],
    policy: OwnerPolicy | None,
    req: Requester,
) -> Decision:
    if not candidates:
        why = f"no agreement of {owner} grants {req.agency} {rt.value} for {req.purpose.value}"
        return Decision(owner, rt, None, (), (why, *notes))
    top = max(candidates, key=lambda c: c.max_sensitivity.rank)
    full = next((c for c in candidates if c.disclosure is Disclosure.FULL), None)
    disclosure = Disclosure.FULL if full else Disclosure.POINTER
    opened = full or candidates[0]
    withhold = intersect([c.withhold for c in candidates])
    deciding = list(dict.fromkeys([opened.label, top.label]))
    reasons = []
    if len(candidates) == 1:
        c = candidates[0]
        reasons.append(
            f"{c.label} grants {disclosure.value} disclosure up to {c.max_sensitivity.value}"
        )
    else:
        names = ", ".join(c.label for c in candidates)
        reasons.append(
            f"{names} all apply; the more open terms win: up to {top.max_sensitivity.value}"
            f" from {top.label}, {disclosure.value} disclosure from {opened.label}"
        )
    if withhold:
        where = "its terms" if len(candidates) == 1 else "every applying grant"
        reasons.append(f"withheld by {where}: {_describe(withhold)}")
    if policy is not None and policy.withhold:
        withhold = tuple(dict.fromkeys((*withhold, *policy.withhold)))
        reasons.append(f"{_policy_label(policy)} always withholds: {_describe(policy.withhold)}")
        deciding.append(_policy_label(policy))
    source = " + ".join(deciding)
    grant = Grant(owner, rt, top.max_sensitivity, disclosure, withhold, source)
    return Decision(owner, rt, grant, tuple(deciding), (*reasons, *notes))


def _describe(rules: Iterable[Withholding]) -> str:
    parts = []
    for r in rules:
        text = ", ".join(sorted(r.fields))
        conds = []
        if r.roles is not None:
            conds.append("persons who are " + " or ".join(sorted(x.value for x in r.roles)))
        if r.offense_categories is not None:
            cats = " or ".join(sorted(c.value for c in r.offense_categories))
            conds.append(f"records with a {cats} offense")
        parts.append(text + (f" (of {' in '.join(conds)})" if conds else ""))
    return "; ".join(parts)


def _expand(fields: frozenset[str]) -> frozenset[str]:
    return fields | PERSON_PARTS if "person" in fields else fields


def _both(a: Withholding, b: Withholding) -> Withholding | None:
    """A rule that applies where both apply and withholds what both withhold, rounded
    toward withholding: two offense-category conditions become their union (a record
    must be in one of A's categories AND one of B's; "in any of A's or B's" covers that)."""
    fields = _expand(a.fields) & _expand(b.fields)
    if "person" in fields:
        fields = (fields - PERSON_PARTS) | {"person"}
    if not fields:
        return None
    if a.roles is None or b.roles is None:
        roles = a.roles if b.roles is None else b.roles
    else:
        roles = a.roles & b.roles
        if not roles:
            return None
    if a.offense_categories is None or b.offense_categories is None:
        cats = a.offense_categories if b.offense_categories is None else b.offense_categories
    else:
        cats = a.offense_categories | b.offense_categories
    return Withholding(frozenset(fields), roles, cats)


def intersect(rule_sets: Sequence[tuple[Withholding, ...]]) -> tuple[Withholding, ...]:
    """Withholding rules under which a field is withheld only where every set withholds it.
    A set with no rules withholds nothing, so the result is empty."""
    if not rule_sets:
        return ()
    acc: list[Withholding] = list(rule_sets[0])
    for rules in rule_sets[1:]:
        both = (_both(a, b) for a, b in product(acc, rules))
        acc = list(dict.fromkeys(r for r in both if r is not None))
    return tuple(acc)
