"""The console in a real browser: the distribution's Chromium driven by Playwright (never
Playwright's own download), headless, background networking off, against a real uvicorn
server on a loopback port whose clock the tests move. axe-core checks every screen: no
serious or critical violation. Each screen's screenshot goes to a temporary folder, or to
LEXHUB_SCREENSHOTS (docs/screenshots: `LEXHUB_SCREENSHOTS=docs/screenshots make test`).

Chromium is installed by `make test` (scripts/ensure-console-assets.sh --browser); without
it these tests fail when CI is set and skip elsewhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from lexhub.identity.totp import code_at
from lexhub.store import open_store
from tests.federation.test_three_nodes import Served
from tests.search.conftest import A
from tests.service.console.conftest import PASSWORD, ConsoleNode, make_node

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConsoleNode, str]]:
    path = tmp_path_factory.mktemp("console")
    with open_store(f"sqlite:///{path}/console.db") as store:
        store.migrate()
        node = make_node(store, path)
        server = Served(node.app)
        try:
            yield node, server.url
        finally:
            server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: make test installs it"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: browser tests must not be skipped)")
        pytest.skip(message)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("LEXHUB_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(chromium: Browser, served: tuple[ConsoleNode, str]) -> Iterator[Page]:
    context = chromium.new_context(base_url=served[1], viewport=DESKTOP)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def checked(page: Page, shots: Path, name: str) -> None:
    """axe on the page as it is (no serious or critical violation), then its screenshot."""
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
                              for v in bad)  # fmt: skip
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def sign_in(page: Page, node: ConsoleNode, username: str, code: str | None = None) -> None:
    node.clock.advance(seconds=31)  # a fresh TOTP step: a code is never accepted twice
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(node.code(username) if code is None else code)
    page.get_by_role("button", name="Sign in").click()


def lands(page: Page, node: ConsoleNode, username: str, path: str) -> None:
    """Sign in, and land on `path` (the first screen the user's roles open)."""
    sign_in(page, node, username)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def test_login_with_totp_search_why_and_record_with_a_withheld_field(
    page: Page, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, _ = served
    page.goto("/login")
    page.keyboard.press("Tab")  # keyboard users land on the skip link first
    expect(page.locator(":focus")).to_have_text("Skip to content")
    checked(page, shots, "login")
    lands(page, node, "det.c", "/search")
    expect(page.get_by_role("navigation", name="Screens")).to_have_text(re.compile("Search"))
    checked(page, shots, "search")
    page.get_by_label("Purpose").select_option("criminal-investigation")
    page.get_by_label("Case number").fill("26-0001")
    page.get_by_label("Last name").fill("okafor")
    page.get_by_label("First name").fill("chidi")
    page.get_by_label("Date of birth").fill("1985-04-02")
    page.get_by_role("button", name="Search").click()
    hit = page.locator("li.hit").first
    expect(hit).to_contain_text(A)
    expect(hit.locator(".band")).to_have_text("likely")
    why = hit.get_by_text("Why this hit")
    why.focus()
    page.keyboard.press("Enter")  # the why panel opens from the keyboard
    expect(hit.get_by_role("table")).to_contain_text("last name")
    checked(page, shots, "search-results")
    hit.get_by_role("link", name=re.compile("Open record")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Record {A}/A-1")
    withheld = page.locator("dd.withheld")
    expect(withheld).to_contain_text("Withheld")
    expect(withheld).to_contain_text("a-to-c-2026")
    expect(page.locator("main")).not_to_contain_text("206-555-0143")
    checked(page, shots, "record")


def test_an_investigator_cannot_open_the_agreements_or_audit_screens(
    page: Page, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, _ = served
    lands(page, node, "det.c", "/search")
    nav = page.get_by_role("navigation", name="Screens")
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    for path in ("/agreements", "/audit"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_contain_text("det.c may not open")
    checked(page, shots, "refused")


def test_an_auditor_sees_the_screens_it_may_open(
    page: Page, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, _ = served
    lands(page, node, "auditor.c", "/agreements")
    nav = page.get_by_role("navigation", name="Screens")
    expect(nav.get_by_role("link")).to_have_text(["Agreements", "Audit log", "Oversight"])
    page.goto("/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    checked(page, shots, "auditor-audit")


def test_first_login_enrols_totp_from_a_qr_code(
    page: Page, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, _ = served
    sign_in(page, node, "new.c", code="")
    expect(page).to_have_url(re.compile(r"/enrol$"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    checked(page, shots, "enrol")
    seed = page.locator("code.seed").inner_text()
    page.get_by_label("Authenticator code").fill(code_at(seed, node.clock()))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/search$"))


def test_the_session_locks_after_30_minutes_idle_and_logout_ends_it(
    page: Page, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, _ = served
    lands(page, node, "records.a", "/agreements")
    node.clock.advance(minutes=31)
    page.reload()
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fagreements&ended=idle$"))
    expect(page.get_by_role("status")).to_contain_text("locked after 30 minutes")
    checked(page, shots, "session-locked")
    lands(page, node, "records.a", "/agreements")  # back where the lock struck
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto("/agreements")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_the_search_screen_fits_a_tablet(
    chromium: Browser, served: tuple[ConsoleNode, str], shots: Path
) -> None:
    node, url = served
    context = chromium.new_context(base_url=url, viewport=TABLET)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        lands(page, node, "det.c", "/search")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        checked(page, shots, "search-tablet")
    finally:
        context.close()
