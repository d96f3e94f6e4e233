"""The console's second part (agreements, audit explorer, oversight dashboard, ingest
upload), in the place first reserved for it: one router holding each screen's own, so
`install_console` mounts them as it mounted the placeholders."""

from fastapi import APIRouter

from lexhub.service.console.agreement_pages import agreement_router
from lexhub.service.console.audit_pages import audit_router
from lexhub.service.console.ingest_pages import ingest_router
from lexhub.service.console.oversight_pages import oversight_router
from lexhub.service.console.pages import Console

__all__ = ["reserved_router"]


def reserved_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for screens in (agreement_router, audit_router, oversight_router, ingest_router):
        router.include_router(screens(console))
    return router
