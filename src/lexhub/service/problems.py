"""Errors as RFC 9457 problem details, one shape for every endpoint.

A client (a partner's records system, the console, a peer's broker) reads `type`, `title`,
`status`, `detail` and `instance` the same way whatever went wrong; `field` names what to
fix when the request itself was wrong, and `errors` lists every problem of a rejected
batch or request body (file, line, field, reason), as the CLI prints them. A record the
requester may not see answers exactly like one that does not exist (the message comes from
`lexhub.access`), so ids cannot be probed.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lexhub.errors import BatchRejected, InputError, LexhubError
from lexhub.identity import TokenRejected

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemItem",
    "install_problem_schema",
    "item",
    "problem",
    "problem_for",
    "problem_responses",
]

PROBLEM_JSON = "application/problem+json"


class ProblemItem(BaseModel):
    """One problem of a batch or a request: where (file and line for a batch) and what."""

    file: str | None = None
    line: int | str | None = None
    field: str | None = None
    reason: str


class Problem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Unprocessable Entity",
                    "status": 422,
                    "detail": "required for purpose criminal-investigation",
                    "instance": "/api/v1/search",
                    "field": "case_number",
                }
            ]
        }  # fmt: skip
    )

    type: str = Field("about:blank", description="Always about:blank: `status` says it all.")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str = Field(description="What went wrong, for a person; never data of a 5xx.")
    instance: str | None = Field(None, description="The path of the request.")
    field: str | None = Field(None, description="The request field to fix, if one.")
    errors: list[ProblemItem] | None = Field(None, description="Every problem found.")


def item(error: InputError) -> dict[str, Any]:
    return {"file": error.file, "line": error.line, "field": error.field, "reason": error.reason}


def problem(
    status: int, detail: str, *, instance: str | None = None, field: str | None = None,
    **extra: Any,
) -> JSONResponse:  # fmt: skip
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase,
                            "status": status, "detail": detail, "instance": instance}  # fmt: skip
    if field is not None:
        body["field"] = field
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_for(error: LexhubError, instance: str | None = None) -> JSONResponse:
    """The problem for a lexhub error, by its `http_status`. A rejected token means "who
    are you?" (401), not "you may not" (403). A 5xx says nothing of its cause, which may
    quote data."""
    status = 401 if isinstance(error, TokenRejected) else error.http_status
    if status >= 500:
        return problem(status, "the request could not be completed; nothing was disclosed",
                       instance=instance)  # fmt: skip
    if isinstance(error, BatchRejected):
        head = str(error).partition("\n")[0]
        return problem(status, head, instance=instance,
                       errors=[item(p) for p in error.problems])  # fmt: skip
    field = getattr(error, "field", None)
    detail = getattr(error, "reason", None) if field else None
    response = problem(status, detail or str(error), instance=instance, field=field)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


_WHEN = {
    401: "No token, or a malformed, unknown, expired or revoked one",
    403: "A role (or agency) the token's user does not hold",
    404: "Unknown, or outside the caller's scope: both answer alike",
    409: "The request contradicts what is stored",
    413: "The body is over the limit",
    422: "The request cannot run: `field` or `errors` say what to fix",
    429: "The token's rate limit: wait `Retry-After` seconds",
    503: "The database or the audit log cannot be written: nothing was disclosed",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these problem statuses (401, 413, 422, 429 and 503 are on
    every API route: add the others a route can answer)."""
    wanted = sorted({401, 413, 422, 429, 503, *statuses})
    return {s: {"model": Problem, "description": _WHEN[s]} for s in wanted}


def install_problem_schema(app: FastAPI) -> None:
    """Document problems as application/problem+json, the media type they are sent with
    (FastAPI files every model under application/json)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)  # fmt: skip
            for path in schema.get("paths", {}).values():
                for op in path.values():
                    for status, response in op.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[0] in "45" and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
