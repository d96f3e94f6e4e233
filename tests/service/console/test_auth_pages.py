"""Login with password and TOTP, first-login enrolment, CSRF, idle lock, logout, roles."""

from __future__ import annotations

import re

from lexhub.identity.totp import code_at
from lexhub.model.audit import AuditFilter
from lexhub.service.console import CONSOLE_CSP
from tests.service.console.conftest import PASSWORD, Browser, ConsoleNode


def test_login_with_password_and_code_lands_on_search_with_a_strict_cookie(
    node: ConsoleNode, browser: Browser
) -> None:
    r = browser.login(node, "det.c")
    assert (r.status_code, r.headers["location"]) == (303, "/search")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("lexhub_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    page = browser.get("/search")
    assert page.status_code == 200 and "<h1>Search</h1>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_console_pages_carry_their_own_csp_and_the_api_keeps_the_strict_one(
    node: ConsoleNode, browser: Browser
) -> None:
    # The node's outermost middleware adds security headers to every answer; it must not
    # replace the console's policy (which lets pages load their stylesheet) with the API's.
    page = browser.get("/login")
    assert page.headers.get_list("content-security-policy") == [CONSOLE_CSP]
    assert page.headers["x-content-type-options"] == "nosniff"
    api = browser.get("/healthz")
    assert api.headers.get_list("content-security-policy") == [
        "default-src 'none'; frame-ancestors 'none'"
    ]


def test_a_wrong_code_stays_on_the_login_page_and_is_audited(
    node: ConsoleNode, browser: Browser
) -> None:
    r = browser.post("/login", {"username": "det.c", "password": PASSWORD, "code": "000000"})
    assert r.status_code == 401
    assert "login failed: wrong username, password or code" in r.text
    assert browser.get("/search").status_code == 303
    bodies = [e.body for e in node.store.audit_entries(AuditFilter(), 1000)]
    assert any('"login-failed"' in b and '"bad-code"' in b for b in bodies)


def test_a_login_form_without_its_csrf_token_is_refused(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.get("/login")
    r = browser.request("POST", "/login", data={"username": "det.c", "password": PASSWORD,
                                                "code": node.code("det.c")})  # fmt: skip
    assert r.status_code == 403 and "The form had expired" in r.text
    assert "lexhub_session" not in browser.cookies


def test_first_login_enrols_a_second_factor_from_a_qr_code(
    node: ConsoleNode, browser: Browser
) -> None:
    r = browser.post("/login", {"username": "new.c", "password": PASSWORD, "code": ""})
    assert r.headers["location"] == "/enrol"
    assert browser.get("/search").status_code == 303  # enrolling is not signed in
    page = browser.get("/enrol")
    assert "<svg" in page.text and 'aria-label="QR code' in page.text
    seed = re.search(r'<code class="seed">([A-Z2-7]+)</code>', page.text)
    assert seed is not None
    wrong = browser.post("/enrol", {"code": "000000"}, csrf_from="/login")
    assert wrong.status_code == 403  # the login form's token is not the enrolment's
    html = browser.get("/enrol").text  # a new seed at each showing
    seed = re.search(r'<code class="seed">([A-Z2-7]+)</code>', html)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert seed and token
    r = browser.request("POST", "/enrol", data={
        "csrf_token": token.group(1), "code": code_at(seed.group(1), node.clock())})  # fmt: skip
    assert (r.status_code, r.headers["location"]) == (303, "/search")
    assert browser.get("/search").status_code == 200


def test_the_session_locks_after_30_minutes_idle(node: ConsoleNode, browser: Browser) -> None:
    browser.login(node, "det.c")
    node.clock.advance(minutes=29)
    assert browser.get("/search").status_code == 200  # activity restarts the count
    node.clock.advance(minutes=29)
    assert browser.get("/search").status_code == 200
    node.clock.advance(minutes=30)
    r = browser.get("/search")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=%2Fsearch&ended=idle")
    login = browser.get(r.headers["location"])
    assert "locked after 30 minutes without activity" in login.text
    node.clock.advance(minutes=1)  # the session is gone, not just refused
    assert browser.get("/search").status_code == 303


def test_logout_ends_the_session(node: ConsoleNode, browser: Browser) -> None:
    browser.login(node, "det.c")
    cookie = browser.cookies["lexhub_session"]
    r = browser.post("/logout", {}, csrf_from="/search")
    assert r.headers["location"] == "/login?ended=logout"
    browser.cookies.set("lexhub_session", cookie, domain="node.test")  # a copied cookie
    assert browser.get("/search").status_code == 303


def test_a_post_without_the_sessions_csrf_token_is_refused(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    r = browser.request("POST", "/logout", data={"csrf_token": "0" * 64})
    assert r.status_code == 403 and "did not come from this console" in r.text
    assert browser.get("/search").status_code == 200


def test_an_investigator_cannot_open_the_agreements_audit_or_oversight_screens(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    for path in ("/agreements", "/audit", "/oversight", "/ingest"):
        r = browser.get(path)
        assert r.status_code == 403 and "det.c may not open" in r.text, path
    nav = browser.get("/search").text
    assert 'href="/search"' in nav and 'href="/audit"' not in nav


def test_an_auditor_opens_the_audit_screen_and_not_search(
    node: ConsoleNode, browser: Browser
) -> None:
    r = browser.login(node, "auditor.c")
    assert r.headers["location"] == "/agreements"
    assert browser.get("/audit").status_code == 200
    assert browser.get("/search").status_code == 403
    assert browser.get("/ingest").status_code == 403


def test_a_disabled_account_loses_its_session(node: ConsoleNode, browser: Browser) -> None:
    from lexhub import identity
    from lexhub.identity import IdentitySettings

    browser.login(node, "det.c")
    identity.disable_user(node.store, IdentitySettings(), "det.c", now=node.clock())
    assert browser.get("/search").status_code == 303


def test_the_session_table_holds_only_a_hash_of_the_cookie(
    node: ConsoleNode, browser: Browser
) -> None:
    from lexhub.service.console.sessions import digest

    browser.login(node, "det.c")
    raw = browser.cookies["lexhub_session"]
    assert node.store.session_get(raw) is None
    found = node.store.session_get(digest(raw))
    assert found is not None and (found.username, found.stage) == ("det.c", "full")


def test_an_htmx_request_after_the_idle_lock_sends_the_whole_page_to_login(
    node: ConsoleNode, browser: Browser
) -> None:
    browser.login(node, "det.c")
    node.clock.advance(minutes=31)
    r = browser.get("/search", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text == ""
    assert r.headers["hx-redirect"] == "/login?next=%2Fsearch&ended=idle"
