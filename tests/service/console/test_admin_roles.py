"""Who opens the second part's screens: the navigation shows each role what it may open,
and every other page of those screens answers 403, from the one table in screens.py."""

from __future__ import annotations

import re

import pytest

from tests.service.console.conftest import Browser, ConsoleNode

pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # no storage question
PAGES = {  # a page of each screen, by the screen's title
    "Agreements": ["/agreements", "/agreements/a-to-c-2026", "/agreements/new",
                   "/agreements/explain"],
    "Audit log": ["/audit", "/audit/verify", "/audit/entry/1"],
    "Oversight": ["/oversight"],
    "Ingest": ["/ingest", "/ingest/jobs/x"],
}  # fmt: skip
OPENS = {
    "det.c": ["Search"],
    "records.a": ["Agreements", "Oversight", "Ingest"],
    "auditor.c": ["Agreements", "Audit log", "Oversight"],
}


@pytest.mark.parametrize("username", sorted(OPENS))
def test_each_role_sees_the_screens_it_opens_and_is_refused_the_others(
    node: ConsoleNode, browser: Browser, username: str
) -> None:
    landing = browser.login(node, username).headers["location"]
    nav = browser.get(landing).text.split('aria-label="Screens"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav) == OPENS[username]
    for title, pages in PAGES.items():
        if title in OPENS[username]:
            continue
        for page in pages:
            r = browser.get(page)
            assert r.status_code == 403 and f"{username} may not open" in r.text, page
