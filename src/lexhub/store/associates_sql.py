"""Reads for link analysis (issue 7): who shares a record, a phone, an address or a plate.

Every read goes through an index the schema already has: a mention's own keys are the
`mentions.keys` column (primary key), the holders of a key are a range of the
`mention_keys` / `record_keys` primary keys (kind, key, ...), a record's plates are
`record_keys_record`, and a record's mentions are `mentions_record`. Nothing scans.

The scope is part of each statement (`search.scope_clause`), never a filter applied
afterwards, and the per-key cap is applied AFTER it: so what a cap cuts depends only on
rows the requester may see, and a hidden row can never push a visible one out (which
would reveal that the hidden row exists). Callers pass the fields the connection reads
(`fields`): a row whose grant withholds one of them does not connect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import orjson

from lexhub.model import Scope, SearchKey
from lexhub.store.search import scope_clause

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["AssociatesSqlMixin", "AssociatesStore"]

_CHUNK = 500


class AssociatesStore(Protocol):
    """The link-analysis part of the Store interface."""

    def mention_keys_of(
        self, mention_ids: Sequence[int], kinds: Sequence[str]
    ) -> dict[int, list[SearchKey]]:
        """The index keys of these kinds each mention holds (read from the mention's row).
        The caller MUST have decided the mentions may be seen."""

    def mentions_holding(
        self, key: SearchKey, scope: Scope, fields: frozenset[str], cap: int
    ) -> list[int]:
        """Ids of the mentions inside `scope` holding mention key `key`, none whose grant
        withholds the person or one of `fields`; by id, at most `cap`."""

    def records_holding(
        self, key: SearchKey, scope: Scope, fields: frozenset[str], cap: int
    ) -> list[int]:
        """Ids of the active records inside `scope` holding record key `key`, none whose
        grant withholds one of `fields` for them; by id, at most `cap`."""

    def mentions_in_records(
        self, record_ids: Sequence[int], scope: Scope, fields: frozenset[str]
    ) -> list[tuple[int, int]]:
        """(record id, mention id) of the mentions of these records inside `scope`, none
        whose grant withholds the person or one of `fields`; by record, then mention."""

    def stored_entities_of(self, mention_ids: Sequence[int]) -> dict[int, list[int]]:
        """mention id -> the mention ids of the stored entity holding it (itself alone if
        none), for many mentions in two index reads: the supersets from which requests'
        entities are re-formed (`linkage.entities_for`), NEVER shown as they are."""


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _in_chunks(
    store: SqlStore, sql: str, ids: Sequence[int], params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Rows of `sql` (its `{marks}` an IN list) for `ids`, _CHUNK ids per statement (both
    engines' parameter limits), `params` after the ids. The caller opens the read."""
    out: list[tuple[Any, ...]] = []
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        part = unique[start : start + _CHUNK]
        out += store._x(sql.format(marks=_marks(len(part))), [*part, *params]).fetchall()
    return out


class AssociatesSqlMixin:
    """SQL of the link-analysis reads, shared by both engines."""

    @property
    def _assoc_store(self) -> SqlStore:
        return cast("SqlStore", self)

    def mention_keys_of(
        self, mention_ids: Sequence[int], kinds: Sequence[str]
    ) -> dict[int, list[SearchKey]]:
        s = self._assoc_store
        wanted = set(kinds)
        with s._reading("associates"):
            rows = _in_chunks(s, "SELECT id, keys FROM mentions WHERE id IN ({marks})", mention_ids)
        return {int(m): [(k, v) for k, v in orjson.loads(keys) if k in wanted] for m, keys in rows}

    def mentions_holding(
        self, key: SearchKey, scope: Scope, fields: frozenset[str], cap: int
    ) -> list[int]:
        if scope.empty:
            return []
        s = self._assoc_store
        scope_sql, params = scope_clause(scope, "m", fields=fields)
        with s._errors("associates"):
            rows = s._x(
                "SELECT m.id FROM mention_keys k JOIN mentions m ON m.id = k.mention_id"
                f" WHERE k.kind = ? AND k.key = ? AND {scope_sql} ORDER BY m.id LIMIT ?",
                [key[0], key[1], *params, cap],
            ).fetchall()
        return [int(r[0]) for r in rows]

    def records_holding(
        self, key: SearchKey, scope: Scope, fields: frozenset[str], cap: int
    ) -> list[int]:
        if scope.empty:
            return []
        s = self._assoc_store
        scope_sql, params = scope_clause(scope, "r", fields=fields, person=False)
        with s._errors("associates"):
            rows = s._x(
                "SELECT r.id FROM record_keys x JOIN records r ON r.id = x.record_id"
                f" WHERE x.kind = ? AND x.key = ? AND r.status = 'active' AND {scope_sql}"
                " ORDER BY r.id LIMIT ?",
                [key[0], key[1], *params, cap],
            ).fetchall()
        return [int(r[0]) for r in rows]

    def mentions_in_records(
        self, record_ids: Sequence[int], scope: Scope, fields: frozenset[str]
    ) -> list[tuple[int, int]]:
        if scope.empty or not record_ids:
            return []
        s = self._assoc_store
        scope_sql, scope_params = scope_clause(scope, "m", fields=fields)
        with s._reading("associates"):
            rows = _in_chunks(
                s,
                "SELECT m.record_id, m.id FROM mentions m WHERE m.record_id IN ({marks})"
                f" AND {scope_sql} ORDER BY m.record_id, m.id",
                record_ids,
                scope_params,
            )
        return sorted((int(r), int(m)) for r, m in rows)

    def stored_entities_of(self, mention_ids: Sequence[int]) -> dict[int, list[int]]:
        s = self._assoc_store
        with s._reading("associates"):
            entity_of = {
                int(m): int(e)
                for m, e in _in_chunks(
                    s, "SELECT mention_id, entity_id FROM entity_members"
                    " WHERE mention_id IN ({marks})", mention_ids,
                )
            }  # fmt: skip
            rows = _in_chunks(
                s, "SELECT entity_id, mention_id FROM entity_members WHERE entity_id IN ({marks})",
                list(entity_of.values()),
            )  # fmt: skip
        members: dict[int, list[int]] = {}
        for e, m in sorted(rows, key=lambda r: int(r[1])):
            members.setdefault(int(e), []).append(int(m))
        return {
            m: members[entity_of[m]] if m in entity_of else [m] for m in sorted(set(mention_ids))
        }
