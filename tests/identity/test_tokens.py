"""API tokens on both engines: shown once, stored as a digest only, expiry, revocation."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from lexhub.errors import Conflict, InputError, NotFound
from lexhub.identity import (
    AuthMethod,
    IdentitySettings,
    TokenRejected,
    add_user,
    authenticate,
    create_token,
    disable_user,
    enable_user,
    list_tokens,
    revoke_token,
    set_roles,
)
from lexhub.model import UserRole
from lexhub.store import Store
from tests.identity.conftest import T0, Events, database_rows, database_text
from tests.store.helpers import OWNER


@pytest.fixture
def svc(region: Store, settings: IdentitySettings) -> str:
    add_user(region, settings, "rms-sync", OWNER, [UserRole.ANALYST], now=T0)
    return "rms-sync"


def reason(store: Store, settings: IdentitySettings, token: str, at: datetime = T0) -> str:
    """Why the token is rejected (it must be), behind the one message for every reason."""
    with pytest.raises(TokenRejected, match="^invalid, expired or revoked API token$") as e:
        authenticate(store, settings, token, at)
    return e.value.reason


def test_a_token_acts_for_its_user_with_the_users_current_roles(
    region: Store, settings: IdentitySettings, events: Events, svc: str
) -> None:
    issued = create_token(region, settings, svc, name="nightly sync", now=T0, actor="admin")
    assert issued.token.startswith(f"lxh_{issued.id}_") and len(issued.token) >= 4 + 16 + 1 + 43
    assert issued.expires_at == T0 + timedelta(days=90)
    p = authenticate(region, settings, issued.token, T0 + timedelta(hours=1))
    assert (p.username, p.agency, p.method, p.token_id) == (svc, OWNER, AuthMethod.TOKEN, issued.id)
    assert p.roles == frozenset({UserRole.ANALYST})
    set_roles(region, settings, svc, [UserRole.INVESTIGATOR], now=T0)
    assert authenticate(region, settings, issued.token, T0).roles == {UserRole.INVESTIGATOR}
    [info] = list_tokens(region, svc)
    assert (info.id, info.name, info.state(T0)) == (issued.id, "nightly sync", "active")
    assert info.last_used_at == T0
    created = events[1]
    assert (created.kind, created.actor, created.detail["token_id"]) == (
        "token-created", "admin", issued.id
    )  # fmt: skip
    assert all(issued.token not in repr(e) for e in events)


def test_only_the_sha256_digest_is_stored(
    region: Store, settings: IdentitySettings, svc: str
) -> None:
    issued = create_token(region, settings, svc, name="sync", now=T0)
    secret = issued.token[len("lxh_") + 17 :]
    assert len(secret) == 43
    assert hashlib.sha256(issued.token.encode()).hexdigest() in database_rows(region)
    text = database_text(region)
    assert issued.token not in text and secret not in text


def test_a_token_expires_at_its_instant(
    region: Store, settings: IdentitySettings, svc: str
) -> None:
    issued = create_token(region, settings, svc, name="s", now=T0, lifetime=timedelta(days=1))
    end = T0 + timedelta(days=1)
    authenticate(region, settings, issued.token, end - timedelta(microseconds=1))
    assert reason(region, settings, issued.token, end) == "expired"
    assert list_tokens(region)[0].state(end) == "expired"


def test_a_revoked_token_is_rejected_at_once_and_revoking_twice_says_so(
    region: Store, settings: IdentitySettings, events: Events, svc: str
) -> None:
    issued = create_token(region, settings, svc, name="s", now=T0)
    other = create_token(region, settings, svc, name="t", now=T0)
    revoke_token(region, settings, issued.id, now=T0, actor="admin")
    assert reason(region, settings, issued.token) == "revoked"
    authenticate(region, settings, other.token, T0)  # only that one
    assert [e.kind for e in events][-2:] == ["token-revoked", "token-rejected"]
    assert events[-1].detail == {"reason": "revoked", "token_id": issued.id}
    with pytest.raises(Conflict, match="already revoked"):
        revoke_token(region, settings, issued.id, now=T0)
    with pytest.raises(NotFound, match="no token 0000000000000000"):
        revoke_token(region, settings, "0000000000000000", now=T0)
    states = {t.id: t.state(T0) for t in list_tokens(region)}
    assert states == {issued.id: "revoked", other.id: "active"}


def test_forged_altered_and_malformed_tokens_are_rejected(
    region: Store, settings: IdentitySettings, svc: str
) -> None:
    issued = create_token(region, settings, svc, name="s", now=T0)
    last = issued.token[-1]
    altered = issued.token[:-1] + ("A" if last != "A" else "B")
    assert reason(region, settings, altered) == "mismatch"
    unknown = "lxh_0123456789abcdef_" + issued.token[len("lxh_") + 17 :]
    assert reason(region, settings, unknown) == "unknown"
    for bad in ("", "lxh_", issued.token[:30], "Bearer " + issued.token, issued.id):
        assert reason(region, settings, bad) == "malformed"


def test_a_disabled_users_tokens_stop_and_none_can_be_made(
    region: Store, settings: IdentitySettings, svc: str
) -> None:
    issued = create_token(region, settings, svc, name="s", now=T0)
    disable_user(region, settings, svc, now=T0)
    assert reason(region, settings, issued.token) == "disabled"
    with pytest.raises(Conflict, match="is disabled"):
        create_token(region, settings, svc, name="again", now=T0)
    enable_user(region, settings, svc, now=T0)
    authenticate(region, settings, issued.token, T0)


def test_lifetime_and_name_are_checked(region: Store, settings: IdentitySettings, svc: str) -> None:
    for lifetime in (timedelta(0), timedelta(days=367)):
        with pytest.raises(InputError, match="token: expires"):
            create_token(region, settings, svc, name="s", now=T0, lifetime=lifetime)
    with pytest.raises(InputError, match="token: name"):
        create_token(region, settings, svc, name=" ", now=T0)
    with pytest.raises(NotFound, match="no user nobody"):
        create_token(region, settings, "nobody", name="s", now=T0)
    assert list_tokens(region) == []
