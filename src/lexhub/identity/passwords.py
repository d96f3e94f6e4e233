"""Passwords: argon2id hashes with explicit, versioned cost parameters.

The defaults are RFC 9106's second recommended option (t=3, m=64 MiB, p=4), stated here
rather than inherited from argon2-cffi so an upgrade of the library cannot silently change
them. A hash made with other parameters still verifies; `verify_password` then returns a
new hash with the current ones, which the caller stores (rehash on login).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "DEFAULT_ARGON2",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "Argon2Params",
    "check_password_rules",
    "dummy_verify",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte "password" is a denial of service


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int = 3
    memory_cost: int = 65536  # KiB
    parallelism: int = 4
    hash_len: int = 32
    salt_len: int = 16


DEFAULT_ARGON2 = Argon2Params()


@lru_cache(maxsize=8)
def _hasher(params: Argon2Params) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=params.hash_len,
        salt_len=params.salt_len,
        type=Type.ID,
    )


def check_password_rules(password: str) -> str | None:
    """Why the password may not be used, or None. Length only (NIST SP 800-63B): no
    composition rules, which push people to predictable substitutions."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    if password != password.strip():
        return "a password may not start or end with white space"
    return None


def hash_password(password: str, params: Argon2Params = DEFAULT_ARGON2) -> str:
    """The argon2id PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`)."""
    return _hasher(params).hash(password)


def verify_password(
    stored: str, password: str, params: Argon2Params = DEFAULT_ARGON2
) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one used other parameters). A malformed or
    non-argon2id hash never matches. argon2 compares the digests in constant time."""
    hasher = _hasher(params)
    if not stored.startswith("$argon2id$"):
        return False, None
    try:
        hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(stored):
        return True, hasher.hash(password)
    return True, None


_DUMMY: dict[Argon2Params, str] = {}


def dummy_verify(password: str, params: Argon2Params = DEFAULT_ARGON2) -> None:
    """Spend the time of one verification, so an unknown username answers as slowly as
    a known one with a wrong password (no user enumeration by timing)."""
    if params not in _DUMMY:
        _DUMMY[params] = hash_password("not a password of anyone", params)
    verify_password(_DUMMY[params], password, params)
