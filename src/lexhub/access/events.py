"""Identity events into the audit log: every account change, login decision and token
decision becomes a chained entry (`lexhub.identity` reports them through `on_event`).

The entry carries the account's name and agency and the event's small detail values,
never a secret. Written with `record_event`: its own transaction, after the identity
change committed; if the audit write fails the caller sees AuditWriteFailed.
"""

from __future__ import annotations

from collections.abc import Callable

from lexhub.audit import record_event
from lexhub.identity import EventKind, IdentityEvent
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.store import Store

__all__ = ["AUDIT_KIND", "audit_sink"]

AUDIT_KIND: dict[EventKind, AuditKind] = {
    EventKind.USER_CREATED: AuditKind.USER_CHANGE,
    EventKind.ROLES_CHANGED: AuditKind.ROLE_CHANGE,
    EventKind.PASSWORD_CHANGED: AuditKind.PASSWORD_CHANGE,
    EventKind.TOTP_ENROLLED: AuditKind.PASSWORD_CHANGE,
    EventKind.USER_DISABLED: AuditKind.USER_CHANGE,
    EventKind.USER_ENABLED: AuditKind.USER_CHANGE,
    EventKind.USER_UNLOCKED: AuditKind.USER_CHANGE,
    EventKind.LOGIN_OK: AuditKind.LOGIN,
    EventKind.LOGIN_FAILED: AuditKind.LOGIN_FAILED,
    EventKind.LOCKOUT: AuditKind.LOGIN_FAILED,
    EventKind.TOKEN_CREATED: AuditKind.TOKEN_CHANGE,
    EventKind.TOKEN_REVOKED: AuditKind.TOKEN_CHANGE,
    EventKind.TOKEN_REJECTED: AuditKind.DENIED,
}


def audit_sink(store: Store) -> Callable[[IdentityEvent], None]:
    """An `on_event` for IdentitySettings that writes each event to `store`'s audit log."""

    def write(event: IdentityEvent) -> None:
        details: dict[str, object] = {"event": event.kind.value, "username": event.username}
        if event.agency:
            details["agency"] = event.agency
        details.update({k: v for k, v in event.detail.items() if k not in details})
        record_event(
            store,
            AuditEvent(
                AUDIT_KIND[event.kind],
                actor=event.actor or event.username,
                details=details,
            ),
            now=lambda: event.at,
        )

    return write
