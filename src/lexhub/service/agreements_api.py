"""/api/v1/agreements: apply, list, show, revoke and explain agreements and owner policies.

The same calls as `lexhub agreement` (`lexhub.policy.parse_policies`, then the audited
`lexhub.access.audited_apply` / `audited_revoke`): a YAML body with any error is rejected
whole, every problem listed with its line and field. An agreement is its owner's grant, so
a records administrator applies, revokes and reads only documents its own agency owns;
node administrators and auditors (read only) see every owner's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from lexhub.access import audited_apply, audited_revoke
from lexhub.errors import AccessDenied, InputError, NotFound, QueryError
from lexhub.identity import Principal
from lexhub.model import RecordType, RequestContext, UserRole
from lexhub.model.agreement import PolicyVersion
from lexhub.policy import Requester, decision_to_dict, explain, parse_policies
from lexhub.service.auth import Authorization, Gate, own_agency
from lexhub.service.limits import BodyTooLarge
from lexhub.service.problems import problem_responses
from lexhub.service.schemas import Page, PolicyVersionOut, policy_out, window
from lexhub.store import Store

__all__ = ["agreements_router", "apply_own", "history"]

MAX_YAML_BYTES = 1 << 20
WRITERS = (UserRole.RECORDS_ADMIN, UserRole.NODE_ADMIN)
READERS = (UserRole.RECORDS_ADMIN, UserRole.AUDITOR, UserRole.NODE_ADMIN)
_YAML_BODY = {
    "requestBody": {
        "required": True,
        "description": "One or more agreements and owner policies (docs/policy.md).",
        "content": {"application/yaml": {"schema": {"type": "string"}, "example": (
            "id: city-to-county\nowner: XX0010000\ngrantees: [XX0020000]\n"
            "purposes: [criminal-investigation]\nrecord_types: [incident]\n"
            "max_sensitivity: standard\nvalid_from: 2026-01-01\nvalid_to: 2027-12-31\n"
        )}},
    }
}  # fmt: skip


class PolicyPage(Page):
    items: list[PolicyVersionOut]


def history(store: Store, principal: Principal, doc_id: str) -> list[PolicyVersion]:
    """The document's versions, oldest first, if `principal` may read them (the API's and
    the console's rule). Another owner's document answers like an unknown one (NotFound):
    ids are not probed."""
    found = store.policy_history(doc_id)
    if not found or own_agency(principal, None) not in (None, found[-1].owner):
        raise NotFound(f"no agreement or owner policy {doc_id}")
    return list(found)


def apply_own(
    store: Store, principal: Principal, text: str, name: str
) -> list[tuple[PolicyVersion, bool]]:
    """Validate the whole of `text` (InputError or BatchRejected, every problem at its
    line), refuse any document `principal` may not apply (AccessDenied: a records
    administrator applies only its own agency's), then apply it audited."""
    snap = store.policy_snapshot()
    docs = parse_policies(text, name, agencies=snap.agencies,
                          groups=[g.ref for g in snap.groups])  # fmt: skip
    for doc, _source in docs:
        if own_agency(principal, None) not in (None, doc.owner):
            raise AccessDenied(f"{principal.username} applies only {principal.agency}'s "
                               f"documents, not {doc.owner}'s")  # fmt: skip
    return audited_apply(store, docs, actor=principal.username)


def agreements_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix="/api/v1/agreements", tags=["agreements"])

    def apply(authorization: str | None, text: str, name: str) -> list[PolicyVersionOut]:
        with gate.acting(authorization, *WRITERS) as (store, principal, _):
            applied = apply_own(store, principal, text, name)
        return [policy_out(v, changed=new) for v, new in applied]

    @router.post("", summary="Apply a YAML file of agreements and owner policies (audited)",
                 responses=problem_responses(403), openapi_extra=_YAML_BODY)  # fmt: skip
    async def post(
        request: Request, authorization: Authorization = None,
        name: Annotated[str, Query(max_length=100, description="The name errors give the "
                                   "file.")] = "agreements.yaml",
    ) -> list[PolicyVersionOut]:  # fmt: skip
        data = await request.body()
        if len(data) > MAX_YAML_BYTES:
            raise BodyTooLarge(MAX_YAML_BYTES)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(name, None, None, "is not UTF-8 text") from None
        return await run_in_threadpool(apply, authorization, text, name)

    @router.get("", summary="Agreements and policies in force", responses=problem_responses(403))
    def list_(
        authorization: Authorization = None,
        all: Annotated[bool, Query(description="Include revoked documents.")] = False,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> PolicyPage:  # fmt: skip
        with gate.acting(authorization, *READERS) as (store, principal, _):
            mine = own_agency(principal, None)
            versions = [v for v in store.list_policies(include_revoked=all)
                        if mine in (None, v.owner)]  # fmt: skip
        part, where = window(versions, offset, limit)
        return PolicyPage(**where, items=[policy_out(v) for v in part])

    @router.get("/explain", summary="Per owner and record type: allowed, pointer or denied, "
                "and why", responses=problem_responses(403, 404))  # fmt: skip
    def explain_access(
        requester: str, purpose: str, role: UserRole = UserRole.INVESTIGATOR,
        owner: str | None = None, record_type: RecordType | None = None,
        authorization: Authorization = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """A records administrator explains how its own agency's records are shared (with
        any requester); auditors and node administrators explain any owner's."""
        with gate.acting(authorization, *READERS) as (store, principal, _):
            owner = own_agency(principal, owner)
            try:
                code = RequestContext.parse_purpose(purpose)
            except ValueError as e:
                raise QueryError("purpose", str(e).removeprefix("purpose: ")) from None
            snapshot = store.policy_snapshot()
            if requester not in snapshot.agencies:
                raise QueryError("requester", f"no agency {requester}")
            decisions = explain(Requester(requester, role, code), snapshot,
                                gate.now().date(), owner, record_type)  # fmt: skip
        return [decision_to_dict(d) for d in decisions]

    @router.get("/{doc_id}", summary="One agreement or owner policy as applied, or its history",
                responses=problem_responses(403, 404))  # fmt: skip
    def show(
        doc_id: str, authorization: Authorization = None,
        version: Annotated[int | None, Query(ge=1, description="This version, not the "
                                             "current.")] = None,
        all_versions: Annotated[bool, Query(description="Every version.")] = False,
    ) -> list[PolicyVersionOut]:  # fmt: skip
        """The current version (or `version`) as a one-item list, or every version."""
        with gate.acting(authorization, *READERS) as (store, principal, _):
            versions = history(store, principal, doc_id)
        if all_versions:
            return [policy_out(v, source=True) for v in versions]
        picked = versions[-1:] if version is None else [v for v in versions if v.version == version]
        if not picked:
            raise NotFound(f"{doc_id} has no version {version}")
        return [policy_out(picked[0], source=True)]

    @router.post("/{doc_id}/revoke", summary="Take a document out of force (audited)",
                 responses=problem_responses(403, 404, 409))  # fmt: skip
    def revoke(doc_id: str, authorization: Authorization = None) -> PolicyVersionOut:
        with gate.acting(authorization, *WRITERS) as (store, principal, _):
            history(store, principal, doc_id)
            return policy_out(audited_revoke(store, doc_id, actor=principal.username))

    return router
