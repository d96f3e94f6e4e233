"""CSRF tokens: every console form carries one, every POST is refused without it.

The token is SHA-256 of a domain tag and the cookie's secret (the session id, or before
login a random pre-session cookie): a page from another site, which can read neither our
cookies nor our pages, cannot produce it, and neither can a reader of the store, which
keeps a differently tagged hash of the session id. SameSite=Strict cookies are a
second line, not the only one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["FIELD", "PRE_COOKIE", "csrf_token", "new_pre_session", "valid_csrf"]

FIELD = "csrf_token"
PRE_COOKIE = "lexhub_pre"  # the login form's cookie, before there is a session


def new_pre_session() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: str) -> str:
    return hashlib.sha256(
        b"lexhub-console-csrf\x00" + secret.encode("ascii", "replace")
    ).hexdigest()


def valid_csrf(secret: str | None, given: str | None) -> bool:
    """Constant-time check of a form's token against the cookie it must come with."""
    if not secret or not given:
        return False
    return hmac.compare_digest(csrf_token(secret).encode(), given.encode("utf-8"))
