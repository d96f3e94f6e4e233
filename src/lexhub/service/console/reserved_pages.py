"""Screens reserved for the console's second part (agreements, audit explorer, oversight
dashboard, ingest upload): their role checks hold now, and an allowed user sees a
placeholder, so navigation and refusals can be tested before the screens exist."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from lexhub.service.console.agreement_pages import agreement_router
from lexhub.service.console.audit_pages import audit_router
from lexhub.service.console.oversight_pages import oversight_router
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import INGEST, Screen

__all__ = ["reserved_router"]


def reserved_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def reserve(screen: Screen) -> None:
        @router.get(screen.path, name=screen.title)
        def placeholder(
            request: Request, user: Annotated[ConsoleUser, Depends(console.signed_in(screen))]
        ) -> Response:
            return console.render(request, "placeholder.html", user, screen=screen)

    for screen in (INGEST,):
        reserve(screen)
    # part 2's screens, in place of their placeholders
    for screens in (agreement_router, audit_router, oversight_router):
        router.include_router(screens(console))
    return router
