"""The decisions a request's agreements give, kept until the policy changes.

`decide` is a pure function of (requester, snapshot, day), and agreements change far less
often than partners search: re-reading the snapshot and re-evaluating every owner and
record type for each search cost more than half of what governance adds to one (see
docs/benchmarks.md, "Governance overhead"). Here both are kept per database, keyed by the
store's `policy_version`, which one cheap statement reads on every request; a change by any
process moves it, so a kept decision is never one the agreements in force would not give.
A failure to read the version raises like any store error: the request is refused.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date

from lexhub.model.agreement import PolicySnapshot
from lexhub.policy import Requester, decide
from lexhub.policy.scope import Decision
from lexhub.store import Store

__all__ = ["current_decisions", "current_snapshot"]

_KEPT_DECISIONS = 4096  # requesters x purposes x owner filters in one day, with room

_lock = threading.Lock()
_snapshots: dict[str, tuple[str, PolicySnapshot]] = {}
_decisions: OrderedDict[tuple[object, ...], tuple[Decision, ...]] = OrderedDict()


def current_snapshot(store: Store, version: str | None = None) -> PolicySnapshot:
    """The policy snapshot in force in `store`, read again only when its version moved."""
    version = store.policy_version() if version is None else version
    with _lock:
        kept = _snapshots.get(store.url)
    if kept is not None and kept[0] == version:
        return kept[1]
    snapshot = store.policy_snapshot()
    # Stored under the version read BEFORE the snapshot: if a change lands in between, the
    # next request sees a newer version and reads again, never the other way round.
    with _lock:
        _snapshots[store.url] = (version, snapshot)
    return snapshot


def current_decisions(
    store: Store, requester: Requester, today: date, owners: Iterable[str] | None = None
) -> tuple[Decision, ...]:
    """`decide(requester, snapshot in force, today, owners)`, evaluated once per policy
    version."""
    version = store.policy_version()
    wanted = None if owners is None else tuple(sorted(set(owners)))
    key = (store.url, version, requester, today, wanted)
    with _lock:
        kept = _decisions.get(key)
        if kept is not None:
            _decisions.move_to_end(key)
            return kept
    decisions = tuple(decide(requester, current_snapshot(store, version), today, owners=wanted))
    with _lock:
        _decisions[key] = decisions
        while len(_decisions) > _KEPT_DECISIONS:
            _decisions.popitem(last=False)
    return decisions
