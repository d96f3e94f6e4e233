"""`lexhub token create/list/revoke`: API tokens for programs acting as a user."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from lexhub import identity
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.cli.user import actor, identity_settings, now
from lexhub.identity import TokenInfo

app = typer.Typer(cls=LexhubGroup, help="API tokens: create, list, revoke.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _info_json(t: TokenInfo, state: str) -> dict[str, object]:
    return {
        "id": t.id,
        "username": t.username,
        "name": t.name,
        "state": state,
        "created_at": t.created_at.isoformat(timespec="seconds"),
        "expires_at": t.expires_at.isoformat(timespec="seconds"),
        "revoked_at": t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else None,
        "last_used_at": t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else None,
    }


@app.command("create")
def create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user the token acts for.")],
    name: Annotated[str, typer.Option(help="What uses the token, e.g. 'rms-sync'.")],
    days: Annotated[int, typer.Option(help="Days until the token expires (at most 366).")] = 90,
    as_json: JsonFlag = False,
) -> None:
    """Create a token and print it, once: only its SHA-256 digest is kept."""
    with opened_store(ctx) as store:
        issued = identity.create_token(
            store, identity_settings(store), username, name=name, now=now(),
            lifetime=timedelta(days=days), actor=actor(),
        )  # fmt: skip
    if as_json:
        emit_json(
            {
                "id": issued.id,
                "username": issued.username,
                "name": issued.name,
                "token": issued.token,
                "expires_at": issued.expires_at.isoformat(timespec="seconds"),
            }
        )
        return
    typer.echo(issued.token)
    typer.echo(
        f"token {issued.id} for {issued.username}, expires {issued.expires_at:%Y-%m-%d};"
        " shown once, store it now",
        err=True,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Tokens with their state (active, expired, revoked); never the token itself."""
    at = now()
    with opened_store(ctx) as store:
        tokens = identity.list_tokens(store, user)
    if as_json:
        emit_json([_info_json(t, t.state(at)) for t in tokens])
        return
    rows = [
        [t.id, t.username, t.name, t.state(at), f"{t.expires_at:%Y-%m-%d}",
         t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else None]
        for t in tokens
    ]  # fmt: skip
    console.print(
        table("API tokens", ["id", "user", "name", "state", "expires", "last used"], rows)
    )


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token's id (16 hex digits).")],
) -> None:
    """Revoke a token at once; it is kept, revoked, for the record."""
    with opened_store(ctx) as store:
        identity.revoke_token(store, identity_settings(store), token_id, now=now(), actor=actor())
    console.print(f"token {token_id} revoked")
