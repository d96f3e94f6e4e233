"""Appending: golden vectors, one linear chain, atomicity with the caller's transaction,
query terms kept off the chain and erased on schedule."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lexhub.audit import (
    append_entry,
    canonical,
    commit_audited,
    entry_body,
    entry_hash,
    erase_expired_terms,
    erase_terms,
    export_log,
    read_entries,
    read_export,
    record_event,
    verify_export,
    verify_store,
)
from lexhub.audit.checkpoint import checkpoint_text, sign_checkpoint, signature_valid
from lexhub.audit.keys import key_id_of, public_key_of
from lexhub.errors import AuditWriteFailed, InputError
from lexhub.model import Agency, AgencyKind, Contact
from lexhub.model.audit import GENESIS_HASH, AuditEntry, AuditFilter, AuditKind
from lexhub.store import Store
from tests.audit.conftest import OWNER, REQUESTER, T0, Clock, search_event

GOLDEN_BODY = (
    '{"at":"2026-03-01T12:00:00.000000Z","context":{"agency":"WA0170000",'
    '"case_number":"24-0017","iii":"C","purpose":"criminal-investigation",'
    '"role":"investigator","user":"jdoe"},"counts":{"disclosed":1,"hits":2,"pointers":1},'
    '"disclosed":[{"id":"INC-7","owner":"WA0171500","type":"incident"}],"kind":"search",'
    '"owners_searched":["WA0170000","WA0171500"],"page":1,'
    '"pointers":[{"id":"FI-7","owner":"WA0170000","type":"field-interview"}],'
    '"query":{"digest":"' + "ab" * 32 + '","fields":["dob","last"]},"seq":1,"v":1}'
)
GOLDEN_HASH = "cdf4bf39966c86db3cb78a8fe35091c43734faf81987523a7dc6756ba09d1b87"


def test_canonical_json_follows_rfc_8785() -> None:
    value = {"b": 1, "a": [1.0, "é", "x\u2028"], "c": 1e21, "d": 0.1}
    assert canonical(value) == '{"a":[1,"é","x\u2028"],"b":1,"c":1e+21,"d":0.1}'


def test_entry_body_and_hash_golden_vector() -> None:
    body = canonical(entry_body(1, T0, search_event(7), "ab" * 32))
    assert body == GOLDEN_BODY
    assert entry_hash(GENESIS_HASH, body) == GOLDEN_HASH
    assert GOLDEN_HASH == hashlib.sha256(bytes(32) + body.encode()).hexdigest()


def test_checkpoint_text_and_signature_golden_vector() -> None:
    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = public_key_of(private)
    key_id = key_id_of(public)
    assert key_id == "56475aa75463474c"
    assert checkpoint_text(7, "cd" * 32, T0, key_id) == (
        "lexhub-audit-checkpoint/1\nsize 7\nhead " + "cd" * 32
        + "\ntime 2026-03-01T12:00:00.000000Z\nkey 56475aa75463474c\n"
    )  # fmt: skip
    c = sign_checkpoint(private, key_id, 7, "cd" * 32, T0)
    assert c.signature == (
        "0oerQ4gldBSpr2Cm0OoBqRqtFxew/b13AoG6dZjqedfumccSWBOZxTbFtV07MRtNombnFYDnve/OdhqXv47fAg=="
    )
    assert signature_valid(c, public)
    assert not signature_valid(c.__class__(8, c.head, c.at, c.key_id, c.signature), public)


def test_entries_form_one_linear_chain(store: Store, log: list[AuditEntry]) -> None:
    stored = store.audit_entries(AuditFilter(), 100)
    assert [e.seq for e in stored] == list(range(1, 8))
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.hash == entry_hash(before.hash, after.body)
    assert stored[1:] == log
    assert store.audit_head() == (7, log[-1].hash)
    report = verify_store(store)
    assert report.ok, report.problems
    assert report.entries == 7 and report.head == log[-1].hash


def _agency(ori: str) -> Agency:
    return Agency(ori, "Test Agency", ori[:2], AgencyKind.POLICE, "America/Los_Angeles",
                  Contact("Records", None, None))  # fmt: skip


def test_entry_and_callers_writes_commit_together(store: Store, clock: Clock) -> None:
    with pytest.raises(AuditWriteFailed, match="needs an open transaction"):
        append_entry(store, search_event())  # outside a transaction: refused
    with store.transaction() as tx:
        tx.put_agency(_agency(OWNER))
        append_entry(store, search_event(1), now=clock)
        # not committed: leaving the block rolls back both
    assert store.get_agency(OWNER) is None
    assert store.audit_head()[0] == 0 and store.audit_entries(AuditFilter(), 10) == []
    assert store.audit_terms() == []

    with store.transaction() as tx:
        tx.put_agency(_agency(OWNER))
        entry = append_entry(store, search_event(1), now=clock)
        commit_audited(tx)
    assert store.get_agency(OWNER) is not None
    assert store.audit_entries(AuditFilter(), 10) == [entry] and entry.seq == 1


def test_query_terms_stay_off_the_chain(store: Store, clock: Clock) -> None:
    entry = record_event(store, search_event(1, last="ZAMBRANO"), now=clock)
    assert "ZAMBRANO" not in entry.body and "1981" not in entry.body
    [terms] = store.audit_terms()
    assert entry.data["query"] == {"digest": terms.digest, "fields": ["dob", "last"]}
    assert terms.terms == '{"dob":"1981-05-29","last":"ZAMBRANO"}'
    assert (
        terms.digest
        == hashlib.sha256(bytes.fromhex(terms.nonce) + terms.terms.encode()).hexdigest()
    )
    # the same query twice gets two digests: a digest cannot be matched to a guess
    again = record_event(store, search_event(1, last="ZAMBRANO"), now=clock)
    assert again.data["query"]["digest"] != terms.digest


def test_erasure_forgets_terms_and_keeps_every_entry(store: Store, clock: Clock) -> None:
    old = record_event(store, search_event(1, last="OLDNAME"), now=clock)
    clock.now += timedelta(days=200)
    recent = record_event(store, search_event(2, last="NEWNAME"), now=clock)
    with pytest.raises(InputError, match="below the minimum of 365 days"):
        erase_expired_terms(store, 364, actor="ops", now=clock)
    clock.now = T0 + timedelta(days=366)
    erased = erase_expired_terms(store, actor="ops", now=clock)
    assert erased == [old.data["query"]["digest"]]
    assert [t.digest for t in store.audit_terms()] == [recent.data["query"]["digest"]]
    entries = store.audit_entries(AuditFilter(), 10)
    assert [e.kind for e in entries] == ["search", "search", "audit-erasure"]
    assert entries[2].data["counts"] == {"erased": 1}
    assert verify_store(store).ok

    # an expungement order erases at any age, by digest
    digest = recent.data["query"]["digest"]
    assert erase_terms(store, [digest, "f" * 64], reason="order 26-113", actor="ops") == [digest]
    assert store.audit_terms() == []
    last = store.audit_entries(AuditFilter(kind="audit-erasure"), 10)[-1]
    assert last.data["details"] == {"reason": "order 26-113", "digests": [digest]}
    assert verify_store(store).ok


def test_listing_filters_and_is_itself_recorded(store: Store, log: list[AuditEntry]) -> None:
    clock = Clock(T0 + timedelta(days=1))
    found = read_entries(store, AuditFilter(kind="search", agency=REQUESTER), 3, actor="aud",
                         now=clock)  # fmt: skip
    assert found == log[:3]
    assert read_entries(store, AuditFilter(user="nobody"), 10, actor="aud", now=clock) == []
    since = read_entries(store, AuditFilter(since=T0 + timedelta(seconds=6)), 100, actor="aud",
                         now=clock)  # fmt: skip
    assert [e.seq for e in since][:3] == [6, 7, 8]
    reads = store.audit_entries(AuditFilter(kind=AuditKind.AUDIT_READ.value), 10)
    assert [r.data["actor"] for r in reads] == ["aud", "aud", "aud"]
    assert reads[0].data["details"] == {
        "action": "list", "filter": {"kind": "search", "agency": REQUESTER}, "limit": 3,
    }  # fmt: skip


def test_export_verifies_with_only_the_public_keys(
    store: Store, log: list[AuditEntry], key_dir: Path, tmp_path: Path
) -> None:
    from lexhub.audit import create_checkpoint

    create_checkpoint(store, key_dir)
    n = export_log(store, tmp_path / "log.jsonl", actor="aud")
    exported = read_export(tmp_path / "log.jsonl")
    assert n == len(exported.entries) == 8  # the export's own read is in it
    assert exported.entries[:7] == store.audit_entries(AuditFilter(), 7)
    report = verify_export(exported, store.audit_keys())
    assert report.ok and report.latest_checkpoint == 7, report.problems
    assert "SMITH" not in (tmp_path / "log.jsonl").read_text()
