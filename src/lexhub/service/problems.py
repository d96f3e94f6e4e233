"""Errors as RFC 9457 problem details, one shape for every endpoint.

A client (a partner's records system, the console, a peer's broker) reads `status`,
`title` and `detail` the same way whatever went wrong; `field` names what to fix when the
request itself was wrong. A record the requester may not see answers exactly like one that
does not exist (the message comes from `lexhub.access`), so ids cannot be probed.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

from lexhub.errors import LexhubError
from lexhub.identity import TokenRejected

__all__ = ["PROBLEM_JSON", "problem", "problem_for"]

PROBLEM_JSON = "application/problem+json"


def problem(status: int, detail: str, *, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase,
                            "status": status, "detail": detail}  # fmt: skip
    if field is not None:
        body["field"] = field
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_for(error: LexhubError) -> JSONResponse:
    """The problem for a lexhub error, by its `http_status`. A rejected token means "who
    are you?" (401), not "you may not" (403). A 5xx says nothing of its cause, which may
    quote data."""
    status = 401 if isinstance(error, TokenRejected) else error.http_status
    if status >= 500:
        return problem(status, "the request could not be completed; nothing was disclosed")
    field = getattr(error, "field", None)
    detail = getattr(error, "reason", None) if field else None
    response = problem(status, detail or str(error), field=field)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
