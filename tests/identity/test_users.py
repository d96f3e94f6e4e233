"""Accounts on both engines: creation rules, roles, disable, and the events they report."""

from __future__ import annotations

import pytest

from lexhub.errors import Conflict, InputError, NotFound
from lexhub.identity import (
    EventKind,
    IdentitySettings,
    add_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_password,
    set_roles,
)
from lexhub.model import UserRole
from lexhub.store import Store
from tests.identity.conftest import PASSWORD, T0, Events, database_rows, database_text
from tests.store.helpers import OTHER, OWNER

R = UserRole


def test_users_of_agencies_with_roles_are_listed_per_agency(
    region: Store, settings: IdentitySettings, events: Events
) -> None:
    add_user(region, settings, "alice", OWNER, [R.INVESTIGATOR, R.ANALYST], now=T0,
             display_name=" Alice Example ", password=PASSWORD)  # fmt: skip
    add_user(region, settings, "ovs", OTHER, [R.AUDITOR], now=T0, oversight=True)
    alice = get_user(region, "alice")
    assert (alice.agency, alice.roles, alice.display_name) == (
        OWNER,
        frozenset({R.INVESTIGATOR, R.ANALYST}),
        "Alice Example",
    )
    assert alice.has_password and not alice.totp_enrolled and not alice.disabled
    assert alice.created_at == T0
    ovs = get_user(region, "ovs")
    assert ovs.oversight and not ovs.has_password
    assert [u.username for u in list_users(region)] == ["alice", "ovs"]
    assert [u.username for u in list_users(region, OTHER)] == ["ovs"]
    assert events.kinds() == ["user-created", "user-created"]
    assert events[0].actor is None and events[0].agency == OWNER
    assert events[0].detail == {
        "roles": ["analyst", "investigator"],
        "oversight": False,
        "password": True,
    }


@pytest.mark.parametrize(
    ("username", "agency", "roles", "oversight", "error", "message"),
    [
        ("Alice", OWNER, [R.ANALYST], False, InputError, "username"),
        ("a", OWNER, [R.ANALYST], False, InputError, "username"),
        ("al ice", OWNER, [R.ANALYST], False, InputError, "username"),
        ("alice", OWNER, [], False, InputError, "at least one role"),
        ("alice", OWNER, [R.INVESTIGATOR], True, InputError, "only an auditor"),
        ("alice", "WA9999999", [R.ANALYST], False, NotFound, "agency WA9999999"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(
    region: Store, settings: IdentitySettings, events: Events, username: str, agency: str,
    roles: list[UserRole], oversight: bool, error: type[Exception], message: str,
) -> None:  # fmt: skip
    with pytest.raises(error, match=message):
        add_user(region, settings, username, agency, roles, now=T0, oversight=oversight)
    assert list_users(region) == [] and events == []


def test_a_taken_username_or_a_short_password_is_refused(
    region: Store, settings: IdentitySettings
) -> None:
    add_user(region, settings, "alice", OWNER, [R.ANALYST], now=T0)
    with pytest.raises(Conflict, match="user alice already exists"):
        add_user(region, settings, "alice", OTHER, [R.ANALYST], now=T0)
    with pytest.raises(InputError, match="user: password: a password needs at least 12"):
        add_user(region, settings, "bob", OWNER, [R.ANALYST], now=T0, password="short")
    assert [u.username for u in list_users(region)] == ["alice"]


def test_role_change_is_stored_and_reported_with_before_and_after(
    region: Store, settings: IdentitySettings, events: Events
) -> None:
    add_user(region, settings, "carol", OWNER, [R.ANALYST], now=T0)
    user = set_roles(region, settings, "carol", [R.AUDITOR, R.RECORDS_ADMIN], now=T0,
                     oversight=True, actor="cli:root")  # fmt: skip
    assert user.roles == frozenset({R.AUDITOR, R.RECORDS_ADMIN}) and user.oversight
    assert get_user(region, "carol").roles == user.roles
    last = events[-1]
    assert (last.kind, last.actor) == (EventKind.ROLES_CHANGED, "cli:root")
    assert last.detail == {
        "roles": ["auditor", "records-admin"], "oversight": True,
        "before": ["analyst"], "oversight_before": False,
    }  # fmt: skip
    with pytest.raises(InputError, match="only an auditor"):
        set_roles(region, settings, "carol", [R.ANALYST], now=T0, oversight=True)
    with pytest.raises(NotFound, match="no user nobody"):
        set_roles(region, settings, "nobody", [R.ANALYST], now=T0)


def test_disable_and_enable_are_reported_and_not_repeated(
    region: Store, settings: IdentitySettings, events: Events
) -> None:
    add_user(region, settings, "dave", OWNER, [R.ANALYST], now=T0)
    disable_user(region, settings, "dave", now=T0, actor="admin")
    assert get_user(region, "dave").disabled
    with pytest.raises(Conflict, match="already disabled"):
        disable_user(region, settings, "dave", now=T0)
    enable_user(region, settings, "dave", now=T0)
    assert not get_user(region, "dave").disabled
    assert events.kinds() == ["user-created", "user-disabled", "user-enabled"]


def test_no_password_reaches_the_database_or_an_event(
    region: Store, settings: IdentitySettings, events: Events
) -> None:
    add_user(region, settings, "erin", OWNER, [R.ANALYST], now=T0, password=PASSWORD)
    set_password(region, settings, "erin", PASSWORD + " two", now=T0, actor="admin")
    assert events.kinds() == ["user-created", "password-changed"]
    assert "$argon2id$" in database_rows(region)  # the dump really reads the users table
    assert PASSWORD not in database_text(region)
    assert all(PASSWORD not in repr(e) for e in events)


def test_changes_join_an_open_transaction_and_roll_back_with_it(
    region: Store, settings: IdentitySettings
) -> None:
    add_user(region, settings, "fay", OWNER, [R.ANALYST], now=T0)
    with region.transaction():
        disable_user(region, settings, "fay", now=T0)
        assert get_user(region, "fay").disabled  # seen inside the transaction
    assert not get_user(region, "fay").disabled  # left without commit: rolled back
    with region.transaction() as tx:
        disable_user(region, settings, "fay", now=T0)
        tx.commit()
    assert get_user(region, "fay").disabled
