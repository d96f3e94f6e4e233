"""/api/v1 users, tokens and groups: the node administrator's routes.

The same calls as `lexhub user`, `lexhub token` and `lexhub group` (`lexhub.identity`,
`lexhub.access.audited_group_change`); each change is audited by them, with the
administrator as its actor. Nobody but a node administrator calls these: an account or a
group changes what other agencies may see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from lexhub import identity
from lexhub.access import audited_group_change
from lexhub.errors import NotFound
from lexhub.model import UserRole
from lexhub.service.auth import ADMINS, Authorization, Gate
from lexhub.service.problems import problem_responses
from lexhub.service.schemas import (
    GroupOut,
    IssuedTokenOut,
    Page,
    TokenOut,
    UserOut,
    token_out,
    user_out,
    window,
)

__all__ = ["identity_router"]

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=500)]
ANSWERS = problem_responses(403, 404, 409)


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"username": "jdoe", "agency": "XX0010000", "roles": ["investigator"]}]})  # fmt: skip

    username: str = Field(max_length=64)
    agency: str = Field(max_length=9)
    roles: list[UserRole] = Field(min_length=1)
    oversight: bool = False
    display_name: str = Field("", max_length=200)


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"username": "jdoe", "name": "rms-sync", "days": 90}]})  # fmt: skip

    username: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=100, description="What uses the token.")
    days: int = Field(90, ge=1, le=366)


class Membership(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"add": ["XX0020000"], "create": True, "description": "county task force"}]})  # fmt: skip

    add: list[str] = Field(default_factory=list, max_length=1000)
    remove: list[str] = Field(default_factory=list, max_length=1000)
    create: bool = Field(False, description="Create the group if it does not exist.")
    description: str | None = Field(None, max_length=500)


class UserPage(Page):
    items: list[UserOut]


class TokenPage(Page):
    items: list[TokenOut]


def identity_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=ANSWERS)

    @router.get("/users", tags=["users"], summary="Accounts, of one agency or all")
    def users(
        authorization: Authorization = None, agency: str | None = None,
        offset: Offset = 0, limit: Limit = 100,
    ) -> UserPage:  # fmt: skip
        with gate.acting(authorization, *ADMINS) as (store, _, _):
            found = identity.list_users(store, agency)
        part, where = window(found, offset, limit)
        return UserPage(**where, items=[user_out(u, gate.now()) for u in part])

    @router.post("/users", tags=["users"], summary="Create an account (tokens only until a "
                 "password is set at the CLI)", status_code=201)  # fmt: skip
    def add_user(body: NewUser, authorization: Authorization = None) -> UserOut:
        with gate.acting(authorization, *ADMINS) as (store, principal, settings):
            user = identity.add_user(
                store, settings, body.username, body.agency, body.roles, now=gate.now(),
                oversight=body.oversight, display_name=body.display_name,
                actor=principal.username,
            )  # fmt: skip
        return user_out(user, gate.now())

    @router.post("/users/{username}/disable", tags=["users"], summary="Disable an account "
                 "(its tokens stop working)")  # fmt: skip
    def disable(username: str, authorization: Authorization = None) -> UserOut:
        with gate.acting(authorization, *ADMINS) as (store, principal, settings):
            identity.disable_user(store, settings, username, now=gate.now(),
                                  actor=principal.username)  # fmt: skip
            return user_out(identity.get_user(store, username), gate.now())

    @router.get("/tokens", tags=["tokens"], summary="API tokens, of one user or all")
    def tokens(
        authorization: Authorization = None, username: str | None = None,
        offset: Offset = 0, limit: Limit = 100,
    ) -> TokenPage:  # fmt: skip
        with gate.acting(authorization, *ADMINS) as (store, _, _):
            found = identity.list_tokens(store, username)
        part, where = window(found, offset, limit)
        return TokenPage(**where, items=[token_out(t, gate.now()) for t in part])

    @router.post("/tokens", tags=["tokens"], summary="Create a token: shown in this answer "
                 "only", status_code=201)  # fmt: skip
    def create_token(body: NewToken, authorization: Authorization = None) -> IssuedTokenOut:
        with gate.acting(authorization, *ADMINS) as (store, principal, settings):
            t = identity.create_token(
                store, settings, body.username, name=body.name, now=gate.now(),
                lifetime=timedelta(days=body.days), actor=principal.username,
            )  # fmt: skip
        return IssuedTokenOut(id=t.id, username=t.username, name=t.name, token=t.token,
                              expires_at=t.expires_at)  # fmt: skip

    @router.post("/tokens/{token_id}/revoke", tags=["tokens"], summary="Revoke a token")
    def revoke_token(token_id: str, authorization: Authorization = None) -> TokenOut:
        with gate.acting(authorization, *ADMINS) as (store, principal, settings):
            identity.revoke_token(store, settings, token_id, now=gate.now(),
                                  actor=principal.username)  # fmt: skip
            (t,) = [t for t in identity.list_tokens(store) if t.id == token_id]
        return token_out(t, gate.now())

    @router.get("/groups", tags=["groups"], summary="Groups of agencies and their members")
    def groups(authorization: Authorization = None) -> list[GroupOut]:
        with gate.acting(authorization, *ADMINS, UserRole.AUDITOR) as (store, _, _):
            found = store.list_groups()
        return [GroupOut(name=g.name, description=g.description, members=sorted(g.members))
                for g in found]  # fmt: skip

    @router.post("/groups/{name}/members", tags=["groups"], summary="Add and remove members "
                 "(audited, naming the agreements it reaches)")  # fmt: skip
    def members(name: str, body: Membership, authorization: Authorization = None) -> GroupOut:
        with gate.acting(authorization, *ADMINS) as (store, principal, _):
            change = audited_group_change(
                store, name.removeprefix("group:"), add=body.add, remove=body.remove,
                create=body.create, description=body.description, actor=principal.username,
            )  # fmt: skip
            found = [g for g in store.list_groups() if g.ref == change.group]
        if not found:
            raise NotFound(f"no group {change.group}")
        g = found[0]
        return GroupOut(
            name=g.name, description=g.description, members=sorted(g.members),
            created=change.created, added=list(change.added), removed=list(change.removed),
            agreements=[{"id": a.id, "version": a.version, "owner": a.owner}
                        for a in change.agreements],
        )  # fmt: skip

    return router
