"""The API's response bodies as Pydantic models, so /openapi.json says what each route
answers (and FastAPI checks every answer against it before sending).

Built from the core's frozen dataclasses at the edge: the core never sees these. Lists are
pages: `items`, and what it takes to ask for the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from lexhub.identity import TokenInfo, User
from lexhub.model.agreement import PolicyVersion, policy_to_dict

__all__ = [
    "BatchReport",
    "GroupOut",
    "IssuedTokenOut",
    "Page",
    "PolicyVersionOut",
    "TokenOut",
    "UserOut",
    "policy_out",
    "token_out",
    "user_out",
    "window",
]

T = TypeVar("T")
_EXAMPLE_BATCH: dict[str, Any] = {
    "batch_id": "2026-12-05-city-incidents", "file": "incidents.jsonl", "owner": "XX0010000",
    "read": 2, "new": 2, "changed": 0, "unchanged": 0, "retracted": 0, "rejected": 0,
    "written": 2, "already_loaded": False,
}  # fmt: skip


class Page(BaseModel):
    """Where a list was cut: `offset` and `limit` as asked, `total` items in all."""

    offset: int
    limit: int
    total: int


def window(found: Sequence[T], offset: int, limit: int) -> tuple[Sequence[T], dict[str, int]]:
    """The items of one page of `found`, and the Page fields saying where it was cut."""
    return found[offset : offset + limit], {"offset": offset, "limit": limit, "total": len(found)}


class BatchReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [dict(_EXAMPLE_BATCH)]})

    batch_id: str
    file: str
    owner: str | None
    read: int
    new: int
    changed: int
    unchanged: int
    retracted: int
    rejected: int
    written: int
    already_loaded: bool = Field(description="This batch id was loaded before: nothing "
                                 "changed, the counts are the first load's.")  # fmt: skip


class PolicyVersionOut(BaseModel):
    id: str
    version: int
    kind: str = Field(description="agreement or owner-policy")
    owner: str
    action: str = Field(description="apply or revoke")
    applied_at: datetime
    applied_by: str | None
    document: dict[str, Any] | None = Field(description="The document in force (None once "
                                            "revoked).")  # fmt: skip
    source: str | None = Field(None, description="The YAML as applied (show only).")
    changed: bool | None = Field(None, description="apply: a new version was stored.")


def policy_out(
    v: PolicyVersion, *, source: bool = False, changed: bool | None = None
) -> PolicyVersionOut:
    return PolicyVersionOut(
        id=v.doc_id, version=v.version, kind=v.kind, owner=v.owner, action=v.action,
        applied_at=v.applied_at, applied_by=v.applied_by,
        document=None if v.doc is None else policy_to_dict(v.doc),
        source=v.source if source else None, changed=changed,
    )  # fmt: skip


class GroupOut(BaseModel):
    name: str
    description: str | None
    members: list[str]
    created: bool | None = None
    added: list[str] | None = None
    removed: list[str] | None = None
    agreements: list[dict[str, Any]] | None = None  # in force, granting to the group


class UserOut(BaseModel):
    username: str
    agency: str
    display_name: str
    roles: list[str]
    oversight: bool
    status: str = Field(description="active, locked or disabled")
    password: bool
    totp: bool
    created_at: datetime
    last_login_at: datetime | None


def user_out(u: User, now: datetime) -> UserOut:
    status = "disabled" if u.disabled else "locked" if u.locked(now) else "active"
    return UserOut(
        username=u.username, agency=u.agency, display_name=u.display_name,
        roles=sorted(r.value for r in u.roles), oversight=u.oversight, status=status,
        password=u.has_password, totp=u.totp_enrolled, created_at=u.created_at,
        last_login_at=u.last_login_at,
    )  # fmt: skip


class TokenOut(BaseModel):
    id: str
    username: str
    name: str
    state: str = Field(description="active, expired or revoked")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def token_out(t: TokenInfo, now: datetime) -> TokenOut:
    return TokenOut(
        id=t.id, username=t.username, name=t.name, state=t.state(now), created_at=t.created_at,
        expires_at=t.expires_at, revoked_at=t.revoked_at, last_used_at=t.last_used_at,
    )  # fmt: skip


class IssuedTokenOut(BaseModel):
    """The token itself is in this answer only: it is stored hashed."""

    id: str
    username: str
    name: str
    token: str
    expires_at: datetime
