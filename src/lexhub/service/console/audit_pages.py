"""The audit explorer: entries filtered by kind, user, requesting agency, purpose, owner and
period, a page at a time; one entry in full; the chain's verification and its latest
signed checkpoint.

The reads are the API's (`/api/v1/audit`): `lexhub.audit.read_entries`, which commits the
audit-read entry naming the filter before anything is shown, and `verify_store` after its
own audit-read entry. An agency's auditor reads only its own users' requests
(`own_agency`); oversight auditors and node administrators read every agency's. Purpose
and owner are not columns of the log, so they are picked from each page the store reads.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lexhub.audit import read_entries, record_event, verify_store
from lexhub.errors import LexhubError, NotFound, QueryError
from lexhub.model import Purpose
from lexhub.model.audit import AuditEntry, AuditEvent, AuditFilter, AuditKind, Checkpoint
from lexhub.service.auth import own_agency
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import AUDIT

__all__ = ["PAGE_SIZE", "audit_router", "owners_of"]

PAGE_SIZE = 100
FILTERS = ("kind", "user", "agency", "purpose", "owner", "since", "until")


def owners_of(data: dict[str, Any]) -> set[str]:
    """The owners an entry concerns: those searched, those whose records it disclosed or
    pointed to, and the owner a change names."""
    refs = [*data.get("disclosed", []), *data.get("pointers", [])]
    found = {*data.get("owners_searched", []), *(r.get("owner") for r in refs)}
    if isinstance(data.get("details"), dict) and data["details"].get("owner"):
        found.add(data["details"]["owner"])
    return {o for o in found if isinstance(o, str)}


def _day(value: str, name: str, *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD form value as the start of that day in UTC (`end`: of the next day,
    so the period includes the day given)."""
    if not value:
        return None
    try:
        day = datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), UTC)
    except ValueError:
        raise QueryError(name, f"{value!r} is not a date (YYYY-MM-DD)") from None
    return day + timedelta(days=1) if end else day


def _where(user: ConsoleUser, form: dict[str, str], after: int) -> AuditFilter:
    kind = form["kind"] or None
    if kind is not None and kind not in {k.value for k in AuditKind}:
        raise QueryError("kind", f"no entry kind {kind}")
    agency = own_agency(user.principal, form["agency"] or None)
    return AuditFilter(kind, agency, form["user"] or None, _day(form["since"], "since"),
                       _day(form["until"], "until", end=True), after)  # fmt: skip


def _keeps(form: dict[str, str], data: dict[str, Any]) -> bool:
    purpose = data.get("context", {}).get("purpose")
    if form["purpose"] and purpose != form["purpose"]:
        return False
    return not form["owner"] or form["owner"] in owners_of(data)


def latest_checkpoint(checkpoints: list[Checkpoint]) -> Checkpoint | None:
    return checkpoints[-1] if checkpoints else None


def audit_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    Auditor = Annotated[ConsoleUser, Depends(console.signed_in(AUDIT))]  # noqa: N806

    @router.get(AUDIT.path)
    def explorer(
        request: Request, user: Auditor, kind: str = "", user_name: str = "",
        agency: str = "", purpose: str = "", owner: str = "", since: str = "",
        until: str = "", after: int = 0,
    ) -> Response:  # fmt: skip
        form = {"kind": kind, "user": user_name, "agency": agency, "purpose": purpose,
                "owner": owner.strip(), "since": since, "until": until}  # fmt: skip
        ctx: dict[str, Any] = {}
        try:
            where = _where(user, form, max(0, after))
            with console.opener() as store:
                read = read_entries(store, where, PAGE_SIZE, actor=user.principal.username)
                checkpoint = latest_checkpoint(store.audit_checkpoints())
            ctx = {
                "entries": [(e, e.data) for e in read if _keeps(form, e.data)],
                "next_after": read[-1].seq if len(read) == PAGE_SIZE else None,
                "checkpoint": checkpoint,
            }  # fmt: skip
        except LexhubError as e:
            ctx = {"error": str(e), "status": e.http_status}
        return console.render(
            request, "audit.html", user, form=form, after=after, kinds=list(AuditKind),
            purposes=list(Purpose), status=ctx.pop("status", 200), **ctx,
        )  # fmt: skip

    @router.get("/audit/entry/{seq}")
    def entry_page(request: Request, user: Auditor, seq: int) -> Response:
        try:
            where = AuditFilter(agency=own_agency(user.principal, None), after_seq=max(0, seq - 1))
            with console.opener() as store:
                found = read_entries(store, where, 1, actor=user.principal.username)
            if not found or found[0].seq != seq:  # another agency's entry answers as unknown
                raise NotFound(f"no audit entry {seq}")
        except LexhubError as e:
            return console.error_page(request, user, e)
        entry: AuditEntry = found[0]
        return console.render(request, "audit_entry.html", user, entry=entry, data=entry.data,
                              owners=sorted(owners_of(entry.data)))  # fmt: skip

    @router.get("/audit/verify")
    def verify_page(request: Request, user: Auditor) -> Response:
        with console.opener() as store:
            record_event(
                store,
                AuditEvent(
                    AuditKind.AUDIT_READ,
                    actor=user.principal.username,
                    details={"action": "verify", "via": "console"},
                ),
            )
            report = verify_store(store, None, [], [])
            checkpoint = latest_checkpoint(store.audit_checkpoints())
        return console.render(request, "audit_verify.html", user, report=report,
                              checkpoint=checkpoint)  # fmt: skip

    return router
