"""Fail closed: when the DATABASE refuses the audit write, the caller gets AuditWriteFailed,
nothing it wrote in the same transaction survives, and nothing is disclosed."""

from __future__ import annotations

import pytest

from lexhub.audit import append_entry, commit_audited, record_event, verify_store
from lexhub.errors import AuditWriteFailed
from lexhub.model import Agency, AgencyKind, Contact
from lexhub.model.audit import AuditFilter
from lexhub.store import Store
from tests.audit.conftest import OWNER, Raw, search_event


def _refuse_audit_inserts(raw: Raw, *, at_commit: bool = False) -> None:
    if raw.engine == "sqlite":  # type: ignore[attr-defined]
        raw("CREATE TRIGGER refuse BEFORE INSERT ON audit_entries"
            " BEGIN SELECT RAISE(ABORT, 'audit refused by the database'); END")  # fmt: skip
        return
    raw("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'audit refused by the database'; END; $$")  # fmt: skip
    if at_commit:  # the INSERT succeeds; COMMIT runs the deferred trigger and fails
        raw("CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON audit_entries"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()")  # fmt: skip
    else:
        raw("CREATE TRIGGER refuse BEFORE INSERT ON audit_entries"
            " FOR EACH ROW EXECUTE FUNCTION refuse()")  # fmt: skip


def _search_then_disclose(store: Store, disclosed: list[str]) -> None:
    """The search path's shape: write/read, audit, commit, and only then disclose."""
    with store.transaction() as tx:
        tx.put_agency(Agency(OWNER, "Sheriff", "WA", AgencyKind.SHERIFF, "America/Los_Angeles",
                             Contact("Records", None, None)))  # fmt: skip
        append_entry(store, search_event(1))
        commit_audited(tx)
    disclosed.append("INC-1")


def test_refused_audit_write_discloses_nothing(store: Store, raw: Raw) -> None:
    _refuse_audit_inserts(raw)
    with pytest.raises(AuditWriteFailed, match="audit refused by the database"):
        record_event(store, search_event())
    disclosed: list[str] = []
    with pytest.raises(AuditWriteFailed, match="nothing disclosed"):
        _search_then_disclose(store, disclosed)
    assert disclosed == []
    assert store.get_agency(OWNER) is None
    assert store.audit_head()[0] == 0 and store.audit_terms() == []

    raw("DROP TRIGGER refuse" + ("" if raw.engine == "sqlite" else " ON audit_entries"))  # type: ignore[attr-defined]
    _search_then_disclose(store, disclosed)
    assert disclosed == ["INC-1"] and store.get_agency(OWNER) is not None
    assert [e.seq for e in store.audit_entries(AuditFilter(), 10)] == [1]
    assert verify_store(store).ok


def test_audit_refused_at_commit_discloses_nothing(store: Store, raw: Raw) -> None:
    if store.engine == "sqlite":
        pytest.skip("SQLite has no deferred triggers; the refusal at INSERT is tested above")
    _refuse_audit_inserts(raw, at_commit=True)
    disclosed: list[str] = []
    with pytest.raises(AuditWriteFailed, match="not committed, nothing disclosed"):
        _search_then_disclose(store, disclosed)
    assert disclosed == [] and store.get_agency(OWNER) is None
    assert store.audit_head()[0] == 0
