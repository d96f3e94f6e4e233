"""The audit explorer: auditors filter the log and open entries (each read itself an entry),
an agency's auditor sees only its own users' requests, and the chain's verification and
latest signed checkpoint are shown."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from lexhub.audit import create_checkpoint, ensure_audit_key
from lexhub.model.audit import AuditFilter, AuditKind
from tests.search.conftest import A, B, C
from tests.service.console.conftest import Browser, ConsoleNode

ASK = {"purpose": "criminal-investigation", "case_number": "26-0042", "kind": "person",
       "last": "Okafor", "first": "Chidi"}  # fmt: skip
SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # no storage question


def audit_reads(node: ConsoleNode, actor: str) -> list[dict[str, object]]:
    where = AuditFilter(kind=AuditKind.AUDIT_READ.value)
    reads = [json.loads(e.body) for e in node.store.audit_entries(where, 1000)]
    return [r["details"] for r in reads if r.get("actor") == actor]


def entry_rows(html: str) -> list[str]:
    return re.findall(r'<a href="/audit/entry/(\d+)">', html)


def test_the_auditor_finds_a_search_by_user_purpose_owner_and_period(
    node: ConsoleNode, browser: Browser
) -> None:
    searcher = Browser(node.app)
    searcher.login(node, "det.c")
    assert searcher.post("/search", ASK).status_code == 200
    browser.login(node, "auditor.c")
    today = node.store.audit_entries(AuditFilter(kind="search"), 1)[0].at[:10]
    r = browser.get(f"/audit?kind=search&user_name=det.c&purpose=criminal-investigation"
                    f"&owner={A}&since={today}&until={today}")  # fmt: skip
    assert r.status_code == 200
    seqs = entry_rows(r.text)
    assert len(seqs) == 1 and "det.c (" + C + ")" in r.text and "case 26-0042" in r.text
    next_day = (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    assert audit_reads(node, "auditor.c")[-1] == {  # the read, with what it asked for
        "action": "list", "limit": 100,
        "filter": {"kind": "search", "agency": C, "user": "det.c",
                   "since": f"{today}T00:00:00+00:00", "until": f"{next_day}T00:00:00+00:00"},
    }  # fmt: skip
    for miss in ("purpose=officer-safety", "owner=XX9999999", "since=2001-01-01&until=2001-01-02"):
        assert entry_rows(browser.get(f"/audit?kind=search&{miss}").text) == [], miss
    detail = browser.get(f"/audit/entry/{seqs[0]}")
    assert detail.status_code == 200 and f"<h1>Audit entry #{seqs[0]}</h1>" in detail.text
    assert "26-0042" in detail.text and "Okafor" not in detail.text  # terms are not chained


@SQLITE_ONLY
def test_an_agencys_auditor_reads_only_its_own_agencys_entries(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "auditor.c")
    other = browser.get(f"/audit?agency={B}")
    assert other.status_code == 403 and f"acts only on {C}&#39;s data" in other.text
    operator_entry = node.store.audit_entries(AuditFilter(), 1)[0]  # the corpus load: no agency
    r = browser.get(f"/audit/entry/{operator_entry.seq}")
    assert r.status_code == 404 and f"no audit entry {operator_entry.seq}" in r.text


@SQLITE_ONLY
def test_verification_shows_the_chain_status_and_the_latest_checkpoint(
    node: ConsoleNode, browser: Browser, tmp_path: Path
) -> None:
    ensure_audit_key(node.store, tmp_path / "keys")
    checkpoint = create_checkpoint(node.store, tmp_path / "keys")
    browser.login(node, "auditor.c")
    r = browser.get("/audit/verify")
    assert r.status_code == 200 and "<strong>Verified:</strong>" in r.text
    assert f"entries 1 to {checkpoint.size}" in r.text and checkpoint.head in r.text
    assert {"action": "verify", "via": "console"} in audit_reads(node, "auditor.c")
    assert f"entries 1 to {checkpoint.size}" in browser.get("/audit").text
