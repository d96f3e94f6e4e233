"""How identity behaves on this node: hashing cost, lockout, token lifetime, the sealing key
and where events go. Built once by the entry point (CLI, service) and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lexhub.identity.events import EventSink, IdentityEvent
from lexhub.identity.passwords import DEFAULT_ARGON2, Argon2Params
from lexhub.identity.sealing import SealingKey

__all__ = ["IdentitySettings", "aware"]


@dataclass(frozen=True)
class IdentitySettings:
    argon2: Argon2Params = DEFAULT_ARGON2
    sealing_key: SealingKey | None = None  # None: TOTP seeds stored in clear (docs)
    issuer: str = "lexhub"  # the name authenticator apps show beside the account
    max_failures: int = 5  # consecutive failed logins that lock the account
    lock_for: timedelta = timedelta(minutes=10)
    token_lifetime: timedelta = timedelta(days=90)
    max_token_lifetime: timedelta = timedelta(days=366)
    on_event: EventSink | None = None

    def emit(self, event: IdentityEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)


def aware(now: datetime) -> datetime:
    """`now` as given, refusing a naive datetime: lockouts and expiries compare instants,
    and a naive one would silently mean the machine's local time."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (datetime.now(UTC))")
    return now
