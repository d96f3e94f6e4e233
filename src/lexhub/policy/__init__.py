"""Agreements as code: parse and check them, and evaluate them into a request's Scope.

`scope(context, snapshot, today)` is the only way a search gets its Scope; it is pure
(the agreements, owner policies and group memberships in force come in the snapshot), and
`explain` reports the same evaluation in words. docs/policy.md gives the semantics.
"""

from lexhub.policy.agreements import parse_policies
from lexhub.policy.explain import agreements_naming, decision_to_dict, explain
from lexhub.policy.scope import Decision, Requester, decide, intersect, scope

__all__ = [
    "Decision",
    "agreements_naming",
    "Requester",
    "decide",
    "decision_to_dict",
    "explain",
    "intersect",
    "parse_policies",
    "scope",
]
