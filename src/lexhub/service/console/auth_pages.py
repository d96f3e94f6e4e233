"""Login (password and TOTP code), first-login enrolment of the second factor with a QR
code, logout, and the landing page.

Login events go to the audit log through `lexhub.identity` (login-ok, login-failed,
lockout), exactly as a token check does for the API. Every form, the login form included,
carries a CSRF token; before login it is bound to a pre-session cookie.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from lexhub.access import audit_sink
from lexhub.errors import LexhubError
from lexhub.identity import IdentitySettings, LoginFailed, enrol_totp, login
from lexhub.identity.enrolment import confirm_totp
from lexhub.service.console.csrf import FIELD, PRE_COOKIE, valid_csrf
from lexhub.service.console.pages import Console, ConsoleUser, PageResponse, set_cookie
from lexhub.service.console.screens import home
from lexhub.service.console.sessions import (
    COOKIE,
    Ended,
    Stage,
    end_session,
    resume_session,
    start_session,
)

__all__ = ["auth_router"]

ENDED = {
    "idle": "Your session locked after 30 minutes without activity. Sign in again.",
    "expired": "Your session reached its maximum length. Sign in again.",
    "logout": "You are signed out.",
}


def auth_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    signed_in = console.signed_in()

    def login_page(
        request: Request, *, error: str | None = None, status: int = 200,
        username: str = "", next_page: str | None = None, ended: str | None = None,
    ) -> Response:  # fmt: skip
        return console.render(
            request, "login.html", None, status=status, error=error, username=username,
            next_page=console.next_page(next_page, ""), notice=ENDED.get(ended or ""),
        )  # fmt: skip

    @router.get("/login")
    def login_form(request: Request, next: str | None = None, ended: str | None = None) -> Response:
        return login_page(request, next_page=next, ended=ended)

    @router.post("/login")
    def login_submit(
        request: Request, username: Annotated[str, Form(max_length=64)] = "",
        password: Annotated[str, Form(max_length=1024)] = "",
        code: Annotated[str, Form(max_length=16)] = "",
        csrf_token: Annotated[str, Form(alias=FIELD, max_length=128)] = "",
        next: Annotated[str, Form(max_length=2048)] = "",
    ) -> Response:  # fmt: skip
        if not valid_csrf(request.cookies.get(PRE_COOKIE), csrf_token):
            return login_page(request, error="The form had expired: please sign in again.",
                              status=403, username=username, next_page=next)  # fmt: skip
        now = console.now()
        with console.opener() as store:
            settings = IdentitySettings(on_event=audit_sink(store))
            try:
                principal = login(store, settings, username.strip(), password, code, now)
                session = start_session(store, principal.username, Stage.FULL, now)
                target = console.next_page(next, home(principal.roles))
            except LoginFailed as e:
                if e.reason != "no-totp":
                    return login_page(request, error=str(e), status=401, username=username,
                                      next_page=next)  # fmt: skip
                session = start_session(store, username.strip(), Stage.ENROL, now)
                target = "/enrol"
            except LexhubError as e:
                return console.error_page(request, None, e)
        response = RedirectResponse(target, status_code=303)
        set_cookie(request, response, COOKIE, session.id)
        response.delete_cookie(PRE_COOKIE, path="/")
        return response

    def enrolling(request: Request) -> str:
        """The username of the enrolment session of this request (else the login page)."""
        with console.opener() as store:
            found = resume_session(store, request.cookies.get(COOKIE), console.now(), Stage.ENROL)
        if isinstance(found, Ended):
            raise PageResponse(console.login_redirect(request, found))
        return found.username

    @router.get("/enrol")
    def enrol_form(request: Request) -> Response:
        username = enrolling(request)
        with console.opener() as store:
            settings = IdentitySettings(on_event=audit_sink(store))
            enrolment = enrol_totp(store, settings, username, now=console.now(), actor=username)
        return _enrol_page(console, request, enrolment.svg, enrolment.seed, None)

    @router.post("/enrol")
    def enrol_submit(
        request: Request, code: Annotated[str, Form(max_length=16)] = "",
        csrf_token: Annotated[str, Form(alias=FIELD, max_length=128)] = "",
    ) -> Response:  # fmt: skip
        username = enrolling(request)
        old = request.cookies.get(COOKIE) or ""
        if not valid_csrf(old, csrf_token):
            return console.refusal(request, None, "the form has expired: sign in again")
        now = console.now()
        with console.opener() as store:
            settings = IdentitySettings(on_event=audit_sink(store))
            try:
                principal = confirm_totp(store, settings, username, code, now)
            except LoginFailed as e:
                return _enrol_page(console, request, None, None, str(e), status=401)
            end_session(store, old)  # a new id for the signed-in session
            session = start_session(store, username, Stage.FULL, now)
        response = RedirectResponse(home(principal.roles), status_code=303)
        set_cookie(request, response, COOKIE, session.id)
        return response

    @router.post("/logout")
    def logout(request: Request, user: Annotated[ConsoleUser, Depends(signed_in)]) -> Response:
        with console.opener() as store:
            end_session(store, user.session.id)
        response = RedirectResponse("/login?ended=logout", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/")
    async def landing(request: Request) -> Response:
        found = await run_in_threadpool(console.resume, request.cookies.get(COOKIE))
        if isinstance(found, Ended):
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse(home(found.principal.roles), status_code=303)

    @router.get("/account")
    def account(request: Request, user: Annotated[ConsoleUser, Depends(signed_in)]) -> Response:
        return console.render(request, "account.html", user)

    return router


def _enrol_page(
    console: Console, request: Request, svg: str | None, seed: str | None, error: str | None,
    status: int = 200,
) -> Response:  # fmt: skip
    return console.render(
        request, "enrol.html", None, status=status, secret=request.cookies.get(COOKIE) or "",
        svg=svg, seed=seed, error=error,
    )  # fmt: skip
