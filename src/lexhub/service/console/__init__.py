"""The web console: server-rendered pages (Jinja2) with htmx as an enhancement, served by
the node's own app beside the API. Every page works as plain forms and full page loads;
htmx, when `make` has installed it from npm, only swaps the changed part.

Screens are one module each (auth_pages, search_pages, record_pages, reserved_pages), built
from `pages.Console`: a session in the store (sessions.py, idle lock and absolute expiry on
the app's clock), a CSRF token on every form (csrf.py), role checks from one table of
screens (screens.py). Searches and retrievals go through `lexhub.access`, audited like the
API's. How to add a screen: docs/console.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from lexhub.federation import NodeIdentity
from lexhub.service.console.auth_pages import auth_router
from lexhub.service.console.entity_pages import entity_router
from lexhub.service.console.pages import STATIC, Console, ConsoleUser, PageResponse
from lexhub.service.console.record_pages import record_router
from lexhub.service.console.reserved_pages import reserved_router
from lexhub.service.console.search_pages import search_router
from lexhub.store import Store

__all__ = [
    "CONSOLE_CSP", "Console", "ConsoleUser", "PageResponse", "install_console", "is_console_path",
]  # fmt: skip

# Scripts and styles from this node only; no inline script, no inline style, no frames.
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_ROOTS = {"", "login", "logout", "enrol", "account", "search", "record", "static",
          "agreements", "audit", "oversight", "ingest", "entity"}  # fmt: skip


def is_console_path(path: str) -> bool:
    """Pages of the console: the node's Edge gives them CONSOLE_CSP instead of the API's."""
    return path.split("/", 2)[1] in _ROOTS if path.startswith("/") else False


def install_console(
    app: FastAPI, opener: Callable[[], Store], now: Callable[[], datetime],
    node: NodeIdentity | None = None,
) -> Console:  # fmt: skip
    """Mount the console at `/` of `app`. Its pages' CSP is set by the node's Edge
    middleware (`is_console_path`), not by a middleware of its own: an `@app.middleware`
    would wrap every API request in a task group too."""
    console = Console(opener, now, node)

    async def send_page(request: Request, e: Exception) -> Response:
        assert isinstance(e, PageResponse)
        return e.response

    app.add_exception_handler(PageResponse, send_page)
    for router in (auth_router, search_router, record_router, reserved_router, entity_router):
        app.include_router(router(console))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    return console
