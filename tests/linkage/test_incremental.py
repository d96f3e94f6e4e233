"""The stored entities between full runs, on both engines: removing a mention splits the
entity it bridged at once; an incremental batch joins, merges or starts entities exactly
as a full run would with the same model, and keeps every human decision."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.store import Store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS, LinkRow

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THRESHOLD = 4.0
OWNER, SOURCE = LINKAGE_COLUMNS.index("owner"), LINKAGE_COLUMNS.index("source_id")
RECORD = LINKAGE_COLUMNS.index("record_id")


def _link(a: int, b: int, weight: float, decision: str | None = None) -> LinkRow:
    return LinkRow(min(a, b), max(a, b), weight, 0.9, {}, decision)


def _groups(store: Store) -> set[frozenset[int]]:
    by: dict[int, set[int]] = {}
    for m, e in store.entity_assignments().items():
        by.setdefault(e, set()).add(m)
    return {frozenset(v) for v in by.values()}


def _bridge(store: Store) -> tuple[int, int, int, list[int]]:
    """Mentions a - x - b of three different records, saved as one entity held together
    by x alone; every other mention alone. Returns a, x, b and every mention id."""
    rows = list(store.linkage_mentions())
    a = rows[0]
    x = next(r for r in rows if r[RECORD] != a[RECORD])
    b = next(r for r in rows if r[RECORD] not in (a[RECORD], x[RECORD]))
    ids = [int(r[0]) for r in rows]
    trio = [int(a[0]), int(x[0]), int(b[0])]
    members = [(m, 1 if m in trio else m + 10, None) for m in ids]
    links = [_link(trio[0], trio[1], 9.0), _link(trio[1], trio[2], 8.0)]
    store.linkage_save("{}", THRESHOLD, {}, links, members, datetime.now(UTC))
    return trio[0], trio[1], trio[2], ids


@pytest.mark.parametrize("how", ["expunge", "retract"])
def test_removing_a_bridge_mention_splits_its_entity_at_once(loaded: Store, how: str) -> None:
    a, x, b, _ = _bridge(loaded)
    assert frozenset((a, x, b)) in _groups(loaded)
    row = next(r for r in loaded.linkage_mentions() if r[0] == x)
    if how == "expunge":
        expunge_record(loaded, row[OWNER], row[SOURCE], compact=False)
    else:
        retract_records(loaded, row[OWNER], [row[SOURCE]])
    groups = _groups(loaded)
    assigned = loaded.entity_assignments()
    assert x not in assigned
    # x's record may hold other mentions too: they went with it. a and b now stand apart.
    assert frozenset((a,)) in groups and frozenset((b,)) in groups
    assert assigned[a] != assigned[b]
    # Every stored entity's size still counts its members.
    assert all(len(g) >= 1 for g in groups) and sum(len(g) for g in groups) == len(assigned)


def test_reform_merges_on_accept_and_splits_on_reject(loaded: Store) -> None:
    a, x, b, _ = _bridge(loaded)
    now = datetime.now(UTC)
    with loaded.transaction() as tx:
        loaded.linkage_decide(x, b, "reject", "analyst1", now)
        change = loaded.linkage_reform([x, b])
        tx.commit()
    assert change.split == 1 and change.after == 2
    groups = _groups(loaded)
    assert frozenset((a, x)) in groups and frozenset((b,)) in groups
    with loaded.transaction() as tx:
        loaded.linkage_decide(x, b, "accept", "analyst1", now)
        change = loaded.linkage_reform([x, b])
        tx.commit()
    assert change.merged == 1 and frozenset((a, x, b)) in _groups(loaded)


def test_unlinked_mentions_are_those_in_no_entity(loaded: Store, region: Path) -> None:
    every = [int(r[0]) for r in loaded.linkage_mentions()]
    assert loaded.linkage_unlinked() == every  # nothing linked yet
    a, x, b, ids = _bridge(loaded)
    assert loaded.linkage_unlinked() == []
