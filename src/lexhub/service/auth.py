"""Who is asking, and may they: bearer tokens, roles and agencies for every API route.

Every /api/v1 route borrows its Store from the gate's pool through `Gate.user`, which
checks the token (a refused
token is audited like a failed login, by `lexhub.identity`), then spends one request of the
token's rate limit: a refused token never spends anyone's budget, a valid one always does.
Roles are checked per route with `require`; an agency-bound role (a records administrator)
acts only on its own agency's data, which `own_agency` enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Header

from lexhub.access import audit_sink
from lexhub.errors import AccessDenied, QueryError
from lexhub.identity import IdentitySettings, Principal, TokenRejected, authenticate
from lexhub.identity.events import EventKind, IdentityEvent
from lexhub.model import RequestContext, UserRole
from lexhub.service.limits import RefusalLimit, TokenBuckets, client_address
from lexhub.service.pool import StorePool
from lexhub.store import Store

__all__ = ["ADMINS", "Authorization", "Gate", "own_agency", "require"]

# The Authorization header as every route declares it (so OpenAPI shows it).
Authorization = Annotated[
    str | None, Header(description="`Bearer <token>` (a token from `lexhub token create`).")
]
ADMINS = (UserRole.NODE_ADMIN,)


class Gate:
    """The node's door: lends a Store (from `pool`, over `opener`) to an authenticated
    principal. `refusals` limits how many refused tokens per client address are audited
    (the rest are counted)."""

    def __init__(
        self, opener: Callable[[], Store], buckets: TokenBuckets, now: Callable[[], datetime],
        refusals: RefusalLimit | None = None,
    ) -> None:  # fmt: skip
        self.opener, self.buckets, self.now = opener, buckets, now
        self.pool = StorePool(opener)
        self.refusals = refusals or RefusalLimit()

    def _audit(self, store: Store) -> Callable[[IdentityEvent], None]:
        """The identity events of a token check, to the audit log; a refused token only
        within its client address's refusal limit."""
        sink = audit_sink(store)

        def write(event: IdentityEvent) -> None:
            if event.kind is EventKind.TOKEN_REJECTED and not self.refusals.admit(
                "api", client_address.get()
            ):
                return
            sink(event)

        return write

    def check(self, authorization: str | None) -> None:
        """Only the token check (and its rate limit) of `user`: routes whose request fails
        validation still answer 401 first to a caller without a valid token."""
        with self.user(authorization):
            pass

    @contextmanager
    def user(self, authorization: str | None) -> Iterator[tuple[Store, Principal]]:
        """The Store and the token's principal. Raises TokenRejected (401) for a missing,
        malformed, unknown, expired or revoked token; RateLimited (429) over the limit."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        if not authorization or not authorization.startswith("Bearer ") or not token:
            raise TokenRejected("a bearer token is required (Authorization: Bearer ...)")
        with self.pool.lease() as store:
            settings = IdentitySettings(on_event=self._audit(store))
            principal = authenticate(store, settings, token, self.now())
            self.buckets.take(principal.token_id or principal.username)
            yield store, principal

    @contextmanager
    def acting(
        self, authorization: str | None, *roles: UserRole
    ) -> Iterator[tuple[Store, Principal, IdentitySettings]]:
        """`user` for a route only `roles` may call, with the identity settings that audit
        the changes it makes (AccessDenied, 403, for any other role)."""
        with self.user(authorization) as (store, principal):
            require(principal, *roles)
            yield store, principal, IdentitySettings(on_event=audit_sink(store))

    @staticmethod
    def context(
        principal: Principal, purpose: str, role: UserRole | None, case: str | None,
        justification: str | None,
    ) -> RequestContext:  # fmt: skip
        """The request context of a search or retrieval; QueryError (422) names the field
        that keeps it from running (purpose, case_number, justification)."""
        try:
            code = RequestContext.parse_purpose(purpose)
            return principal.context(code, role=role, case_number=case,
                                     justification=justification)  # fmt: skip
        except ValueError as e:  # the field comes first: "case_number: required ..."
            name, _, reason = str(e).partition(": ")
            raise QueryError(name if reason else "purpose", reason or str(e)) from None


def require(principal: Principal, *roles: UserRole) -> None:
    """AccessDenied (403) unless the principal holds one of `roles`."""
    if not principal.roles & set(roles):
        wanted = " or ".join(r.value for r in roles)
        raise AccessDenied(f"{principal.username} needs the role {wanted}")


def own_agency(principal: Principal, agency: str | None) -> str | None:
    """The agency a records administrator, or an agency's own auditor, may act on: its own
    (None given means its own). Node administrators and an oversight body's auditors act on
    any (None stays None: every agency)."""
    if UserRole.NODE_ADMIN in principal.roles or (
        principal.oversight and UserRole.AUDITOR in principal.roles
    ):
        return agency
    if agency not in (None, principal.agency):
        raise AccessDenied(f"{principal.username} acts only on {principal.agency}'s data")
    return principal.agency
