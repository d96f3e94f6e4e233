"""Audited changes to who may see what: agreements, owner policies and groups.

Each change and its entry commit in ONE transaction (the policy writes join the open one),
so the log names every version that was ever in force and every membership change. A
document applied unchanged, or a membership that already was (or was not), changes nothing
and writes no entry.

A change to a group's membership reaches every owner whose agreement grants to the group
(the way a national partner once gained access to a region's data through one agreement
with its board): the entry names those agreements and their owners, read in the same
transaction, and `lexhub report` shows the change to each of those owners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lexhub.audit import append_entry, commit_audited
from lexhub.model.agreement import GROUP_PREFIX, Agreement, PolicyDocument, PolicyVersion
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.policy import agreements_naming
from lexhub.store import Store

__all__ = ["GroupChange", "audited_apply", "audited_group_change", "audited_revoke"]


def _policy_event(v: PolicyVersion, actor: str) -> AuditEvent:
    return AuditEvent(
        AuditKind.AGREEMENT_CHANGE,
        actor=actor,
        details={"id": v.doc_id, "version": v.version, "kind": v.kind, "owner": v.owner,
                 "action": v.action},
    )  # fmt: skip


def audited_apply(
    store: Store, docs: Sequence[tuple[PolicyDocument, str]], *, actor: str
) -> list[tuple[PolicyVersion, bool]]:
    """`Store.apply_policies` with one entry per new version, all committed together.
    AuditWriteFailed if the entries cannot be committed: then no version is applied."""
    with store.transaction() as tx:
        applied = store.apply_policies(docs, by=actor)
        for version, new in applied:
            if new:
                append_entry(store, _policy_event(version, actor))
        commit_audited(tx)
    return applied


def audited_revoke(store: Store, doc_id: str, *, actor: str) -> PolicyVersion:
    """`Store.revoke_policy` and its entry, committed together."""
    with store.transaction() as tx:
        version = store.revoke_policy(doc_id, by=actor)
        append_entry(store, _policy_event(version, actor))
        commit_audited(tx)
    return version


@dataclass(frozen=True)
class GroupChange:
    """What one `group add` or `group remove` changed, and the agreements in force that
    grant to the group (what the change extends to the members added, or withdraws)."""

    group: str  # "group:NAME"
    created: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]
    agreements: tuple[Agreement, ...]

    @property
    def changed(self) -> bool:
        return self.created or bool(self.added) or bool(self.removed)

    def details(self, action: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "group": self.group,
            "action": action,
            "added": list(self.added),
            "removed": list(self.removed),
            "agreements": [{"id": a.id, "version": a.version, "owner": a.owner}
                           for a in self.agreements],
            "owners": sorted({a.owner for a in self.agreements}),
        }  # fmt: skip
        if self.created:
            out["created"] = True
        return out


def audited_group_change(
    store: Store,
    name: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    create: bool = False,
    description: str | None = None,
    actor: str,
) -> GroupChange:
    """Create group `name` (without "group:") if `create` and new, add and remove members,
    and chain one GROUP_CHANGE entry if anything changed; all in one transaction. NotFound
    for an unknown group or agency (nothing changed)."""
    with store.transaction() as tx:
        created = store.create_group(name, description) if create else False
        added = store.add_group_members(name, add) if add else []
        removed = store.remove_group_members(name, remove) if remove else []
        ref = GROUP_PREFIX + name
        naming = agreements_naming(ref, store.policy_snapshot())
        change = GroupChange(ref, created, tuple(added), tuple(removed), tuple(naming))
        if change.changed:
            action = "remove" if removed and not (added or created) else "add"
            append_entry(
                store,
                AuditEvent(
                    AuditKind.GROUP_CHANGE, actor=actor, details=change.details(action),
                    counts={"added": len(added), "removed": len(removed)},
                ),
            )  # fmt: skip
        commit_audited(tx)
    return change
