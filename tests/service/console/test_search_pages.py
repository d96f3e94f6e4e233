"""Search and record screens: purpose and case required, hits with band, owner, type, date
and the why panel, the record with its withheld fields named with their agreement, and
both audited like the API's requests."""

from __future__ import annotations

import html
import re

from lexhub.model.audit import AuditFilter
from tests.search.conftest import A
from tests.service.console.conftest import Browser, ConsoleNode

ASK = {"purpose": "criminal-investigation", "case_number": "26-0001", "kind": "person",
       "last": "okafor", "first": "chidi", "dob": "1985-04-02"}  # fmt: skip


def audit_bodies(node: ConsoleNode) -> list[str]:
    return [e.body for e in node.store.audit_entries(AuditFilter(), 1000)]


def test_a_search_without_a_case_number_is_refused_and_says_which_field(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    r = browser.post("/search", {**ASK, "case_number": ""})
    assert r.status_code == 422
    assert re.search(r'role="alert">Error: case_number: [^<]*required', r.text)
    assert 'id="case_number" name="case_number" value="" aria-describedby="case-hint"' \
        ' aria-invalid="true"' in r.text  # fmt: skip


def test_a_search_shows_the_hits_in_scope_with_their_evidence(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    r = browser.post("/search", ASK)
    assert r.status_code == 200
    hits = re.findall(r'<li class="hit">(.*?)</li>\s*(?=<li class="hit">|</ol>)', r.text, re.S)
    assert len(hits) == 1  # B's record: no agreement for C
    hit = hits[0]
    assert f'<span class="owner">{A}</span>' in hit and '<span class="type">incident</span>' in hit
    assert '<span class="date">2025-05-01</span>' in hit and "band-likely" in hit
    assert "<summary>Why this hit</summary>" in hit and "last name" in hit
    link = html.unescape(re.search(r'class="open" href="([^"]+)"', hit).group(1))  # type: ignore[union-attr]
    assert link == f"/record/{A}/A-1?purpose=criminal-investigation&case_number=26-0001"
    search = [b for b in audit_bodies(node) if '"kind":"search"' in b]
    assert len(search) == 1 and '"det.c"' in search[0] and '"26-0001"' in search[0]


def test_the_record_shows_a_withheld_field_as_withheld_with_its_agreement(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    r = browser.get(f"/record/{A}/A-1?purpose=criminal-investigation&case_number=26-0001")
    assert r.status_code == 200
    assert "Bicycle taken from the rack" in r.text and "OKAFOR" in r.text.upper()
    assert "206-555-0143" not in r.text and "555" not in r.text
    withheld = re.search(r"<dt>Phones</dt>\s*<dd class=\"withheld\">(.*?)</dd>", r.text, re.S)
    assert withheld is not None and "a-to-c-2026" in withheld.group(1)
    assert any('"kind":"retrieval"' in b and '"A-1"' in b for b in audit_bodies(node))


def test_a_record_outside_the_scope_answers_as_unknown_and_is_audited_as_denied(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    r = browser.get("/record/WA0171500/B-1?purpose=criminal-investigation&case_number=26-1")
    assert r.status_code == 404 and "no record WA0171500/B-1" in r.text
    assert any('"kind":"denied"' in b for b in audit_bodies(node))


def test_when_the_audit_write_fails_the_pages_disclose_nothing(
    node: ConsoleNode, browser: Browser
) -> None:
    from tests.access.refusal import refuse_audit

    browser.login(node, "det.c")
    refuse_audit(node.store)
    r = browser.post("/search", ASK)
    assert r.status_code == 503 and 'role="alert">Error:' in r.text
    assert '<li class="hit">' not in r.text and "WA0170000" not in r.text.split("Results")[-1]
    r = browser.get(f"/record/{A}/A-1?purpose=criminal-investigation&case_number=26-0001")
    assert r.status_code == 503 and "Bicycle" not in r.text and "Okafor" not in r.text
