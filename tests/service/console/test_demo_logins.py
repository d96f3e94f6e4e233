"""`lexhub demo` prints console logins (password and TOTP secret) that open the console."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.identity.totp import code_at
from lexhub.service.app import create_app
from tests.service.console.conftest import Browser, Clock


def test_the_demo_users_sign_in_to_the_console_with_the_printed_secrets(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(app, ["--db", str(db), "demo", "--out", str(tmp_path / "data"),
                                      "--people", "200", "--records", "600"])  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    logins = re.findall(r"^  (\S+) +(\S+) +password (\S+)  TOTP secret ([A-Z2-7]+)$",
                        result.stdout, re.M)  # fmt: skip
    assert {(u, r) for u, r, _, _ in logins} == {
        ("det.city", "investigator"), ("records.city", "records-admin"),
        ("auditor.oversight", "auditor"),
    }  # fmt: skip
    clock = Clock()
    node = create_app(f"sqlite:///{db}", now=clock)
    for username, _, password, seed in logins:
        browser = Browser(node)
        r = browser.post("/login", {"username": username, "password": password,
                                    "code": code_at(seed, clock())})  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] != "/login", username
        assert browser.get(r.headers["location"]).status_code == 200
