"""`lexhub user add/list/roles/passwd/totp-enrol/totp-key/disable/enable/unlock`."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from lexhub import identity
from lexhub.access import audit_sink
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.errors import InputError
from lexhub.identity import IdentitySettings, SealingKey, User
from lexhub.model import UserRole
from lexhub.store import Store

app = typer.Typer(
    cls=LexhubGroup,
    help="Users of agencies: roles, passwords, second factor.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Username = Annotated[str, typer.Argument(help="The user's login name.")]
Roles = Annotated[
    list[UserRole], typer.Option("--role", help="A role; repeat for several.", show_default=False)
]
Oversight = Annotated[
    bool, typer.Option("--oversight", help="An auditor of every agency (an oversight body).")
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]
KeyFile = Annotated[
    Path | None,
    typer.Option("--key-file", help="Seal the TOTP seed with this key (see `user totp-key`)."),
]


def identity_settings(store: Store, key_file: Path | None = None) -> IdentitySettings:
    """The one place the CLI builds identity settings: every event goes to `store`'s
    audit log."""
    return IdentitySettings(
        sealing_key=None if key_file is None else SealingKey.load(key_file),
        on_event=audit_sink(store),
    )


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def now() -> datetime:
    return datetime.now(UTC)


def read_password(from_stdin: bool) -> str:
    """Never from an argument (it would sit in the shell history and the process list)."""
    if from_stdin:
        line: str = typer.get_text_stream("stdin").readline()
        if not line:
            raise InputError("stdin", None, "password", "no password on stdin")
        return line.rstrip("\r\n")
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return text


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _status(u: User, at: datetime) -> str:
    return "disabled" if u.disabled else "locked" if u.locked(at) else "active"


def user_json(u: User, at: datetime) -> dict[str, object]:
    return {
        "username": u.username,
        "agency": u.agency,
        "display_name": u.display_name,
        "roles": sorted(r.value for r in u.roles),
        "oversight": u.oversight,
        "status": _status(u, at),
        "password": u.has_password,
        "totp": u.totp_enrolled,
        "failed_logins": u.failed_logins,
        "locked_until": _when(u.locked_until),
        "created_at": _when(u.created_at),
        "last_login_at": _when(u.last_login_at),
    }


@app.command("add")
def add(
    ctx: typer.Context,
    username: Username,
    agency: Annotated[str, typer.Option(help="ORI of the user's agency.")],
    role: Roles,
    oversight: Oversight = False,
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: API tokens only, for now.")
    ] = False,
    password_stdin: PasswordStdin = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a user of an agency; asks for the password (hidden) unless --no-password."""
    password = None if no_password else read_password(password_stdin)
    at = now()
    with opened_store(ctx) as store:
        user = identity.add_user(
            store, identity_settings(store), username, agency, role, now=at, oversight=oversight,
            display_name=name, password=password, actor=actor(),
        )  # fmt: skip
    if as_json:
        emit_json(user_json(user, at))
    else:
        console.print(f"user {user.username} of {user.agency} created")


@app.command("list")
def list_(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency's users.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Users with their roles and state (never a hash or a seed)."""
    at = now()
    with opened_store(ctx) as store:
        users = identity.list_users(store, agency)
    if as_json:
        emit_json([user_json(u, at) for u in users])
        return
    rows = [
        [
            u.username, u.agency, ", ".join(sorted(r.value for r in u.roles))
            + (" (oversight)" if u.oversight else ""), _status(u, at),
            "yes" if u.totp_enrolled else "no", _when(u.last_login_at),
        ]
        for u in users
    ]  # fmt: skip
    console.print(table("Users", ["user", "agency", "roles", "status", "totp", "last login"], rows))


@app.command("roles")
def roles(
    ctx: typer.Context, username: Username, role: Roles, oversight: Oversight = False,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Replace a user's roles (and oversight flag) with the ones given."""
    at = now()
    with opened_store(ctx) as store:
        user = identity.set_roles(
            store,
            identity_settings(store),
            username,
            role,
            now=at,
            oversight=oversight,
            actor=actor(),
        )
    if as_json:
        emit_json(user_json(user, at))
    else:
        console.print(f"user {username}: {', '.join(sorted(r.value for r in user.roles))}")


@app.command("passwd")
def passwd(ctx: typer.Context, username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password (asked for, hidden, twice; or --password-stdin)."""
    password = read_password(password_stdin)
    with opened_store(ctx) as store:
        identity.set_password(
            store, identity_settings(store), username, password, now=now(), actor=actor()
        )
    console.print(f"password of {username} changed")


@app.command("totp-enrol")
def totp_enrol(
    ctx: typer.Context,
    username: Username,
    key_file: KeyFile = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Also write the QR code to this SVG file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Give a user a new TOTP second factor and show its QR code, once."""
    with opened_store(ctx) as store:
        settings = identity_settings(store, key_file)
        enrolment = identity.enrol_totp(store, settings, username, now=now(), actor=actor())
    if svg is not None:
        svg.write_text(enrolment.svg, encoding="utf-8")
    if as_json:
        emit_json({"username": username, "uri": enrolment.uri, "seed": enrolment.seed})
        return
    typer.echo(enrolment.text)
    typer.echo(f"Scan with an authenticator app, or enter the key {enrolment.seed}")
    typer.echo("This is shown once; any earlier second factor of this user no longer works.")


@app.command("totp-key")
def totp_key(
    path: Annotated[Path, typer.Argument(help="Where to create the key file (mode 600).")],
) -> None:
    """Create a key file for sealing TOTP seeds (keep it outside the database and backups)."""
    SealingKey.generate().write(path)
    console.print(f"key written to {path}")


def _change(ctx: typer.Context, username: str, action: str) -> None:
    fn, done = {
        "disable": (identity.disable_user, "disabled"),
        "enable": (identity.enable_user, "enabled"),
        "unlock": (identity.unlock_user, "unlocked"),
    }[action]
    with opened_store(ctx) as store:
        fn(store, identity_settings(store), username, now=now(), actor=actor())
    console.print(f"user {username}: {done}")


@app.command("disable")
def disable(ctx: typer.Context, username: Username) -> None:
    """No more logins or API token use; the account and its history are kept."""
    _change(ctx, username, "disable")


@app.command("enable")
def enable(ctx: typer.Context, username: Username) -> None:
    """Let a disabled user log in (and its unrevoked, unexpired tokens work) again."""
    _change(ctx, username, "enable")


@app.command("unlock")
def unlock(ctx: typer.Context, username: Username) -> None:
    """Lift a lockout (5 failed logins) before its 10 minutes are over."""
    _change(ctx, username, "unlock")
