"""What every console screen is built from: the `Console` (clock, store opener, templates),
`signed_in(...)`, the dependency giving a page its user after checking the session, the
screen's roles and (on POST) the CSRF token, and `render(...)`.

A screen is a route like this (see docs/console.md):

    @router.get("/audit")
    def audit_page(request: Request, user: ConsoleUser = Depends(console.signed_in(AUDIT))):
        with console.opener() as store:
            ...  # through lexhub.access, like the API
        return console.render(request, "audit.html", user, entries=...)

Refusals do not return: they raise `PageResponse` carrying the page to send (the login
page for no session, a 403 page for a role the screen does not open), which the handler
`install_console` registers sends as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from lexhub.errors import LexhubError
from lexhub.federation import NodeIdentity
from lexhub.identity import AuthMethod, Principal
from lexhub.model import UserRole
from lexhub.service.console.csrf import FIELD, PRE_COOKIE, csrf_token, new_pre_session, valid_csrf
from lexhub.service.console.screens import SCREENS, Screen
from lexhub.service.console.sessions import COOKIE, Ended, Session, end_session, resume_session
from lexhub.store import Store

__all__ = ["STATIC", "Console", "ConsoleUser", "PageResponse"]

STATIC = Path(__file__).parent / "static"
STALE_FORM = "the form has expired or did not come from this console: reload it"
HTMX = STATIC / "vendor" / "htmx.min.js"  # installed by `make` from npm; optional


class PageResponse(Exception):  # noqa: N818 - not an error: a page sent instead of the route's
    """A page to send instead of the route's own (a redirect to login, a refusal)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in user of a request: `principal` re-read from the store on every
    request, so a disabled account or changed roles take effect at once."""

    principal: Principal
    session: Session

    @property
    def csrf(self) -> str:
        return csrf_token(self.session.id)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """HttpOnly, SameSite=Strict, and Secure when the node serves TLS."""
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )


def _local(target: str | None, fallback: str) -> str:
    """A redirect target on this node only (no `//host`, no scheme)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


class Console:
    def __init__(
        self, opener: Callable[[], Store], now: Callable[[], datetime],
        node: NodeIdentity | None = None,
    ) -> None:  # fmt: skip
        self.opener, self.now, self.node = opener, now, node
        self.env = Environment(
            loader=PackageLoader("lexhub.service.console", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.htmx = HTMX.exists()

    # -- pages ------------------------------------------------------------------------

    def render(
        self, request: Request, template: str, user: ConsoleUser | None, *,
        status: int = 200, secret: str | None = None, **context: Any,
    ) -> HTMLResponse:  # fmt: skip
        """The page `template` for `user` (None before login), with the navigation of the
        screens its roles open and the CSRF token its forms carry: the session's, or
        `secret`'s (an enrolment), or before login a pre-session cookie's."""
        pre = None
        if user is not None:
            token = user.csrf
        elif secret is not None:
            token = csrf_token(secret)
        else:
            pre = request.cookies.get(PRE_COOKIE) or new_pre_session()
            token = csrf_token(pre)
        roles = user.principal.roles if user else frozenset()
        html = self.env.get_template(template).render(
            request=request, user=user, csrf_field=FIELD, csrf=token, htmx=self.htmx,
            screens=[s for s in SCREENS if s.opens_for(roles)], path=request.url.path,
            **context,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status)
        if pre is not None and request.cookies.get(PRE_COOKIE) != pre:
            set_cookie(request, response, PRE_COOKIE, pre)
        return response

    def error_page(self, request: Request, user: ConsoleUser | None, e: LexhubError) -> Response:
        """A LexhubError as a page with its status: the same words the API would say."""
        return self.render(request, "error.html", user, status=e.http_status, message=str(e))

    def login_redirect(self, request: Request, ended: Ended) -> Response:
        """To the login page, and back here after it. An htmx request would follow a 303
        inside the page it updates: it gets HX-Redirect, so the whole page goes."""
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = f"next={quote(target, safe='')}"
        if ended is not Ended.NONE:
            query += f"&ended={ended.value}"
        response: Response = RedirectResponse(f"/login?{query}", status_code=303)
        if request.headers.get("hx-request") == "true":
            response = Response(status_code=200, headers={"HX-Redirect": f"/login?{query}"})
        if ended is not Ended.NONE:  # NONE may be an enrolment in progress: keep it
            response.delete_cookie(COOKIE, path="/")
        return response

    # -- the page dependency ----------------------------------------------------------

    def signed_in(
        self, screen: Screen | None = None
    ) -> Callable[[Request], Awaitable[ConsoleUser]]:
        """A dependency: the request's user, once its session is good (else the login
        page), its roles open `screen` (else a 403 page) and, for a POST, its form carries
        the session's CSRF token (else a 403 page)."""

        async def dependency(request: Request) -> ConsoleUser:
            found = await run_in_threadpool(self.resume, request.cookies.get(COOKIE))
            if isinstance(found, Ended):
                raise PageResponse(self.login_redirect(request, found))
            user = found
            if request.method == "POST":
                form = await request.form()
                given = form.get(FIELD)
                if not valid_csrf(user.session.id, given if isinstance(given, str) else None):
                    raise PageResponse(self.refusal(request, user, STALE_FORM))
            if screen is not None and not screen.opens_for(user.principal.roles):
                raise PageResponse(self.refusal(
                    request, user, f"{user.principal.username} may not open {screen.title}",
                ))  # fmt: skip
            return user

        return dependency

    def refusal(self, request: Request, user: ConsoleUser | None, message: str) -> HTMLResponse:
        return self.render(request, "error.html", user, status=403, message=message)

    def resume(self, session_id: str | None) -> ConsoleUser | Ended:
        """The user of this session cookie, or why there is none (a disabled account's
        session ends here)."""
        with self.opener() as store:
            found = resume_session(store, session_id, self.now())
            if isinstance(found, Ended):
                return found
            stored = store.get_user(found.username)
            if stored is None or stored.disabled_at is not None:
                end_session(store, session_id)
                return Ended.NONE
        principal = Principal(
            stored.username, stored.agency, stored.roles, stored.oversight,
            AuthMethod.PASSWORD_TOTP,
        )  # fmt: skip
        return ConsoleUser(principal, found)

    def acting_role(self, user: ConsoleUser, screen: Screen) -> UserRole:
        """The role a user acts in on `screen`: the first of its roles the screen opens
        (the audit entry names it)."""
        return sorted(screen.roles & user.principal.roles)[0]

    @staticmethod
    def next_page(target: str | None, fallback: str) -> str:
        return _local(target, fallback)
