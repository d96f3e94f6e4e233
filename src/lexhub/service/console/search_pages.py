"""The search screen: person or record fields, with the purpose and case number every
search must state; ranked hits with their band, owner, record type and date, a "why" panel
with the field-by-field evidence, pages; and, on a node with peers, every node's hits
labelled by node beside each node's status.

The search runs through `lexhub.access.audited_search` (or the federation broker, which
audits the fan-out), exactly as the API's: the audit entry is committed before the page is
sent. Searches are POSTed so that what was typed stays out of URLs and access logs.
"""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lexhub.access.grouping import grouped_for
from lexhub.access.search import audited_search
from lexhub.errors import LexhubError, QueryError
from lexhub.federation.broker import DEFAULT_DEADLINE, federated_search
from lexhub.model import Purpose, RecordType
from lexhub.search import Hit
from lexhub.service.auth import Gate
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import SEARCH
from lexhub.service.search_api import parse_query

__all__ = ["PAGE_SIZE", "search_router"]

PAGE_SIZE = 20
PERSON_FIELDS = (  # (form name, query field, label, hint)
    ("last", "last", "Last name", ""), ("first", "first", "First name", ""),
    ("middle", "middle", "Middle name", ""), ("alias", "alias", "Alias or moniker", ""),
    ("dob", "dob", "Date of birth", "YYYY-MM-DD, YYYY-MM or YYYY"),
    ("phone", "phone", "Phone", ""), ("address", "address", "Address", ""),
    ("mark", "mark", "Scar, mark or tattoo", "NCIC code (TAT L ARM) or words"),
    ("plate", "plate", "Plate", ""), ("state_id", "state_id", "State id", ""),
    ("driver_license", "driver_license", "Driver licence", ""),
)  # fmt: skip
RECORD_FIELDS = (
    ("r_offense", "offense", "Offense (NIBRS code)", "e.g. 13A"),
    ("r_owner", "owner", "Owner agency (ORI)", ""),
    ("r_date_from", "date_from", "From date", "YYYY-MM-DD"),
    ("r_date_to", "date_to", "To date", "YYYY-MM-DD"),
    ("r_location", "location", "Location (address)", ""),
    ("r_plate", "plate", "Plate", "* for unknown characters"),
    ("r_phone", "phone", "Phone", ""), ("r_text", "text", "Narrative words", ""),
)  # fmt: skip
_KEPT = ("purpose", "case_number", "justification", "kind", "federated", "r_record_type",
         "group_by_entity")  # fmt: skip


@dataclass(frozen=True)
class Shown:
    """One hit as the page shows it, with the node it came from (None: this node)."""

    hit: Hit
    node: str | None = None
    local: bool = True  # retrievable here (a peer's records are retrieved on the peer)


def _query(form: dict[str, str]) -> dict[str, Any]:
    """The wire form of the query (what the API takes), from the form's fields."""
    kind = "record" if form.get("kind") == "record" else "person"
    fields = RECORD_FIELDS if kind == "record" else PERSON_FIELDS
    out: dict[str, Any] = {"kind": kind}
    for name, key, _, _ in fields:
        if form.get(name, "").strip():
            out[key] = form[name].strip()
    if kind == "record" and form.get("r_record_type"):
        out["record_type"] = form["r_record_type"]
    return out


def search_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    user_dep = console.signed_in(SEARCH)

    def page(request: Request, user: ConsoleUser, form: dict[str, str], **ctx: Any) -> Response:
        return console.render(
            request, "search.html", user, form=form, purposes=list(Purpose),
            record_types=list(RecordType), person_fields=PERSON_FIELDS,
            record_fields=RECORD_FIELDS, federation=console.node is not None,
            status=ctx.pop("status", 200), **ctx,
        )  # fmt: skip

    @router.get(SEARCH.path)
    def search_form(request: Request, user: Annotated[ConsoleUser, Depends(user_dep)]) -> Response:
        return page(request, user, {"purpose": Purpose.CRIMINAL_INVESTIGATION.value})

    @router.post(SEARCH.path)
    async def search_submit(
        request: Request, user: Annotated[ConsoleUser, Depends(user_dep)]
    ) -> Response:
        raw = await request.form()
        form = {k: v.strip() for k, v in raw.items() if isinstance(v, str)}
        try:
            page_no = max(1, min(int(form.get("page") or 1), 100_000))
        except ValueError:
            page_no = 1
        return await asyncio.to_thread(run, request, user, form, page_no)

    def run(request: Request, user: ConsoleUser, form: dict[str, str], page_no: int) -> Response:
        try:
            query = parse_query(_query(form))
            ctx = Gate.context(
                user.principal, form.get("purpose", ""), console.acting_role(user, SEARCH),
                form.get("case_number") or None, form.get("justification") or None,
            )  # fmt: skip
            if query.is_empty:
                raise QueryError("query", "give at least one field to search on")
            with console.opener() as store:
                if form.get("federated") and console.node is not None:
                    result = asyncio.run(federated_search(
                        store, console.node, ctx, query, deadline=DEFAULT_DEADLINE,
                        page_size=PAGE_SIZE,
                    ))  # fmt: skip
                    here = {s.node for s in result.nodes if s.local}
                    hits = [Shown(h.hit, h.node, h.node in here) for h in result.hits]
                    return page(request, user, form, hits=hits, nodes=result.nodes,
                                total=len(hits), page_no=1, pages=1, kept=_kept(form))  # fmt: skip
                found = audited_search(store, ctx, query, page=page_no, page_size=PAGE_SIZE,
                                       today=console.now().date())  # fmt: skip
                groups = (
                    [[Shown(h) for h in g.hits] for g in grouped_for(store, ctx, found.hits,
                                                                    today=console.now().date())]
                    if form.get("group_by_entity") else None
                )  # fmt: skip
        except QueryError as e:
            return page(request, user, form, error=e.reason, error_field=e.field, status=422)
        except LexhubError as e:
            return page(request, user, form, error=str(e), status=e.http_status)
        return page(
            request, user, form, hits=[Shown(h) for h in found.hits], total=found.total,
            page_no=found.page, pages=found.pages, owners=found.owners_searched,
            kept=_kept(form), groups=groups,
        )  # fmt: skip

    return router


def _kept(form: dict[str, str]) -> dict[str, str]:
    """The request context a hit's record link carries (purpose, case, justification)."""
    return {k: form[k] for k in ("purpose", "case_number", "justification") if form.get(k)}
