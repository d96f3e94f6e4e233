"""/api/v1/audit and /api/v1/reports: reading the log is for auditors, and is audited.

The same calls as `lexhub audit` and `lexhub report` (`lexhub.audit`): every read commits
its own audit-read entry first, so the log says who looked at it. An oversight body's
auditor sees every agency; an agency's auditor, and a records administrator reading its
report, see what concerns their own agency only (the requests its users made, the searches
of its data).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from lexhub.audit import export_log, read_entries, record_event, verify_store
from lexhub.audit.checkpoint import checkpoint_to_dict
from lexhub.audit.reports import Viewer, build_report, report_json
from lexhub.errors import AccessDenied, QueryError
from lexhub.identity import Principal
from lexhub.model import UserRole
from lexhub.model.audit import AuditEvent, AuditFilter, AuditKind
from lexhub.service.auth import Authorization, Gate
from lexhub.service.problems import problem_responses

__all__ = ["audit_router"]

AUDITORS = (UserRole.AUDITOR, UserRole.NODE_ADMIN)
MAX_SEQ = 2**53 - 1  # the audit-read entry names the filter: canonical JSON's integer range
KINDS = "|".join(k.value for k in AuditKind)


class Entry(BaseModel):
    seq: int
    hash: str
    entry: dict[str, Any]


class EntryPage(BaseModel):
    items: list[Entry]
    next_after: int | None  # pass as `after` for the next page; None: no more


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    head: str
    checkpoints: int
    latest_checkpoint: int | None
    problems: list[str]
    problem_count: int
    warnings: list[str]


class CheckpointOut(BaseModel):
    text: str
    signature: str


def _sees_all(principal: Principal) -> bool:
    return principal.oversight or UserRole.NODE_ADMIN in principal.roles


def audit_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=problem_responses(403))

    @router.get("/audit/verify", tags=["audit"],
                summary="Recompute the chain and check every checkpoint")  # fmt: skip
    def verify(authorization: Authorization = None) -> VerifyOut:
        with gate.acting(authorization, *AUDITORS) as (store, principal, _):
            record_event(store, AuditEvent(AuditKind.AUDIT_READ, actor=principal.username,
                                           details={"action": "verify", "via": "api"}))  # fmt: skip
            r = verify_store(store, None, [], [])
        return VerifyOut(ok=r.ok, entries=r.entries, head=r.head, checkpoints=r.checkpoints,
                         latest_checkpoint=r.latest_checkpoint, problems=r.problems,
                         problem_count=r.problem_count, warnings=r.warnings)  # fmt: skip

    @router.get("/audit/entries", tags=["audit"], summary="Entries, oldest first, a page at "
                "a time (this read is itself an entry)")  # fmt: skip
    def entries(
        authorization: Authorization = None,
        kind: Annotated[str | None, Query(pattern=f"^({KINDS})$")] = None,
        agency: Annotated[str | None, Query(description="Requests by this agency.")] = None,
        user: str | None = None, since: datetime | None = None, until: datetime | None = None,
        after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="After this sequence "
                                    "number.")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> EntryPage:  # fmt: skip
        with gate.acting(authorization, *AUDITORS) as (store, principal, _):
            if not _sees_all(principal):  # an agency's auditor: its own users' requests
                if agency not in (None, principal.agency):
                    raise AccessDenied(f"{principal.username} reads {principal.agency}'s entries")
                agency = principal.agency
            where = AuditFilter(kind, agency, user, since, until, after)
            found = read_entries(store, where, limit, actor=principal.username)
        items = [Entry(seq=e.seq, hash=e.hash, entry=e.data) for e in found]
        return EntryPage(items=items, next_after=items[-1].seq if len(items) == limit else None)

    @router.get("/audit/export", tags=["audit"], response_class=FileResponse,
                summary="The whole log (JSON Lines: entries, checkpoints, keys; no query "
                "terms) for `lexhub audit verify --export`",
                responses={200: {"content": {"application/x-ndjson": {}}}})  # fmt: skip
    def export(authorization: Authorization = None) -> FileResponse:
        with gate.acting(authorization, *AUDITORS) as (store, principal, _):
            if not _sees_all(principal):
                raise AccessDenied("the whole log is for an oversight body's auditors")
            tmp = Path(tempfile.mkdtemp(prefix="lexhub-export-")) / "audit-export.jsonl"
            export_log(store, tmp, actor=principal.username)

        def remove() -> None:
            tmp.unlink(missing_ok=True)
            tmp.parent.rmdir()

        return FileResponse(
            tmp, media_type="application/x-ndjson", filename="audit-export.jsonl",
            background=BackgroundTask(remove),
        )  # fmt: skip

    @router.get("/audit/checkpoints", tags=["audit"],
                summary="The signed checkpoints of the log, oldest first")  # fmt: skip
    def checkpoints(
        authorization: Authorization = None, offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[CheckpointOut]:  # fmt: skip
        with gate.acting(authorization, *AUDITORS) as (store, _, _):
            found = store.audit_checkpoints()[offset : offset + limit]
        return [CheckpointOut(**checkpoint_to_dict(c)) for c in found]

    @router.get("/reports", tags=["audit"], summary="Searches, shares, blocked attempts and "
                "anomalies over a period (this read is itself an entry)")  # fmt: skip
    def report(
        authorization: Authorization = None,
        start: Annotated[datetime | None, Query(alias="from")] = None,
        end: Annotated[datetime | None, Query(alias="to")] = None,
        owner: Annotated[str | None, Query(description="This owner's view (records "
                                           "administrators: always their own).")] = None,
        history: Annotated[int, Query(ge=1, le=3650)] = 90,
    ) -> dict[str, Any]:  # fmt: skip
        """An oversight auditor sees every agency, case numbers included; a records
        administrator or an agency's auditor, its own agency's data."""
        with gate.acting(authorization, UserRole.AUDITOR, UserRole.RECORDS_ADMIN) as (
            store, principal, _,
        ):  # fmt: skip
            auditor = principal.oversight and UserRole.AUDITOR in principal.roles
            if not auditor:
                owner = principal.agency if owner is None else owner
                if owner != principal.agency:
                    raise AccessDenied(f"{principal.username} reads {principal.agency}'s report")
            stop = end or gate.now()
            begin = start or stop - timedelta(days=30)
            if begin.tzinfo is None or stop.tzinfo is None:
                raise QueryError("from", "give times with their UTC offset")
            if begin >= stop:
                raise QueryError("from", "the period is empty (from is not before to)")
            viewer = Viewer(agency=owner, auditor=auditor)
            r = build_report(store, begin, stop, viewer, actor=principal.username,
                             owner=owner, history_days=history)  # fmt: skip
        return report_json(r)

    return router
