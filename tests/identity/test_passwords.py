"""argon2id hashing: the stated defaults, verification, rehash on a parameter change."""

from __future__ import annotations

import argon2
import pytest

from lexhub.identity.passwords import (
    DEFAULT_ARGON2,
    Argon2Params,
    check_password_rules,
    hash_password,
    verify_password,
)
from tests.identity.conftest import CHEAP, PASSWORD


def test_default_hash_is_argon2id_with_rfc9106_parameters() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    params = argon2.extract_parameters(stored)
    assert (params.hash_len, params.salt_len) == (32, 16)
    assert DEFAULT_ARGON2 == Argon2Params(3, 65536, 4, 32, 16)
    assert verify_password(stored, PASSWORD) == (True, None)


def test_hash_is_salted_and_a_wrong_password_fails() -> None:
    first, second = hash_password(PASSWORD, CHEAP), hash_password(PASSWORD, CHEAP)
    assert first != second and PASSWORD not in first
    assert verify_password(first, PASSWORD + "x", CHEAP) == (False, None)
    assert verify_password(first, PASSWORD, CHEAP) == (True, None)


def test_a_hash_with_other_parameters_verifies_and_is_rehashed() -> None:
    old = hash_password(PASSWORD, CHEAP)
    stronger = Argon2Params(time_cost=2, memory_cost=128, parallelism=1)
    ok, new = verify_password(old, PASSWORD, stronger)
    assert ok and new is not None
    assert new.startswith("$argon2id$v=19$m=128,t=2,p=1$")
    assert verify_password(new, PASSWORD, stronger) == (True, None)


def test_other_argon2_variants_and_garbage_never_match() -> None:
    argon2i = argon2.PasswordHasher(
        time_cost=1, memory_cost=64, parallelism=1, type=argon2.Type.I
    ).hash(PASSWORD)
    assert verify_password(argon2i, PASSWORD, CHEAP) == (False, None)
    assert verify_password("$argon2id$garbage", PASSWORD, CHEAP) == (False, None)
    assert verify_password("", PASSWORD, CHEAP) == (False, None)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("x" * 1025, "at most 1024"),
        (" leading space x", "white space"),
        ("a perfectly fine passphrase", None),
    ],
)
def test_password_rules_are_about_length(password: str, problem: str | None) -> None:
    why = check_password_rules(password)
    assert (why is None) if problem is None else (why is not None and problem in why)
