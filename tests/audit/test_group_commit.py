"""Group commit (audit.group) on both engines: requests waiting while the chain is locked
are committed in one transaction, each still returns only once its entry is durable, the
chain verifies, a request's own events stay all-or-none, and an event the database refuses
refuses only its own request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from lexhub.audit import record_event, record_events, verify_store
from lexhub.audit.group import GroupCommit, group_for, install_group_commit
from lexhub.errors import AuditWriteFailed
from lexhub.model.audit import AuditEntry, AuditEvent, AuditFilter, AuditKind
from lexhub.store import Store, open_store
from tests.audit.conftest import Raw, search_event

EVENT = search_event(0)


@pytest.fixture
def group(store: Store) -> Iterator[GroupCommit]:
    uninstall = install_group_commit(store.url, lambda: open_store(store.url))
    writer = group_for(store.url)
    assert writer is not None
    yield writer
    uninstall()
    assert group_for(store.url) is None


def _queued(writer: GroupCommit, n: int) -> None:
    """Wait (on the writer's own condition, no sleeping) until `n` requests are queued."""
    with writer._ready:
        assert writer._ready.wait_for(lambda: len(writer._queue) >= n, timeout=30)


def test_requests_waiting_on_the_chain_lock_share_one_commit(
    store: Store, group: GroupCommit
) -> None:
    results: list[AuditEntry] = []
    with open_store(store.url) as other, other.transaction():
        other.audit_lock_head()  # another process appending: the writer must wait
        first = threading.Thread(target=lambda: results.append(record_event(store, EVENT)))
        first.start()
        with group._ready:  # the writer took the first and is blocked on the lock
            assert group._ready.wait_for(lambda: not group._queue, timeout=30)
        rest = [threading.Thread(target=lambda i=i: results.append(record_event(
            store, search_event(i)))) for i in range(1, 6)]  # fmt: skip
        for t in rest:
            t.start()
        _queued(group, 5)
        assert results == []  # nobody answered before a commit
    for t in [first, *rest]:
        t.join()
    assert sorted(e.seq for e in results) == [1, 2, 3, 4, 5, 6]
    assert (group.groups, group.entries) == (2, 6)  # the first alone, then five together
    assert verify_store(store).ok


def test_a_requests_events_are_committed_together_or_not_at_all(
    store: Store, raw: Raw, group: GroupCommit
) -> None:
    _refuse_kind(raw, "denied")
    denied = replace(search_event(9), kind=AuditKind.DENIED)
    with pytest.raises(AuditWriteFailed):
        record_events(store, [search_event(1), denied])
    assert store.audit_head()[0] == 0  # the search entry went with the refused one
    assert [e.seq for e in record_events(store, [search_event(2)])] == [1]


def test_an_event_the_database_refuses_refuses_only_its_own_request(
    store: Store, raw: Raw, group: GroupCommit
) -> None:
    _refuse_kind(raw, "denied")
    denied = replace(search_event(9), kind=AuditKind.DENIED)
    outcomes: dict[str, object] = {}

    def run(name: str, event: AuditEvent) -> None:
        try:
            outcomes[name] = record_event(store, event)
        except AuditWriteFailed as e:
            outcomes[name] = e

    with open_store(store.url) as other, other.transaction():
        other.audit_lock_head()
        blocker = threading.Thread(target=run, args=("first", search_event(0)))
        blocker.start()
        with group._ready:
            assert group._ready.wait_for(lambda: not group._queue, timeout=30)
        asked = (("good", search_event(1)), ("bad", denied), ("also good", search_event(2)))
        threads = [threading.Thread(target=run, args=a) for a in asked]
        for t in threads:
            t.start()
        _queued(group, 3)
    for t in [blocker, *threads]:
        t.join()
    assert isinstance(outcomes["bad"], AuditWriteFailed)
    assert all(isinstance(outcomes[n], AuditEntry) for n in ("first", "good", "also good"))
    assert len(store.audit_entries(AuditFilter(), 10)) == 3
    assert verify_store(store).ok


def _refuse_kind(raw: Raw, kind: str) -> None:
    if raw.engine == "sqlite":  # type: ignore[attr-defined]
        raw(f"CREATE TRIGGER refuse BEFORE INSERT ON audit_entries WHEN NEW.kind = '{kind}'"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END")  # fmt: skip
        return
    raw("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'refused'; END; $$")  # fmt: skip
    raw(f"CREATE TRIGGER refuse BEFORE INSERT ON audit_entries FOR EACH ROW"
        f" WHEN (NEW.kind = '{kind}') EXECUTE FUNCTION refuse()")  # fmt: skip
