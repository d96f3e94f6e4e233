"""The record screen links each person shown to the entity screen of that mention, with the
search's purpose and case, on both engines; a person the grant withholds as a whole gets
no link (and no trace), and the link leads to that person's entity screen."""

from __future__ import annotations

import html
import re
from pathlib import Path

from lexhub import identity
from lexhub.identity import Argon2Params, IdentitySettings
from lexhub.model import UserRole
from lexhub.model.audit import AuditFilter
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.access.test_record_mentions import WITNESSES_WITHHELD, region_under
from tests.linkage.test_entity_access import POLICIES
from tests.search.conftest import A, C
from tests.service.console.conftest import PASSWORD, Browser, Clock, ConsoleNode

CONTEXT = "purpose=criminal-investigation&case_number=26-0042"


def make_node(
    store: Store, tmp_path: Path, policies: str
) -> tuple[ConsoleNode, Browser, dict[tuple[str, str], int]]:
    """The link-analysis region under `policies`, C's investigator signed in, and the
    mention ids by (source id, person ref)."""
    ids = region_under(store, tmp_path, policies)
    clock = Clock()
    settings = IdentitySettings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1))
    identity.add_user(store, settings, "det.c", C, [UserRole.INVESTIGATOR], now=clock(),
                      password=PASSWORD, actor="t")  # fmt: skip
    seeds = {"det.c": identity.enrol_totp(store, settings, "det.c", now=clock()).seed}
    node = ConsoleNode(store, clock, seeds, create_app(store.url, now=clock))
    browser = Browser(node.app)
    browser.login(node, "det.c")
    return node, browser, ids


def _entity_links(text: str) -> list[str]:
    return [html.unescape(x) for x in re.findall(r'href="(/entity/[^"]+)"', text)]


def test_each_visible_person_links_to_its_entity_and_a_withheld_one_does_not(
    store: Store, tmp_path: Path
) -> None:
    node, browser, ids = make_node(store, tmp_path, WITNESSES_WITHHELD)
    page = browser.get(f"/record/{A}/r7?{CONTEXT}")
    assert page.status_code == 200
    assert "HILL" in page.text.upper() and "FOX" not in page.text.upper()
    hank, ann, fay = ids[("r7", "P1")], ids[("r7", "P2")], ids[("r7", "P3")]
    # One link per person shown, in the page's order, carrying the search's context.
    assert _entity_links(page.text) == [f"/entity/{hank}?{CONTEXT}", f"/entity/{ann}?{CONTEXT}"]
    assert f"/entity/{fay}" not in page.text and "Person 3" not in page.text
    # The link leads to that person's entity screen: Ann across agencies.
    entity = browser.get(f"/entity/{ann}?{CONTEXT}")
    assert entity.status_code == 200
    assert "ABLE, ANN: one person across agencies" in entity.text
    kinds = [e.data["kind"] for e in node.store.audit_entries(AuditFilter(), 1000)]
    assert kinds.count("retrieval") == 2  # the record, then the entity: each audited


def test_without_withholding_every_person_is_linked(store: Store, tmp_path: Path) -> None:
    _, browser, ids = make_node(store, tmp_path, POLICIES)
    page = browser.get(f"/record/{A}/r7?{CONTEXT}")
    assert page.status_code == 200
    expected = [f"/entity/{ids[('r7', ref)]}?{CONTEXT}" for ref in ("P1", "P2", "P3")]
    assert _entity_links(page.text) == expected
    fay = browser.get(expected[2])
    assert fay.status_code == 200 and "FOX, FAY" in fay.text
