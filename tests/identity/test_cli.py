"""`lexhub user` and `lexhub token` end to end on a SQLite file, with the default argon2
cost (the CLI has no test knob), checked against the identity API on the same database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.identity import (
    IdentitySettings,
    LoginFailed,
    SealingKey,
    TokenRejected,
    authenticate,
    login,
)
from lexhub.identity.totp import code_at
from lexhub.store import open_store
from tests.identity.conftest import CHEAP, PASSWORD, database_rows, database_text
from tests.store.helpers import OWNER

runner = CliRunner()


def run(db: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "node.db"
    assert run(path, "init")[0] == 0
    assert run(path, "agency", "add", OWNER, "--name", "Example County Sheriff")[0] == 0
    return path


def add_bare(db: Path, username: str = "alice") -> None:
    """A user without a password: no default-cost argon2 hash to wait for."""
    code, _, err = run(
        db, "user", "add", username, "--agency", OWNER, "--role", "analyst", "--no-password"
    )
    assert code == 0, err


def add_alice(db: Path) -> None:
    code, out, err = run(
        db, "user", "add", "alice", "--agency", OWNER, "--role", "investigator",
        "--role", "analyst", "--name", "Alice Example", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, out, err) == (0, f"user alice of {OWNER} created\n", "")


def test_add_enrol_and_log_in_with_what_the_cli_set(db: Path) -> None:
    add_alice(db)
    code, out, _ = run(db, "user", "totp-enrol", "alice", "--json")
    enrolment = json.loads(out)
    assert code == 0 and f"secret={enrolment['seed']}" in enrolment["uri"]
    now = datetime.now(UTC)
    with open_store(str(db)) as store:
        p = login(
            store, IdentitySettings(), "alice", PASSWORD, code_at(enrolment["seed"], now), now
        )
        assert PASSWORD not in database_text(store)
    assert p.agency == OWNER and {r.value for r in p.roles} == {"investigator", "analyst"}

    code, out, _ = run(db, "user", "list", "--json")
    [row] = json.loads(out)
    assert row["roles"] == ["analyst", "investigator"] and row["totp"] and row["password"]
    assert row["status"] == "active" and row["last_login_at"] is not None
    assert "hash" not in out and enrolment["seed"] not in out


def test_terminal_enrolment_shows_a_qr_code_and_writes_svg(db: Path, tmp_path: Path) -> None:
    add_bare(db)
    svg = tmp_path / "alice.svg"
    code, out, _ = run(db, "user", "totp-enrol", "alice", "--svg", str(svg))
    assert code == 0 and "█" in out and "Scan with an authenticator app" in out
    assert svg.read_text().lstrip().startswith("<?xml")


def test_password_prompt_is_hidden_and_confirmed(db: Path) -> None:
    code, out, err = run(
        db, "user", "add", "bob", "--agency", OWNER, "--role", "analyst",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert code == 0, err
    assert PASSWORD not in out  # hidden: not echoed
    code, _, err = run(db, "user", "passwd", "bob", "--password-stdin", stdin="too short\n")
    assert (code, err) == (1, "Error: user: password: a password needs at least 12 characters\n")


def test_one_line_errors(db: Path) -> None:
    add_bare(db)
    cases = [
        (("user", "add", "ovs", "--agency", OWNER, "--role", "analyst", "--oversight",
          "--no-password"),
         "Error: user: oversight: only an auditor may have oversight of every agency\n"),
        (("user", "add", "x1", "--agency", "WA9999999", "--role", "analyst", "--no-password"),
         "Error: agency WA9999999 is not registered (lexhub agency add)\n"),
        (("user", "add", "alice", "--agency", OWNER, "--role", "analyst", "--no-password"),
         "Error: user alice already exists\n"),
        (("user", "unlock", "nobody"), "Error: no user nobody\n"),
        (("token", "revoke", "0123456789abcdef"), "Error: no token 0123456789abcdef\n"),
        (("token", "create", "alice", "--name", "s", "--days", "400"),
         "Error: token: expires: a token lives more than 0 and at most 366 days\n"),
    ]  # fmt: skip
    for args, message in cases:
        code, _, err = run(db, *args)
        assert (code, err) == (1, message), args


def test_token_create_list_revoke(db: Path) -> None:
    add_bare(db, "svc")
    code, out, err = run(db, "token", "create", "svc", "--name", "rms sync", "--days", "30")
    token = out.strip()
    assert code == 0 and token.startswith("lxh_") and "shown once" in err
    code, out, _ = run(db, "token", "create", "svc", "--name", "other", "--json")
    other = json.loads(out)
    now = datetime.now(UTC)
    with open_store(str(db)) as store:
        assert authenticate(store, IdentitySettings(), token, now).username == "svc"
        assert other["token"] not in database_text(store)
    code, out, _ = run(db, "token", "list", "--user", "svc", "--json")
    listed = {t["name"]: t for t in json.loads(out)}
    assert set(listed) == {"rms sync", "other"} and token not in out
    first = listed["rms sync"]
    expires = datetime.fromisoformat(first["expires_at"])
    assert timedelta(days=29) < expires - now <= timedelta(days=30)
    assert first["last_used_at"] is not None and first["state"] == "active"
    assert run(db, "token", "revoke", first["id"])[1] == f"token {first['id']} revoked\n"
    code, out, _ = run(db, "token", "list", "--json")
    assert {t["name"]: t["state"] for t in json.loads(out)} == {
        "rms sync": "revoked",
        "other": "active",
    }
    with open_store(str(db)) as store, pytest.raises(TokenRejected):
        authenticate(store, IdentitySettings(), token, datetime.now(UTC))


def test_disable_enable_unlock(db: Path) -> None:
    add_bare(db)  # each failed login then costs a cheap dummy verification
    now = datetime.now(UTC)
    with open_store(str(db)) as store:
        for _ in range(5):
            with pytest.raises(LoginFailed):
                login(store, IdentitySettings(argon2=CHEAP), "alice", "not it", "000000", now)
    code, out, _ = run(db, "user", "list", "--json")
    assert json.loads(out)[0]["status"] == "locked"
    assert run(db, "user", "unlock", "alice")[1] == "user alice: unlocked\n"
    assert json.loads(run(db, "user", "list", "--json")[1])[0]["status"] == "active"
    assert run(db, "user", "disable", "alice")[1] == "user alice: disabled\n"
    assert json.loads(run(db, "user", "list", "--json")[1])[0]["status"] == "disabled"
    assert run(db, "user", "disable", "alice")[2] == "Error: user alice is already disabled\n"
    assert run(db, "user", "enable", "alice")[1] == "user alice: enabled\n"


def test_roles_replaces_the_roles(db: Path) -> None:
    add_bare(db)
    code, out, _ = run(db, "user", "roles", "alice", "--role", "auditor", "--oversight", "--json")
    row = json.loads(out)
    assert (row["roles"], row["oversight"]) == (["auditor"], True)


def test_sealed_enrolment_with_a_key_file(db: Path, tmp_path: Path) -> None:
    add_alice(db)
    key = tmp_path / "totp.key"
    assert run(db, "user", "totp-key", str(key))[0] == 0
    assert key.stat().st_mode & 0o777 == 0o600
    assert run(db, "user", "totp-key", str(key))[0] == 1  # never overwritten
    code, out, _ = run(db, "user", "totp-enrol", "alice", "--key-file", str(key), "--json")
    seed = json.loads(out)["seed"]
    now = datetime.now(UTC)
    with open_store(str(db)) as store:
        assert "aesgcm1:" in database_rows(store) and seed not in database_text(store)
        sealed = IdentitySettings(sealing_key=SealingKey.load(key))
        login(store, sealed, "alice", PASSWORD, code_at(seed, now), now)
