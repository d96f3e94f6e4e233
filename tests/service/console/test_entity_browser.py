"""The entity screens in a real browser (as test_browser.py: the distribution's Chromium,
headless, a real uvicorn server on loopback, axe-core on every screen, no serious or
critical violation): sign in, search, group the hits by person, open the entity from a
hit, read its records and associates, follow a pair to its waterfall. Screenshots go to
LEXHUB_SCREENSHOTS when set (`entity.png`, `entity-evidence.png`, `search-grouped.png`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from lexhub.store import open_store
from tests.federation.test_three_nodes import Served
from tests.service.console.conftest import ConsoleNode
from tests.service.console.test_browser import DESKTOP, checked, chromium, lands, shots
from tests.service.console.test_entity_pages import make_entity_node

__all__ = ["chromium", "shots"]


@pytest.fixture(scope="module")
def entity_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConsoleNode, str]]:
    path = tmp_path_factory.mktemp("entity-console")
    with open_store(f"sqlite:///{path}/console.db") as store:
        store.migrate()
        node, _ = make_entity_node(store, path)
        server = Served(node.app)
        try:
            yield node, server.url
        finally:
            server.stop()


@pytest.fixture
def entity_page(chromium: Browser, entity_served: tuple[ConsoleNode, str]) -> Iterator[Page]:
    context = chromium.new_context(base_url=entity_served[1], viewport=DESKTOP)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def test_search_then_entity_then_associates_then_waterfall(
    entity_page: Page, entity_served: tuple[ConsoleNode, str], shots: Path
) -> None:
    page, (node, _) = entity_page, entity_served
    lands(page, node, "det.c", "/search")
    page.get_by_label("Purpose").select_option("criminal-investigation")
    page.get_by_label("Case number").fill("26-0042")
    page.get_by_label("Last name").fill("able")
    page.get_by_label("First name").fill("ann")
    page.get_by_label("Group hits by person (entity)").check()
    page.get_by_role("button", name="Search").click()
    first = page.locator("section.group").first
    expect(first.get_by_role("heading", level=3)).to_have_text(re.compile(r"^Person 1: \d+ hit"))
    checked(page, shots, "search-grouped")
    first.locator("li.hit").first.get_by_role("link", name=re.compile("^Entity")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "ABLE, ANN: one person across agencies"
    )
    expect(page.locator("table.members tbody tr")).to_have_count(3)
    associates = page.locator("table.associates")
    expect(associates).to_contain_text("BAKER, BOB")
    expect(associates).to_contain_text("same phone +12065550142")
    expect(page.get_by_role("img", name=re.compile("^Network of ABLE, ANN"))).to_be_visible()
    checked(page, shots, "entity")
    page.locator("ul.pairs a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Why these two records name one person"
    )
    expect(page.get_by_role("img", name=re.compile("^Match weight of mentions"))).to_be_visible()
    expect(page.locator("table.waterfall")).to_contain_text("surname: exact")
    checked(page, shots, "entity-evidence")
