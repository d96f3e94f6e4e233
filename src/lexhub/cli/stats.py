"""`lexhub init` and `lexhub stats`."""

from __future__ import annotations

from typing import Annotated

import typer

from lexhub.audit import ensure_audit_key
from lexhub.cli.output import JSON_HELP, console, emit_json, opened_store, state, table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def init(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Create the database, or upgrade its schema to this version of lexhub, and create
    the node's audit signing key if it has none."""
    settings = state(ctx).settings
    with opened_store(ctx, migrate=True) as store:
        version = store.schema_version()
        key = ensure_audit_key(store, settings.key_dir)
    if as_json:
        emit_json(
            {"db": settings.db, "schema_version": version, "audit_key": key.key_id,
             "key_dir": settings.key_dir}
        )  # fmt: skip
    else:
        console.print(f"{settings.db}: lexhub schema version {version}")
        console.print(f"audit key {key.key_id} (private key in {settings.key_dir})")


def stats(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Counts of agencies, records by owner, type and status, versions, index rows, size."""
    with opened_store(ctx) as store:
        s = store.stats()
        agencies = {a.id: a.name for a in store.list_agencies()}
    if as_json:
        emit_json(
            {
                "agencies": s.agencies,
                "records_by_status": s.records_by_status,
                "records_by_owner_type": [
                    {"owner": o, "type": t, "records": n}
                    for (o, t), n in sorted(s.records_by_owner_type.items())
                ],
                "versions": s.versions,
                "mentions": s.mentions,
                "keys": s.keys,
                "batches": s.batches,
                "size_bytes": s.size_bytes,
            }
        )
        return
    owners = sorted({o for o, _ in s.records_by_owner_type})
    types = sorted({t for _, t in s.records_by_owner_type})
    rows = [
        [
            o,
            agencies.get(o, ""),
            *[s.records_by_owner_type.get((o, t), 0) for t in types],
            sum(s.records_by_owner_type.get((o, t), 0) for t in types),
        ]
        for o in owners
    ]
    console.print(
        table("Active records by owner and type", ["owner", "name", *types, "total"], rows)
    )
    size = f"{s.size_bytes / 1e6:.1f} MB" if s.size_bytes is not None else "unknown"
    console.print(
        table(
            "Node",
            [
                "agencies",
                "active",
                "retracted",
                "expunged",
                "versions",
                "mentions",
                "keys",
                "batches",
                "size",
            ],
            [
                [
                    s.agencies,
                    s.records_by_status.get("active", 0),
                    s.records_by_status.get("retracted", 0),
                    s.records_by_status.get("expunged", 0),
                    s.versions,
                    s.mentions,
                    s.keys,
                    s.batches,
                    size,
                ]
            ],
        )
    )
