"""How often a token's use is written (identity.tokens.LAST_USED_EVERY), on both engines:
once a minute at most, while revocation still takes effect at the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lexhub.identity import (
    IdentitySettings,
    IssuedToken,
    TokenRejected,
    add_user,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)
from lexhub.identity.tokens import LAST_USED_EVERY
from lexhub.model import UserRole
from lexhub.store import Store
from tests.identity.conftest import T0
from tests.store.helpers import OWNER


def last_used(store: Store, username: str) -> object:
    [info] = list_tokens(store, username)
    return info.last_used_at


@pytest.fixture
def issued(region: Store, settings: IdentitySettings) -> IssuedToken:
    """A token of the user "sync", used once at T0."""
    add_user(region, settings, "sync", OWNER, [UserRole.ANALYST], now=T0)
    token = create_token(region, settings, "sync", name="sync", now=T0)
    authenticate(region, settings, token.token, T0)
    return token


def test_last_use_is_written_at_most_once_a_minute(
    region: Store, settings: IdentitySettings, issued: IssuedToken
) -> None:
    assert last_used(region, "sync") == T0
    soon = T0 + LAST_USED_EVERY - timedelta(seconds=1)
    authenticate(region, settings, issued.token, soon)
    assert last_used(region, "sync") == T0  # no write inside the minute
    later = T0 + LAST_USED_EVERY
    authenticate(region, settings, issued.token, later)
    assert last_used(region, "sync") == later


def test_a_revoked_token_is_refused_at_once_though_its_use_was_not_rewritten(
    region: Store, settings: IdentitySettings, issued: IssuedToken
) -> None:
    revoke_token(region, settings, issued.id, now=T0 + timedelta(seconds=1))
    with pytest.raises(TokenRejected) as e:
        authenticate(region, settings, issued.token, T0 + timedelta(seconds=2))
    assert e.value.reason == "revoked"
