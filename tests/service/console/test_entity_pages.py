"""The entity screen on both engines: from a search hit to the person's linked records and
associates (with the network drawn as SVG and a table of the same numbers), the waterfall
of a pair; the search grouped by person; each page audited; a hidden mention answers as
an unknown one; only searchers may open it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from lexhub import identity
from lexhub.identity import Argon2Params, IdentitySettings
from lexhub.model import UserRole
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.linkage.region import load_region
from tests.linkage.test_entity_access import POLICIES
from tests.search.conftest import AGENCIES, C
from tests.service.console.conftest import PASSWORD, Browser, Clock, ConsoleNode

CONTEXT = "purpose=criminal-investigation&case_number=26-0042"
ASK = {"purpose": "criminal-investigation", "case_number": "26-0042", "kind": "person",
       "last": "able", "first": "ann"}  # fmt: skip


def make_entity_node(
    store: Store, tmp_path: Path
) -> tuple[ConsoleNode, dict[tuple[str, str], int]]:
    """The link-analysis region, C's view of it, an investigator and an auditor of C."""
    ids = load_region(store, tmp_path)
    docs = parse_policies(POLICIES, "a.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    store.apply_policies(docs, by="test")
    clock = Clock()
    settings = IdentitySettings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1))
    seeds = {}
    for name, role in (("det.c", UserRole.INVESTIGATOR), ("auditor.c", UserRole.AUDITOR)):
        identity.add_user(store, settings, name, C, [role], now=clock(), password=PASSWORD,
                          actor="t")  # fmt: skip
        seeds[name] = identity.enrol_totp(store, settings, name, now=clock()).seed
    return ConsoleNode(store, clock, seeds, create_app(store.url, now=clock)), ids


@pytest.fixture
def entity_node(store: Store, tmp_path: Path) -> tuple[ConsoleNode, dict[tuple[str, str], int]]:
    return make_entity_node(store, tmp_path)


def _kinds(node: ConsoleNode) -> list[str]:
    return [e.data["kind"] for e in node.store.audit_entries(AuditFilter(), 1000)]


def test_from_a_hit_to_the_entity_its_associates_and_a_waterfall(
    entity_node: tuple[ConsoleNode, dict[tuple[str, str], int]],
) -> None:
    node, ids = entity_node
    browser = Browser(node.app)
    browser.login(node, "det.c")
    r = browser.post("/search", ASK)
    assert r.status_code == 200
    links = [html.unescape(x) for x in re.findall(r'href="(/entity/[^"]+)"', r.text)]
    ann = ids[("r1", "P1")]
    assert f"/entity/{ann}?{CONTEXT}" in links
    page = browser.get(f"/entity/{ann}?{CONTEXT}")
    assert page.status_code == 200
    text = page.text
    assert "ABLE, ANN: one person across agencies" in text
    for source in ("r1", "r2", "r7"):
        assert f"/{source}?" in text  # each linked record, linked to its record page
    assert "<svg" in text and 'role="img"' in text and "BAKER, BOB (" in text  # the network
    associates = re.search(r'<table class="associates">(.*?)</table>', text, re.S)
    assert associates is not None
    assert "same phone +12065550142" in associates.group(1)
    assert "DUNN" not in text  # r5 is outside C's scope
    # A pair of members: the waterfall as SVG bars and as a table of the same numbers.
    pair = html.unescape(re.findall(r'href="(/entity/\d+/evidence\?[^"]+)"', text)[0])
    ev = browser.get(pair)
    assert ev.status_code == 200
    assert "Why these two records name one person" in ev.text
    assert ev.text.count("<svg") == 1 and "threshold +4.00" in ev.text
    table = re.search(r'<table class="waterfall">(.*?)</table>', ev.text, re.S)
    assert table is not None and "surname: exact" in table.group(1) and "+9.50" in table.group(1)
    assert _kinds(node).count("retrieval") == 2 and _kinds(node).count("search") == 1


def test_a_hidden_mention_answers_as_unknown_and_auditors_may_not_open_entities(
    entity_node: tuple[ConsoleNode, dict[tuple[str, str], int]],
) -> None:
    node, ids = entity_node
    browser = Browser(node.app)
    browser.login(node, "det.c")
    hidden = browser.get(f"/entity/{ids[('r5', 'P1')]}?{CONTEXT}")
    unknown = browser.get(f"/entity/999999?{CONTEXT}")
    assert hidden.status_code == unknown.status_code == 404

    def page(r: object, mention: int) -> str:  # the page without its session's CSRF token
        text = re.sub(r'value="[0-9a-f]{64}"', "", r.text)  # type: ignore[attr-defined]
        return text.replace(str(mention), "#")

    assert page(hidden, ids[("r5", "P1")]) == page(unknown, 999999)
    assert _kinds(node).count("denied") == 2
    auditor = Browser(node.app)
    auditor.login(node, "auditor.c")
    assert auditor.get(f"/entity/{ids[('r1', 'P1')]}?{CONTEXT}").status_code == 403


def test_the_search_groups_hits_by_person_on_request(
    entity_node: tuple[ConsoleNode, dict[tuple[str, str], int]],
) -> None:
    node, _ = entity_node
    browser = Browser(node.app)
    browser.login(node, "det.c")
    plain = browser.post("/search", ASK)
    assert '<section class="group"' not in plain.text
    grouped = browser.post("/search", {**ASK, "group_by_entity": "1"})
    assert grouped.status_code == 200
    heads = re.findall(r'<h3 id="group-\d+">(Person \d+: \d+ hits?)', grouped.text)
    assert heads and heads[0].startswith("Person 1: ")
    total = sum(int(re.search(r": (\d+) hit", h).group(1)) for h in heads)  # type: ignore[union-attr]
    assert total == plain.text.count('<li class="hit">')
    assert 'name="group_by_entity" value="1" checked' in grouped.text
