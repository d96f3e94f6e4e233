"""Group membership changes in the oversight report.

An agreement that grants to a group grants to whoever is in it: a membership change
extends or withdraws an owner's sharing without the owner signing anything. So each owner
sees, in its report, every change to a group that one of its agreements grants to, whether
the agreement named the group when the change was made (the entry lists those agreements,
`lexhub.access.governance`) or names it now.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from lexhub.model.agreement import PolicySnapshot
from lexhub.model.audit import AuditEntry, AuditFilter, AuditKind
from lexhub.store import Store

__all__ = ["MembershipChange", "entries_of", "membership_changes", "parse_membership_change"]

_PAGE = 5000


def entries_of(store: Store, kind: str, since: datetime, until: datetime) -> Iterator[AuditEntry]:
    """Every entry of `kind` in [since, until), in chain order, read a page at a time."""
    after = 0
    while True:
        chunk = store.audit_entries(AuditFilter(kind, None, None, since, until, after), _PAGE)
        yield from chunk
        if len(chunk) < _PAGE:
            return
        after = chunk[-1].seq


@dataclass(frozen=True)
class MembershipChange:
    """One `group add` or `group remove` as the log recorded it."""

    seq: int
    at: str
    group: str
    action: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    agreements: tuple[str, ...]  # "ID vN (owner ORI)": those granting to the group then
    owners: tuple[str, ...]  # their owners
    actor: str | None


def parse_membership_change(entry: AuditEntry) -> MembershipChange | None:
    d = entry.data
    if d.get("kind") != AuditKind.GROUP_CHANGE.value:
        return None
    x = d.get("details", {})
    at = datetime.fromisoformat(d["at"]).astimezone(UTC)
    return MembershipChange(
        seq=entry.seq,
        at=at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        group=str(x.get("group", "")),
        action=str(x.get("action", "")),
        added=tuple(x.get("added", ())),
        removed=tuple(x.get("removed", ())),
        agreements=tuple(
            f"{a['id']} v{a['version']} (owner {a['owner']})" for a in x.get("agreements", ())
        ),
        owners=tuple(x.get("owners", ())),
        actor=d.get("actor"),
    )


def membership_changes(
    store: Store,
    start: datetime,
    end: datetime,
    owner: str | None,
    snapshot: PolicySnapshot,
) -> list[MembershipChange]:
    """Changes in [start, end) to the groups `owner`'s agreements grant to, then or now
    (every change when `owner` is None: the auditor's view)."""
    granting_now = {
        g for a in snapshot.agreements if a.owner == owner for g in a.grantees
    }  # a group ref is "group:NAME", as the entry names it
    out = []
    for entry in entries_of(store, AuditKind.GROUP_CHANGE.value, start, end):
        change = parse_membership_change(entry)
        if change is None:
            continue
        if owner is None or owner in change.owners or change.group in granting_now:
            out.append(change)
    return out
