"""POST /api/v1/batches: an agency's records system sends a batch as JSON Lines.

The same audited load as `lexhub ingest` (`lexhub.access.audited_load`): the whole batch is
validated, any error rejects it whole, nothing is written, and the problem lists every
error with its file, line and field, as the CLI prints them. The batch id makes an upload
idempotent: a client that lost the answer sends the same batch again under the same id and
gets the first load's counts, with nothing loaded twice. A records administrator loads only
its own agency's records (the loader refuses any other owner, naming the line).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from lexhub.access import audited_load
from lexhub.model import UserRole
from lexhub.service.auth import Authorization, Gate, own_agency
from lexhub.service.limits import BodyTooLarge
from lexhub.service.problems import problem_responses
from lexhub.service.schemas import BatchReport

__all__ = ["MAX_BATCH_BYTES", "ingest_router"]

MAX_BATCH_BYTES = 64 << 20  # larger batches: split them, or use `lexhub ingest`
JSONL = "application/x-ndjson"
BatchId = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
                               description="The client's id of this batch: sending it "
                               "again changes nothing.")]  # fmt: skip
FileName = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
                                description="The name errors give the batch.")]  # fmt: skip
_BODY = {
    "requestBody": {
        "required": True,
        "description": "One record a line (docs/formats.md).",
        "content": {JSONL: {"schema": {"type": "string"}, "example": (
            '{"owner": "XX0010000", "source_id": "I-1", "record_type": "incident", ...}\n'
        )}},
    }
}  # fmt: skip


async def _body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes the limit, whatever Content-Length
    said."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BATCH_BYTES:
            raise BodyTooLarge(MAX_BATCH_BYTES)
        chunks.append(chunk)
    return b"".join(chunks)


def ingest_router(gate: Gate, *, region: str = "US") -> APIRouter:
    """`region`: the phone region numbers without a country code are read in."""
    router = APIRouter(prefix="/api/v1", tags=["ingest"])

    def load(authorization: str | None, data: bytes, batch_id: str, name: str,
             owner: str | None, snapshot: bool) -> BatchReport:  # fmt: skip
        with gate.acting(authorization, UserRole.RECORDS_ADMIN, UserRole.NODE_ADMIN) as (
            store, principal, _,
        ):  # fmt: skip
            if UserRole.NODE_ADMIN not in principal.roles:
                owner = own_agency(principal, owner)
            with tempfile.TemporaryDirectory(prefix="lexhub-batch-") as tmp:
                path = Path(tmp) / (name if name.endswith((".jsonl", ".ndjson"))
                                    else f"{name}.jsonl")  # fmt: skip
                path.write_bytes(data)
                r = audited_load(store, path, actor=principal.username, batch_id=batch_id,
                                 fmt="jsonl", owner=owner, snapshot=snapshot, region=region,
                                 workers=0)  # fmt: skip
        return BatchReport(batch_id=r.batch_id, file=r.source, owner=r.owner, **r.counts(),
                           written=r.written, already_loaded=r.already_loaded)  # fmt: skip

    @router.post(
        "/batches", summary="Load a batch of records (JSON Lines), idempotent by batch id",
        responses=problem_responses(403), openapi_extra=_BODY,
    )  # fmt: skip
    async def post_batch(
        request: Request, batch_id: BatchId, name: FileName = "batch.jsonl",
        owner: Annotated[str | None, Query(description="Refuse records of any other "
                                           "owner (records administrators: always "
                                           "their own agency).")] = None,
        snapshot: Annotated[bool, Query(description="The owner's full extract: retract "
                                        "its records missing from it.")] = False,
        authorization: Authorization = None,
    ) -> BatchReport:  # fmt: skip
        """Records administrators load their agency's records; node administrators any.
        The loaded (or rejected) batch is an entry in the audit log."""
        data = await _body(request)
        return await run_in_threadpool(load, authorization, data, batch_id, name, owner,
                                       snapshot)  # fmt: skip

    return router
