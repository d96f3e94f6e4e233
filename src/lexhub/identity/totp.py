"""TOTP (RFC 6238): seeds, enrolment URIs and QR codes, and code checking.

Codes are 6 digits, 30-second steps, HMAC-SHA1: what every authenticator app reads from
an `otpauth://` URI. A code is accepted for its own step and one step either side (clock
drift of up to 30 s), and a step once accepted is never accepted again for that account:
`match_step` says which step a code belongs to, the store claims it atomically.
"""

from __future__ import annotations

import hmac
import io
from datetime import datetime

import pyotp
import segno

__all__ = [
    "DIGITS",
    "INTERVAL",
    "WINDOW",
    "code_at",
    "match_step",
    "new_seed",
    "provisioning_uri",
    "qr_svg",
    "qr_text",
]

DIGITS = 6
INTERVAL = 30
WINDOW = 1  # steps accepted either side of now


def new_seed() -> str:
    """A random base32 seed of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(seed: str, username: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app enrols from. It holds the seed:
    show it once, to the user, and never log it."""
    return pyotp.TOTP(seed, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=username, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, micro=False, error="m").save(out, kind="svg", scale=4, border=4)
    return out.getvalue().decode("utf-8")


def qr_text(uri: str) -> str:
    """The QR code in block characters, for a terminal."""
    out = io.StringIO()
    segno.make(uri, micro=False, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def _step(now: datetime) -> int:
    return int(now.timestamp()) // INTERVAL


def code_at(seed: str, now: datetime) -> str:
    """The code an authenticator shows at `now` (for tests and the enrolment check)."""
    return pyotp.TOTP(seed, digits=DIGITS, interval=INTERVAL).generate_otp(_step(now))


def match_step(seed: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step within WINDOW of `now` whose code is `code`, skipping steps up to
    `after` (already used); None if none. Every candidate is compared, in constant time,
    so the answer's timing does not tell which step matched."""
    totp = pyotp.TOTP(seed, digits=DIGITS, interval=INTERVAL)
    typed = code.strip().replace(" ", "").encode("ascii", "replace")
    found: int | None = None
    current = _step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        same = hmac.compare_digest(totp.generate_otp(step).encode("ascii"), typed)
        if same and (after is None or step > after) and found is None:
            found = step
    return found
