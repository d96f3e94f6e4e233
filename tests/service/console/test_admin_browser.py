"""The second part's screens in a real browser (the base's harness in test_browser.py:
Debian's Chromium under Playwright, a real server on loopback): each opened by a role
that may, used from its labelled fields, checked by axe (no serious or critical
violation) and photographed like the base's screens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.search.conftest import C
from tests.service.console import test_browser as harness
from tests.service.console.conftest import POLICY, ConsoleNode

served, chromium, shots, page = harness.served, harness.chromium, harness.shots, harness.page
checked, lands = harness.checked, harness.lands


def test_a_records_administrator_edits_explains_reads_its_report_and_ingests(
    page: Page, served: tuple[ConsoleNode, str], shots: Path, tmp_path: Path
) -> None:
    node, _ = served
    lands(page, node, "records.a", "/agreements")
    checked(page, shots, "agreements")
    page.get_by_role("link", name="a-to-c-2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreement a-to-c-2026")
    page.get_by_role("link", name="Edit this document").click()
    page.get_by_label(re.compile("^YAML")).fill(POLICY.replace("[criminal-investigation]",
                                                               "[fishing-trip]"))  # fmt: skip
    page.get_by_role("button", name="Validate and apply").click()
    expect(page.get_by_role("alert")).to_contain_text("field purposes[0]")
    checked(page, shots, "agreement-line-error")
    page.goto("/agreements/explain")
    page.get_by_label("Requesting agency (ORI)").fill(C)
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_role("table")).to_contain_text("allowed")
    checked(page, shots, "agreement-explain")
    page.get_by_role("link", name="Ingest").click()
    checked(page, shots, "ingest")
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"owner": "nobody"}\n', encoding="utf-8")
    page.get_by_label("Batch file").set_input_files(str(batch))
    page.get_by_role("button", name="Upload and load").click()
    expect(page.get_by_role("alert")).to_contain_text("bad.jsonl:1:")
    checked(page, shots, "ingest-rejected")


def test_an_auditor_explores_the_log_and_verifies_the_chain(
    page: Page, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, _ = served
    lands(page, node, "det.c", "/search")  # a search by one of the auditor's agency's users
    page.get_by_label("Case number").fill("26-0077")
    page.get_by_label("Last name").fill("okafor")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("p.summary")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    lands(page, node, "auditor.c", "/agreements")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Kind").select_option("search")
    page.get_by_label("User").fill("det.c")
    page.get_by_role("button", name="Show entries").click()
    entries = page.get_by_role("table")
    expect(entries).to_contain_text("case 26-0077")
    checked(page, shots, "audit")
    entries.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Audit entry #\d+"))
    checked(page, shots, "audit-entry")
    page.goto("/audit/verify")
    expect(page.get_by_role("status")).to_contain_text("Verified")
    checked(page, shots, "audit-verify")
    today = datetime.now(UTC).date()  # the audit log's clock, not the sessions'
    page.get_by_role("link", name="Oversight").click()
    page.get_by_label("From (YYYY-MM-DD)").fill(str(today - timedelta(days=6)))
    page.get_by_label("To, inclusive (YYYY-MM-DD)").fill(str(today))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status")).to_contain_text("1 search")
    expect(page.get_by_role("img", name="Searches a day by purpose")).to_be_visible()
    checked(page, shots, "oversight")
