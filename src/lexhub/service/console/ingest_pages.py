"""The ingest screen: a records administrator uploads a batch (JSON Lines, CSV with its
mapping file, or NIEM XML: the formats `lexhub ingest` reads), watches it load, and gets
the counts or every problem as `file:line: field: reason`.

The load is `lexhub.access.audited_load`, as in `POST /api/v1/batches`: the whole batch is
validated, any error rejects it whole with nothing written, and the batch (loaded or
rejected) is an entry in the audit log. A records administrator loads only its own
agency's records; node administrators any owner's. The load runs in a thread of its own
so the page can show how far it got (a job page that reloads itself until the load ends:
no script needed); jobs are kept in memory, the last `KEPT_JOBS`, each shown only to the
user who started it.
"""

import re
import tempfile
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from lexhub.access import audited_load
from lexhub.errors import InputError, LexhubError, NotFound
from lexhub.ingest.formats import FORMATS
from lexhub.ingest.load import LoadReport
from lexhub.model import UserRole
from lexhub.service.auth import own_agency
from lexhub.service.console.agreement_pages import problems_of
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import INGEST
from lexhub.service.ingest_api import MAX_BATCH_BYTES

__all__ = ["JOBS", "KEPT_JOBS", "IngestJob", "ingest_router"]

KEPT_JOBS = 200
SHOWN_PROBLEMS = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class IngestJob:
    """One upload being loaded: what the job page shows. `done` is set when it ends."""

    id: str
    username: str
    file: str
    read: int = 0
    with_errors: int = 0
    report: LoadReport | None = None
    error: str | None = None
    problems: list[InputError] = field(default_factory=list)
    total_problems: int = 0
    done: threading.Event = field(default_factory=threading.Event)

    def progress(self, read: int, with_errors: int) -> None:
        self.read, self.with_errors = read, with_errors


JOBS: "OrderedDict[str, IngestJob]" = OrderedDict()
_JOBS_LOCK = threading.Lock()


def safe_name(name: str | None, fallback: str) -> str:
    """The uploaded file's base name, reduced to characters safe in a path and a message."""
    base = _UNSAFE.sub("_", Path(name or "").name).lstrip("._")[:100]
    return base or fallback


async def _read_upload(upload: UploadFile) -> bytes:
    """The upload's bytes, refused (InputError) past the API's batch limit."""
    chunks, size = [], 0
    while chunk := await upload.read(1 << 20):
        size += len(chunk)
        if size > MAX_BATCH_BYTES:
            raise InputError(upload.filename or "upload", None, None,
                             f"is larger than {MAX_BATCH_BYTES >> 20} MiB: use `lexhub "
                             "ingest` or split it")  # fmt: skip
        chunks.append(chunk)
    return b"".join(chunks)


def ingest_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    Loader = Annotated[ConsoleUser, Depends(console.signed_in(INGEST))]  # noqa: N806

    def form_page(request: Request, user: ConsoleUser, *, error: str | None = None,
                  status: int = 200) -> Response:  # fmt: skip
        return console.render(
            request, "ingest.html", user, formats=FORMATS, error=error, status=status,
            any_owner=UserRole.NODE_ADMIN in user.principal.roles,
        )  # fmt: skip

    @router.get(INGEST.path)
    def ingest_form(request: Request, user: Loader) -> Response:
        return form_page(request, user)

    @router.post(INGEST.path)
    async def upload(request: Request, user: Loader) -> Response:
        form = await request.form()
        batch, mapping = form.get("batch"), form.get("mapping")
        fmt = str(form.get("format") or "")
        try:
            if not isinstance(batch, UploadFile) or not batch.filename:
                raise InputError("batch", None, None, "choose a file to upload")
            if fmt not in ("", *FORMATS):
                raise InputError(batch.filename, None, None, f"no format {fmt}")
            data = await _read_upload(batch)
            rules = await _read_upload(mapping) if isinstance(mapping, UploadFile) and \
                mapping.filename else None  # fmt: skip
            owner = str(form.get("owner") or "").strip() or None
            if UserRole.NODE_ADMIN not in user.principal.roles:
                owner = own_agency(user.principal, owner)
        except LexhubError as e:
            return form_page(request, user, error=str(e), status=e.http_status)
        finally:
            await form.close()  # the uploads' spooled files, now read
        name = safe_name(batch.filename, "batch")
        job = IngestJob(uuid.uuid4().hex, user.principal.username, name)
        with _JOBS_LOCK:
            JOBS[job.id] = job
            while len(JOBS) > KEPT_JOBS:
                JOBS.popitem(last=False)
        options = {"fmt": fmt or None, "owner": owner, "snapshot": bool(form.get("snapshot"))}
        threading.Thread(target=run, args=(job, data, rules, options), daemon=True,
                         name=f"ingest-{job.id[:8]}").start()  # fmt: skip
        return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)

    def run(job: IngestJob, data: bytes, rules: bytes | None, options: dict[str, Any]) -> None:
        """The load, in its own thread with its own store; never raises (the job says)."""
        try:
            with tempfile.TemporaryDirectory(prefix="lexhub-console-batch-") as tmp:
                path = Path(tmp) / job.file
                path.write_bytes(data)
                mapping = None
                if rules is not None:
                    mapping = Path(tmp) / f"{path.stem}.mapping.yaml"
                    mapping.write_bytes(rules)
                with console.opener() as store:
                    job.report = audited_load(
                        store, path, actor=job.username, batch_id=job.id, mapping=mapping,
                        progress=job.progress, workers=0, **options,
                    )  # fmt: skip
        except InputError as e:
            found = problems_of(e)
            job.problems, job.total_problems = found[:SHOWN_PROBLEMS], getattr(e, "total", 1)
            job.error = f"{job.file}: rejected, nothing written"
        except LexhubError as e:
            job.error = str(e)
        except Exception as e:  # noqa: BLE001 - a job must end, and say how
            job.error = f"the load failed: {type(e).__name__}"
        finally:
            job.done.set()

    @router.get("/ingest/jobs/{job_id}")
    def job_page(request: Request, user: Loader, job_id: str) -> Response:
        job = JOBS.get(job_id)
        if job is None or job.username != user.principal.username:
            return console.error_page(request, user, NotFound(f"no upload {job_id}"))
        return console.render(request, "ingest_job.html", user, job=job,
                              running=not job.done.is_set())  # fmt: skip

    return router
