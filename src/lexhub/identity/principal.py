"""Who a request comes from, once a login or a token has been checked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lexhub.errors import AccessDenied
from lexhub.model import Purpose, RequestContext, UserRole

__all__ = ["AuthMethod", "Principal"]


class AuthMethod(StrEnum):
    PASSWORD_TOTP = "password+totp"
    TOKEN = "token"


@dataclass(frozen=True)
class Principal:
    username: str
    agency: str
    roles: frozenset[UserRole]
    oversight: bool
    method: AuthMethod
    token_id: str | None = None

    def context(
        self, purpose: Purpose, *, role: UserRole | None = None,
        case_number: str | None = None, justification: str | None = None,
    ) -> RequestContext:  # fmt: skip
        """The RequestContext of a query by this principal acting in `role` (its only role
        if it has one). Raises AccessDenied for a role it does not hold, ValueError (from
        RequestContext) for a missing case number or justification."""
        if role is None:
            if len(self.roles) != 1:
                held = ", ".join(sorted(r.value for r in self.roles))
                raise AccessDenied(f"{self.username} holds several roles ({held}): name one")
            (role,) = self.roles
        if role not in self.roles:
            raise AccessDenied(f"{self.username} does not hold the role {role.value}")
        return RequestContext(self.username, self.agency, role, purpose, case_number, justification)
