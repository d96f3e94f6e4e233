"""`agreement explain`: what a requester may see of each owner, and which rule decided it.

The explanation is the evaluation itself (`scope.decide`), not a second reading of the
agreements, so what it says is exactly what a search with that context would get.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lexhub.model import RecordType
from lexhub.model.agreement import Agreement, PolicySnapshot
from lexhub.policy.scope import Decision, Requester, decide

__all__ = ["agreements_naming", "decision_to_dict", "explain"]


def explain(
    requester: Requester,
    snapshot: PolicySnapshot,
    today: date,
    owner: str | None = None,
    record_type: RecordType | None = None,
) -> list[Decision]:
    """The decision for every owner (or `owner`) and record type (or `record_type`)."""
    return decide(
        requester,
        snapshot,
        today,
        owners=None if owner is None else [owner],
        record_types=None if record_type is None else [record_type],
    )


def decision_to_dict(d: Decision) -> dict[str, Any]:
    g = d.grant
    return {
        "owner": d.owner,
        "record_type": d.record_type.value,
        "outcome": d.outcome,
        "max_sensitivity": None if g is None else g.max_sensitivity.value,
        "withhold": []
        if g is None
        else [
            {
                "fields": sorted(r.fields),
                "person_roles": None if r.roles is None else sorted(x.value for x in r.roles),
                "offense_categories": None
                if r.offense_categories is None
                else sorted(c.value for c in r.offense_categories),
            }
            for r in g.withhold
        ],
        "deciding": list(d.deciding),
        "reasons": list(d.reasons),
    }


def agreements_naming(party: str, snapshot: PolicySnapshot) -> list[Agreement]:
    """The agreements in force that name `party` (an ORI or "group:NAME") as a grantee: what
    a change to that group's membership extends or withdraws, to show its owners."""
    return sorted((a for a in snapshot.agreements if party in a.grantees), key=lambda a: a.id)
