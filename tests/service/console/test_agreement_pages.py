"""The agreements screens: list, view with history and diff, the YAML editor with errors
at their line, explain; only records administrators (their own agency) and node
administrators apply, and every change is in the audit log."""

from __future__ import annotations

import json

import pytest

from lexhub.model.audit import AuditFilter, AuditKind
from tests.search.conftest import A, B, C
from tests.service.console.conftest import POLICY, Browser, ConsoleNode

SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # no storage question
EDITED = POLICY.replace("purposes: [criminal-investigation]",
                        "purposes: [criminal-investigation, officer-safety]")  # fmt: skip


def agreement_changes(node: ConsoleNode) -> list[dict[str, object]]:
    where = AuditFilter(kind=AuditKind.AGREEMENT_CHANGE.value)
    return [json.loads(e.body) for e in node.store.audit_entries(where, 1000)]


def test_a_records_administrator_edits_an_agreement_and_the_log_holds_the_change(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "records.a")
    listing = browser.get("/agreements")
    assert listing.status_code == 200 and 'href="/agreements/a-to-c-2026"' in listing.text
    form = browser.get("/agreements/new?id=a-to-c-2026")
    assert "purposes: [criminal-investigation]" in form.text
    r = browser.post("/agreements/new", {"yaml": EDITED, "id": "a-to-c-2026"})
    assert (r.status_code, r.headers["location"]) == (303, "/agreements/a-to-c-2026?applied=2")
    page = browser.get(r.headers["location"]).text
    assert "Applied as version 2" in page
    assert "-purposes: [criminal-investigation]\n" in page
    assert "+purposes: [criminal-investigation, officer-safety]\n" in page
    assert [len(node.store.policy_history("a-to-c-2026"))] == [2]
    changes = agreement_changes(node)
    assert any(c["actor"] == "records.a" and c["details"] == {  # type: ignore[comparison-overlap]
        "id": "a-to-c-2026", "version": 2, "kind": "agreement", "owner": A, "action": "apply",
    } for c in changes)  # fmt: skip
    again = browser.post("/agreements/new", {"yaml": EDITED, "id": "a-to-c-2026"})
    assert again.headers["location"] == "/agreements/a-to-c-2026?unchanged=1"
    assert len(agreement_changes(node)) == len(changes)


@SQLITE_ONLY
def test_a_yaml_error_is_shown_at_its_line_and_nothing_is_applied(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "records.a")
    bad = POLICY.replace("[criminal-investigation]", "[fishing-trip]")
    line = bad.splitlines().index("purposes: [fishing-trip]") + 1
    r = browser.post("/agreements/new", {"yaml": bad})
    assert r.status_code == 422
    assert f'<a href="#line-{line}">line {line}</a>, field purposes' in r.text
    row = r.text.split(f'<tr id="line-{line}">', 1)[1].split("</tr>", 1)[0]
    assert "fishing-trip" in row and "<strong>Error:</strong>" in row
    assert "fishing-trip" in r.text.split('<textarea id="yaml"', 1)[1]  # the text is kept
    assert len(node.store.policy_history("a-to-c-2026")) == 1
    assert agreement_changes(node) == []


@SQLITE_ONLY
def test_a_records_administrator_may_not_apply_another_owners_agreement(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "records.a")
    theirs = POLICY.replace(f"owner: {A}", f"owner: {B}").replace("a-to-c-2026", "b-to-c")
    r = browser.post("/agreements/new", {"yaml": theirs})
    assert r.status_code == 403 and f"applies only {A}&#39;s documents, not {B}&#39;s" in r.text
    assert node.store.policy_history("b-to-c") == []


@SQLITE_ONLY
def test_an_auditor_reads_agreements_but_may_not_edit(node: ConsoleNode, browser: Browser) -> None:
    browser.login(node, "auditor.c")
    assert 'href="/agreements"' in browser.get("/agreements").text
    assert browser.get("/agreements/new").status_code == 403
    r = browser.post("/agreements/new", {"yaml": EDITED}, csrf_from="/agreements")
    assert r.status_code == 403 and len(node.store.policy_history("a-to-c-2026")) == 1


@SQLITE_ONLY
def test_explain_shows_each_decision_with_its_withheld_fields(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "records.a")
    r = browser.get(f"/agreements/explain?requester={C}&purpose=criminal-investigation"
                    "&role=investigator&record_type=incident")  # fmt: skip
    assert r.status_code == 200
    rows = r.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert f"<td>{A}</td><td>incident</td><td><strong>allowed</strong></td>" in rows
    assert "person.phones" in rows and "a-to-c-2026 v1" in rows
    assert f"<td>{B}</td>" not in rows  # a records administrator explains its own agency's
    wrong = browser.get("/agreements/explain?requester=XX9999999&purpose=criminal-investigation")
    assert wrong.status_code == 422 and "no agency XX9999999" in wrong.text


def test_a_records_administrator_revokes_its_agreement_and_the_log_holds_it(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "records.a")
    r = browser.post("/agreements/a-to-c-2026/revoke", {}, csrf_from="/agreements/a-to-c-2026")
    assert (r.status_code, r.headers["location"]) == (303, "/agreements/a-to-c-2026?applied=2")
    page = browser.get(r.headers["location"]).text
    assert "Revoked as version 2" in page and "Revoke a-to-c-2026" not in page
    assert 'href="/agreements/a-to-c-2026"' not in browser.get("/agreements").text  # out of force
    assert agreement_changes(node)[-1]["details"] == {  # type: ignore[comparison-overlap]
        "id": "a-to-c-2026", "version": 2, "kind": "agreement", "owner": A, "action": "revoke",
    }  # fmt: skip
