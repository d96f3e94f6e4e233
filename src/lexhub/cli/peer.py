"""`lexhub peer add/list/remove/check/identity/rotate-key/witness`: this node's federation
peers and its own federation identity (docs/federation.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from lexhub.audit import create_checkpoint
from lexhub.cli.audit import _actor
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, state, table
from lexhub.errors import LexhubError
from lexhub.federation import (
    NodeIdentity,
    add_peer,
    check_peer,
    ensure_node_key,
    exchange_checkpoints,
    find_peer,
    public_key_pem,
    read_public_key_file,
    remove_peer,
    rotate_node_key,
)
from lexhub.model.federation import Peer

app = typer.Typer(
    cls=LexhubGroup,
    help="Federation peers: the nodes this node searches and answers.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
NodeName = Annotated[
    str | None,
    typer.Option(
        "--name",
        help="This node's name, the first time its federation key is made (default: the "
        "host name). Peers register the node under it.",
        show_default=False,
    ),
]


def _identity(ctx: typer.Context, name: str | None = None) -> NodeIdentity:
    return ensure_node_key(state(ctx).settings.key_dir, name)


def _peer_json(p: Peer) -> dict[str, Any]:
    return {
        "name": p.name,
        "url": p.url,
        "agencies": list(p.agencies),
        "keys": [{"key_id": k.key_id, "public_key": k.public_key,
                  "added_at": k.added_at.isoformat(),
                  "retired_at": None if k.retired_at is None else k.retired_at.isoformat()}
                 for k in p.keys],
        "added_at": p.added_at.isoformat(),
        "removed_at": None if p.removed_at is None else p.removed_at.isoformat(),
    }  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The peer's node name (as it signs).")],
    url: Annotated[str, typer.Argument(help="The peer's base URL, e.g. https://node-b:8443.")],
    public_key: Annotated[
        Path | None,
        typer.Option(
            help="The peer's federation public key (PEM, from its `peer identity "
            "--export`). Needed for a new peer; given again, the key is added."
        ),
    ] = None,  # fmt: skip
    agencies: Annotated[
        str, typer.Option(help="The agencies (ORIs, comma-separated) the peer may speak for.")
    ] = "",
    as_json: JsonFlag = False,
) -> None:
    """Register a peer, or change its URL, agencies or keys (audited)."""
    keys = [] if public_key is None else [read_public_key_file(public_key)]
    oris = [a for a in agencies.split(",") if a.strip()]
    with opened_store(ctx) as store:
        peer = add_peer(store, name, url, keys, oris, actor=_actor())
    if as_json:
        emit_json(_peer_json(peer))
    else:
        console.print(f"peer {peer.name} at {peer.url} speaks for {', '.join(peer.agencies)}")


@app.command("list")
def list_peers(
    ctx: typer.Context,
    removed: Annotated[bool, typer.Option(help="Also list removed peers.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The registered peers."""
    with opened_store(ctx) as store:
        peers = store.peers(include_removed=removed)
    if as_json:
        emit_json([_peer_json(p) for p in peers])
        return
    rows = [[p.name, p.url, ", ".join(p.agencies), ", ".join(k.key_id for k in p.active_keys),
             "active" if p.active else f"removed {p.removed_at:%Y-%m-%d}"]
            for p in peers]  # fmt: skip
    console.print(table("Peers", ["name", "url", "speaks for", "keys", "status"], rows))


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The peer to remove.")],
    as_json: JsonFlag = False,
) -> None:
    """Stop answering and searching a peer (audited; its record stays)."""
    with opened_store(ctx) as store:
        remove_peer(store, name, actor=_actor())
    if as_json:
        emit_json({"removed": name})
    else:
        console.print(f"peer {name} removed")


@app.command("check")
def check(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="One peer (default: every peer).")] = None,
    deadline: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 5.0,
    as_json: JsonFlag = False,
) -> None:
    """Is each peer up (/healthz), who it says it is, and does it accept our signature?"""
    identity = _identity(ctx)
    with opened_store(ctx) as store:
        peers = [find_peer(store, name)] if name else store.peers()

    async def all_checks() -> list[Any]:
        return list(await asyncio.gather(
            *(check_peer(identity, p, deadline=deadline) for p in peers)
        ))  # fmt: skip

    checks = asyncio.run(all_checks())
    if as_json:
        emit_json([c.to_dict() for c in checks])
    else:
        rows = [[c.peer, "OK" if c.ok else "PROBLEM", c.health, c.node, c.key_known, c.signed,
                 c.detail] for c in checks]  # fmt: skip
        console.print(table("Peer check", ["peer", "", "healthz", "node", "key known",
                                           "signed ping", "detail"], rows))  # fmt: skip
    if not all(c.ok for c in checks):
        raise LexhubError(f"{sum(not c.ok for c in checks)} peer(s) failed the check")


@app.command("identity")
def identity(
    ctx: typer.Context,
    name: NodeName = None,
    export: Annotated[
        Path | None, typer.Option(help="Write the active public key (PEM) here for peers.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """This node's name and federation public keys (made on first use)."""
    me = _identity(ctx, name)
    if export is not None:
        export.write_text(public_key_pem(me.active.public_key), encoding="ascii")
    if as_json:
        emit_json({**me.public_info(), "active": me.active.key_id})
    else:
        console.print(f"node {me.name}, federation key {me.active.key_id}: "
                      f"{me.active.public_key}")  # fmt: skip
        if export is not None:
            console.print(f"public key written to {export}")


@app.command("rotate-key")
def rotate_key(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """New federation key; the old one is retired and stays listed. Then give peers the new
    public key (`peer identity --export`): registering it retires the old one there too."""
    me = rotate_node_key(state(ctx).settings.key_dir)
    if as_json:
        emit_json({**me.public_info(), "active": me.active.key_id})
    else:
        console.print(f"node {me.name}: federation key {me.active.key_id} is active")


@app.command("witness")
def witness(
    ctx: typer.Context,
    deadline: Annotated[float, typer.Option(help="Seconds to wait for each peer.")] = 5.0,
    as_json: JsonFlag = False,
) -> None:
    """Sign a checkpoint of the audit log, send it to every peer and keep theirs."""
    me = _identity(ctx)
    with opened_store(ctx) as store:
        checkpoint = create_checkpoint(store, state(ctx).settings.key_dir)
        outcome = asyncio.run(exchange_checkpoints(store, me, checkpoint, deadline=deadline))
    if as_json:
        emit_json({"checkpoint": checkpoint.size, "peers": outcome})
        return
    rows = [[p, o["sent"], o["received"]] for p, o in sorted(outcome.items())]
    console.print(table(f"Checkpoint of {checkpoint.size} entries",
                        ["peer", "sent", "received"], rows))  # fmt: skip
