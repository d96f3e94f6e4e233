"""The agreements screens: the list of documents an administrator may read, one document
with its history, the diff of each version against the one before and a revoke button,
the YAML editor whose validation errors are shown at their line, and the explain tool as
a form.

Every read and change goes through the calls `/api/v1/agreements` makes: `parse_policies`
against the node's agencies and groups, then `lexhub.access.audited_apply` or
`audited_revoke` (the change and its agreement-change entry in one transaction). A records
administrator reads, applies and revokes only its own agency's documents; node
administrators and oversight auditors see every owner's, and auditors only read
(`own_agency`, as in the API).
"""

import asyncio
import difflib
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from lexhub.access import audited_revoke
from lexhub.errors import BatchRejected, InputError, LexhubError, QueryError
from lexhub.model import Purpose, RecordType, RequestContext, UserRole
from lexhub.policy import Requester, explain
from lexhub.service.agreements_api import apply_own, history
from lexhub.service.auth import own_agency
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import AGREEMENTS, Screen

__all__ = ["EDIT_AGREEMENTS", "agreement_router", "problems_of"]

# Auditors open the agreements screen to read; only these roles apply (the API's WRITERS).
EDIT_AGREEMENTS = Screen(AGREEMENTS.path, "the agreement editor",
                         frozenset({UserRole.RECORDS_ADMIN, UserRole.NODE_ADMIN}))  # fmt: skip
FILE_NAME = "agreement.yaml"
MAX_YAML_CHARS = 1 << 20


def problems_of(e: InputError) -> list[InputError]:
    """Every problem an input error carries (a rejected batch lists many, others are one)."""
    return list(e.problems) if isinstance(e, BatchRejected) and e.problems else [e]


def numbered(text: str, problems: Sequence[InputError]) -> list[dict[str, Any]]:
    """The text's lines, each with the problems found at it, for the annotated listing."""
    at: dict[int, list[InputError]] = {}
    for p in problems:
        if isinstance(p.line, int):
            at.setdefault(p.line, []).append(p)
    return [{"no": i, "text": line, "problems": at.get(i, [])}
            for i, line in enumerate(text.splitlines(), start=1)]  # fmt: skip


def diff_lines(before: str | None, after: str | None, old: str, new: str) -> list[str]:
    """A unified diff of two versions' YAML (a revocation has no YAML: empty text)."""
    return list(difflib.unified_diff(
        (before or "").splitlines(), (after or "").splitlines(), old, new, lineterm="",
    ))  # fmt: skip


def agreement_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    reader = console.signed_in(AGREEMENTS)
    writer = console.signed_in(EDIT_AGREEMENTS)
    Reader = Annotated[ConsoleUser, Depends(reader)]  # noqa: N806 - a type alias
    Writer = Annotated[ConsoleUser, Depends(writer)]  # noqa: N806 - a type alias

    def may_edit(user: ConsoleUser) -> bool:
        return EDIT_AGREEMENTS.opens_for(user.principal.roles)

    @router.get(AGREEMENTS.path)
    def list_page(request: Request, user: Reader, all: str = "") -> Response:
        with console.opener() as store:
            mine = own_agency(user.principal, None)
            versions = [v for v in store.list_policies(include_revoked=bool(all))
                        if mine in (None, v.owner)]  # fmt: skip
        return console.render(request, "agreements.html", user, versions=versions,
                              show_all=bool(all), may_edit=may_edit(user))  # fmt: skip

    @router.get("/agreements/explain")
    def explain_page(
        request: Request, user: Reader, requester: str = "", purpose: str = "",
        role: str = "", owner: str = "", record_type: str = "",
    ) -> Response:  # fmt: skip
        form = {"requester": requester, "purpose": purpose, "role": role, "owner": owner,
                "record_type": record_type}  # fmt: skip
        ctx: dict[str, Any] = {}
        if requester:
            try:
                ctx["decisions"] = run_explain(user, form)
            except LexhubError as e:
                ctx.update(error=str(e), status=e.http_status)
        return console.render(
            request, "agreements_explain.html", user, form=form, purposes=list(Purpose),
            roles=list(UserRole), record_types=list(RecordType), status=ctx.pop("status", 200),
            **ctx,
        )  # fmt: skip

    def run_explain(user: ConsoleUser, form: dict[str, str]) -> list[Any]:
        owner = own_agency(user.principal, form["owner"] or None)
        try:
            code = RequestContext.parse_purpose(form["purpose"])
            role = UserRole(form["role"] or UserRole.INVESTIGATOR.value)
            rtype = RecordType(form["record_type"]) if form["record_type"] else None
        except ValueError as e:  # purpose: "purpose: ...", the enums: "'x' is not a valid"
            raise QueryError(
                "purpose" if "purpose" in str(e) else "role or record type",
                str(e).removeprefix("purpose: "),
            ) from None
        with console.opener() as store:
            snapshot = store.policy_snapshot()
            if form["requester"] not in snapshot.agencies:
                raise QueryError("requester", f"no agency {form['requester']}")
            return explain(Requester(form["requester"], role, code), snapshot,
                           console.now().date(), owner, rtype)  # fmt: skip

    @router.get("/agreements/new")
    def new_page(request: Request, user: Writer, id: str = "") -> Response:
        text = ""
        if id:
            with console.opener() as store:
                text = history(store, user.principal, id)[-1].source or ""
        return editor(request, user, text, id)

    def editor(request: Request, user: ConsoleUser, text: str, doc_id: str, *,
               problems: Sequence[InputError] = (), status: int = 200) -> Response:  # fmt: skip
        return console.render(
            request, "agreements_edit.html", user, text=text, doc_id=doc_id, problems=problems,
            lines=numbered(text, problems), status=status,
        )  # fmt: skip

    @router.post("/agreements/new")
    async def apply_page(request: Request, user: Writer) -> Response:
        form = await request.form()
        text = str(form.get("yaml") or "")[:MAX_YAML_CHARS].replace("\r\n", "\n")
        doc_id = str(form.get("id") or "")

        def run() -> Response:
            try:
                with console.opener() as store:
                    applied = apply_own(store, user.principal, text, FILE_NAME)
            except InputError as e:
                return editor(request, user, text, doc_id, problems=problems_of(e), status=422)
            except LexhubError as e:
                return console.error_page(request, user, e)
            changed = [v for v, new in applied if new]
            target = changed[0] if changed else applied[0][0]
            query = f"?applied={target.version}" if changed else "?unchanged=1"
            return RedirectResponse(f"/agreements/{target.doc_id}{query}", status_code=303)

        return await asyncio.to_thread(run)

    @router.get("/agreements/{doc_id}")
    def show_page(request: Request, user: Reader, doc_id: str, version: int = 0,
                  applied: int = 0, unchanged: str = "") -> Response:  # fmt: skip
        try:
            with console.opener() as store:
                versions = history(store, user.principal, doc_id)
        except LexhubError as e:
            return console.error_page(request, user, e)
        shown = next((v for v in versions if v.version == version), versions[-1])
        before = next((v for v in versions if v.version == shown.version - 1), None)
        diff = diff_lines(
            before.source if before else None, shown.source,
            f"{doc_id} v{before.version}" if before else "(none)", f"{doc_id} v{shown.version}",
        )  # fmt: skip
        return console.render(
            request, "agreements_show.html", user, versions=versions, shown=shown,
            before=before, diff=diff, applied=applied, unchanged=bool(unchanged),
            may_edit=may_edit(user) and shown is versions[-1] and shown.action == "apply",
        )  # fmt: skip

    @router.post("/agreements/{doc_id}/revoke")
    def revoke_page(request: Request, user: Writer, doc_id: str) -> Response:
        """Take the document out of force: `audited_revoke`, as the API's revoke."""
        try:
            with console.opener() as store:
                history(store, user.principal, doc_id)
                version = audited_revoke(store, doc_id, actor=user.principal.username)
        except LexhubError as e:
            return console.error_page(request, user, e)
        return RedirectResponse(f"/agreements/{doc_id}?applied={version.version}",
                                status_code=303)  # fmt: skip

    return router
