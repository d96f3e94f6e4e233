"""The oversight dashboard: the report's numbers as inline SVG charts beside tables; an
oversight auditor sees every agency, a records administrator its own agency's view with
the attempts its data were refused to."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lexhub import identity
from lexhub.identity import IdentitySettings
from lexhub.model import UserRole
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from tests.search.conftest import AGENCIES, A, B, C
from tests.service.console.conftest import PASSWORD, Browser, ConsoleNode

ASK = {"purpose": "criminal-investigation", "case_number": "26-0042", "kind": "person",
       "last": "Okafor", "first": "Chidi"}  # fmt: skip
SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # no storage question


def add_oversight_auditor(node: ConsoleNode) -> str:
    settings = IdentitySettings()
    identity.add_user(node.store, settings, "auditor.board", C, [UserRole.AUDITOR],
                      now=node.clock(), oversight=True, password=PASSWORD, actor="t")  # fmt: skip
    node.seeds["auditor.board"] = identity.enrol_totp(
        node.store, settings, "auditor.board", now=node.clock()
    ).seed
    return "auditor.board"


def search_with_b_blocking(node: ConsoleNode) -> str:
    """B's owner policy prohibits C; det.c (of C) searches, A's data in scope and B's
    blocked. Returns the query string of a period holding the search."""
    policy = f"owner_policy:\n  owner: {B}\n  prohibited_requesters: [{C}]\n"
    docs = parse_policies(policy, "b.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    node.store.apply_policies(docs, by="test")
    det = Browser(node.app)
    det.login(node, "det.c")
    assert det.post("/search", ASK).status_code == 200
    day = date.fromisoformat(node.store.audit_entries(AuditFilter(kind="search"), 1)[0].at[:10])
    return f"start={day - timedelta(days=2)}&end={day}"


def svg_texts(html: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", html)


def test_the_owners_view_counts_the_search_of_its_data_with_charts_and_tables(
    node: ConsoleNode, browser: Browser
) -> None:
    period = search_with_b_blocking(node)
    browser.login(node, "records.a")
    assert 'href="/oversight"' in browser.get("/agreements").text
    r = browser.get(f"/oversight?{period}")
    assert r.status_code == 200
    assert f"<strong>1</strong> search of {A}'s data" in r.text
    assert r.text.count('<svg class="chart" role="img"') >= 3
    texts = svg_texts(r.text)
    assert C in texts and "criminal-investigation" in texts and "100% (1)" in texts
    ours = r.text.split(f"Who searched {A}'s data", 1)[1].split("</section>", 1)[0]
    assert "<td>det.c</td>" in ours and "<td>(withheld)</td>" in ours  # C's case number
    assert "26-0042" not in r.text
    other = browser.get(f"/oversight?{period}&owner={B}")
    assert other.status_code == 403 and f"reads {A}&#39;s report" in other.text


def test_an_oversight_auditor_sees_every_agency_and_the_attempt_refused_by_an_owner(
    node: ConsoleNode, browser: Browser
) -> None:
    period = search_with_b_blocking(node)
    browser.login(node, add_oversight_auditor(node))
    everyone = browser.get(f"/oversight?{period}").text
    assert "<strong>1</strong> search from" in everyone  # every agency: no owner's view
    rows = everyone.split("<caption>By requesting agency</caption>", 1)[1].split("</table>")[0]
    assert f"<tr><td>{C}</td><td>1</td><td>100%</td>" in rows
    b_view = browser.get(f"/oversight?{period}&owner={B}").text
    blocked = b_view.split('id="h-blocked"', 1)[1].split("</section>", 1)[0]
    assert (
        "Blocked attempts (1)" in blocked and f"<td>{B}</td><td>{C}</td><td>det.c</td>" in blocked
    )
    assert "Blocked attempts by requesting agency" in blocked  # the chart beside the table


@SQLITE_ONLY
def test_a_bad_period_is_named(node: ConsoleNode, browser: Browser) -> None:
    browser.login(node, "records.a")
    r = browser.get("/oversight?start=2026-03-01&end=2026-01-01")
    assert r.status_code == 422 and "start: the period is empty" in r.text
    r = browser.get("/oversight?start=2025-01-01&end=2026-01-01")
    assert r.status_code == 422 and "choose at most 92 days" in r.text
