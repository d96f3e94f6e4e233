"""The policy tables (issue 4): groups, their members, and every version of every
agreement and owner policy; and the PolicySnapshot that evaluation reads.

History is never rewritten: applying a changed document or revoking one adds a version row;
leaving a group sets `removed_at` on the membership row. Each stored version keeps the YAML
as written (what `agreement show` and `diff` print) and the parsed document as JSON (what a
snapshot reads, so loading one never parses YAML and needs nothing from `lexhub.policy`).

Writes join the transaction already open on the store, so a caller can audit a change and
commit both at once (`with store.transaction() as tx: store.apply_policies(...); ...;
tx.commit()`); with none open, each write runs and commits in its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from lexhub.errors import Conflict, NotFound
from lexhub.model.agreement import (
    Group,
    OwnerPolicy,
    PolicyDocument,
    PolicySnapshot,
    PolicyVersion,
    policy_from_dict,
    policy_to_dict,
)

if TYPE_CHECKING:
    from lexhub.store.base import Transaction

__all__ = ["PolicySqlMixin", "PolicyStore"]

_VERSION_COLUMNS = "doc_id, version, kind, owner, action, source, body, applied_at, applied_by"
_CURRENT = (
    f"SELECT p.{_VERSION_COLUMNS.replace(', ', ', p.')} FROM policy_versions p"
    " JOIN (SELECT doc_id, max(version) AS v FROM policy_versions GROUP BY doc_id) c"
    " ON c.doc_id = p.doc_id AND c.v = p.version"
)


class PolicyStore(Protocol):
    """The policy part of the Store interface."""

    def create_group(self, name: str, description: str | None = None) -> bool:
        """Create group `name` (without "group:"); False if it exists (description kept)."""
        ...

    def add_group_members(self, name: str, agencies: Sequence[str]) -> list[str]:
        """Add agencies to a group; returns those that were not members. NotFound for an
        unknown group or agency."""
        ...

    def remove_group_members(self, name: str, agencies: Sequence[str]) -> list[str]:
        """End memberships; returns those that were members. NotFound for an unknown group."""
        ...

    def list_groups(self) -> list[Group]:
        """Every group with its current members, by name."""
        ...

    def apply_policies(
        self, docs: Sequence[tuple[PolicyDocument, str]], by: str | None = None
    ) -> list[tuple[PolicyVersion, bool]]:
        """Store each (document, YAML source) as its next version; a document equal to its
        current version is left as it is. Returns each version with True if it is new."""
        ...

    def revoke_policy(self, doc_id: str, by: str | None = None) -> PolicyVersion:
        """Take a document out of force with a revoke version. NotFound if unknown,
        Conflict if already revoked."""
        ...

    def policy_history(self, doc_id: str) -> list[PolicyVersion]:
        """Every version of a document, oldest first (empty if unknown)."""
        ...

    def list_policies(self, include_revoked: bool = False) -> list[PolicyVersion]:
        """The current version of each document, by id."""
        ...

    def policy_snapshot(self) -> PolicySnapshot:
        """Agencies, groups and members, and the documents in force, in one read."""
        ...

    def policy_version(self) -> str:
        """A token that changes whenever `policy_snapshot` may have changed, read in one
        cheap statement, so callers can keep a snapshot (and decisions) until it does."""
        ...


class PolicySqlMixin:
    """SQL of the policy tables, shared by both engines."""

    if TYPE_CHECKING:
        _tx: Any

        def _x(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
        def _errors(self, doing: str) -> AbstractContextManager[None]: ...
        def _reading(self, doing: str) -> AbstractContextManager[None]: ...
        def _ts(self, when: datetime) -> Any: ...
        def transaction(self) -> AbstractContextManager[Transaction]: ...

    @contextmanager
    def _policy_write(self, doing: str) -> Iterator[None]:
        """Inside the open transaction, or in one of its own that commits at the end."""
        if self._tx is not None:
            with self._errors(doing):
                yield
            return
        with self.transaction() as tx, self._errors(doing):
            yield
            tx.commit()

    # -- groups -----------------------------------------------------------------------

    def create_group(self, name: str, description: str | None = None) -> bool:
        with self._policy_write("create_group"):
            if self._x("SELECT 1 FROM agency_groups WHERE name = ?", (name,)).fetchone():
                return False
            self._x(
                "INSERT INTO agency_groups (name, description, created_at) VALUES (?, ?, ?)",
                (name, description, self._ts(datetime.now(UTC))),
            )
            return True

    def _members(self, name: str) -> set[str]:
        if not self._x("SELECT 1 FROM agency_groups WHERE name = ?", (name,)).fetchone():
            raise NotFound(f"no group group:{name}")
        rows = self._x(
            "SELECT agency FROM group_members WHERE group_name = ? AND removed_at IS NULL",
            (name,),
        ).fetchall()
        return {r[0] for r in rows}

    def add_group_members(self, name: str, agencies: Sequence[str]) -> list[str]:
        with self._policy_write("add_group_members"):
            current = self._members(name)
            new = [a for a in dict.fromkeys(agencies) if a not in current]
            for agency in new:
                if not self._x("SELECT 1 FROM agencies WHERE id = ?", (agency,)).fetchone():
                    raise NotFound(f"no agency {agency}")
                self._x(
                    "INSERT INTO group_members (group_name, agency, added_at) VALUES (?, ?, ?)",
                    (name, agency, self._ts(datetime.now(UTC))),
                )
            return new

    def remove_group_members(self, name: str, agencies: Sequence[str]) -> list[str]:
        with self._policy_write("remove_group_members"):
            current = self._members(name)
            gone = [a for a in dict.fromkeys(agencies) if a in current]
            for agency in gone:
                self._x(
                    "UPDATE group_members SET removed_at = ?"
                    " WHERE group_name = ? AND agency = ? AND removed_at IS NULL",
                    (self._ts(datetime.now(UTC)), name, agency),
                )
            return gone

    def list_groups(self) -> list[Group]:
        with self._reading("list_groups"):
            return self._groups()

    def _groups(self) -> list[Group]:
        members: dict[str, set[str]] = {}
        for group, agency in self._x(
            "SELECT group_name, agency FROM group_members WHERE removed_at IS NULL"
        ).fetchall():
            members.setdefault(group, set()).add(agency)
        rows = self._x("SELECT name, description FROM agency_groups ORDER BY name").fetchall()
        return [Group(n, frozenset(members.get(n, ())), d) for n, d in rows]

    # -- agreements and owner policies ------------------------------------------------

    def apply_policies(
        self, docs: Sequence[tuple[PolicyDocument, str]], by: str | None = None
    ) -> list[tuple[PolicyVersion, bool]]:
        out: list[tuple[PolicyVersion, bool]] = []
        with self._policy_write("apply_policies"):
            for doc, source in docs:
                body = json.dumps(policy_to_dict(doc), sort_keys=True, separators=(",", ":"))
                history = self._history(doc.doc_id)
                last = history[-1] if history else None
                if last is not None and last.action == "apply" and last.doc is not None:
                    if _body(last.doc) == body:
                        out.append((last, False))
                        continue
                out.append((self._add_version(doc.doc_id, doc, source, body, by, last), True))
        return out

    def _add_version(
        self,
        doc_id: str,
        doc: PolicyDocument | None,
        source: str | None,
        body: str | None,
        by: str | None,
        last: PolicyVersion | None,
    ) -> PolicyVersion:
        version = 1 if last is None else last.version + 1
        if doc is not None:
            kind = "owner-policy" if isinstance(doc, OwnerPolicy) else "agreement"
            owner = doc.owner
        else:
            assert last is not None
            kind, owner = last.kind, last.owner
        now = datetime.now(UTC)
        self._x(
            f"INSERT INTO policy_versions ({_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, version, kind, owner, "apply" if doc else "revoke", source, body,
             self._ts(now), by),
        )  # fmt: skip
        return _version((doc_id, version, kind, owner, "apply" if doc else "revoke", source,
                         body, now, by))  # fmt: skip

    def revoke_policy(self, doc_id: str, by: str | None = None) -> PolicyVersion:
        with self._policy_write("revoke_policy"):
            history = self._history(doc_id)
            if not history:
                raise NotFound(f"no agreement or owner policy {doc_id}")
            if history[-1].action == "revoke":
                raise Conflict(f"{doc_id} is already revoked (version {history[-1].version})")
            return self._add_version(doc_id, None, None, None, by, history[-1])

    def policy_history(self, doc_id: str) -> list[PolicyVersion]:
        with self._reading("policy_history"):
            return self._history(doc_id)

    def _history(self, doc_id: str) -> list[PolicyVersion]:
        rows = self._x(
            f"SELECT {_VERSION_COLUMNS} FROM policy_versions WHERE doc_id = ? ORDER BY version",
            (doc_id,),
        ).fetchall()
        return [_version(r) for r in rows]

    def list_policies(self, include_revoked: bool = False) -> list[PolicyVersion]:
        with self._reading("list_policies"):
            rows = self._x(_CURRENT + " ORDER BY p.doc_id").fetchall()
        versions = [_version(r) for r in rows]
        return [v for v in versions if include_revoked or v.action == "apply"]

    def policy_version(self) -> str:
        # Sound because the policy tables only grow: agencies, groups, memberships and
        # versions are inserted, never deleted, and the one update (a membership's
        # removed_at) moves the last count. Every write therefore moves some count, and the
        # date the schema was created tells a re-created database at the same URL apart.
        # tests/access/test_decisions.py holds any sequence of writes to that.
        with self._errors("policy_version"):
            row = self._x(
                "SELECT (SELECT min(applied_at) FROM schema_migrations),"
                " (SELECT count(*) FROM agencies), (SELECT count(*) FROM agency_groups),"
                " (SELECT count(*) FROM policy_versions), (SELECT count(*) FROM group_members),"
                " (SELECT count(*) FROM group_members WHERE removed_at IS NOT NULL)"
            ).fetchone()
        return "|".join(str(v) for v in row)

    def policy_snapshot(self) -> PolicySnapshot:
        with self._reading("policy_snapshot"):
            agencies = frozenset(r[0] for r in self._x("SELECT id FROM agencies").fetchall())
            groups = self._groups()
            rows = self._x(_CURRENT + " WHERE p.action = 'apply' ORDER BY p.doc_id").fetchall()
        docs = [_version(r).doc for r in rows]
        return PolicySnapshot(
            agencies=agencies,
            groups=tuple(groups),
            agreements=tuple(d for d in docs if d is not None and not isinstance(d, OwnerPolicy)),
            owner_policies=tuple(d for d in docs if isinstance(d, OwnerPolicy)),
        )


def _body(doc: PolicyDocument) -> str:
    return json.dumps(policy_to_dict(doc), sort_keys=True, separators=(",", ":"))


def _version(row: Sequence[Any]) -> PolicyVersion:
    doc_id, version, kind, owner, action, source, body, applied_at, by = row
    doc = None if body is None else policy_from_dict(json.loads(body), int(version))
    when = applied_at if isinstance(applied_at, datetime) else datetime.fromisoformat(applied_at)
    return PolicyVersion(str(doc_id), int(version), kind, owner, action, source, doc, when, by)
