"""`lexhub record show/retract/expunge`: an owner's control over its records."""

from __future__ import annotations

from typing import Annotated

import typer

from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.errors import InputError, NotFound
from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.model import record_to_dict
from lexhub.store import StoredRecord

app = typer.Typer(
    cls=LexhubGroup, help="Show, retract or expunge contributed records.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Owner = Annotated[str, typer.Argument(help="Owner agency ORI.")]
SourceId = Annotated[str, typer.Argument(help="The owner's record id.")]


def _stored_json(s: StoredRecord) -> dict[str, object]:
    return {
        "owner": s.owner,
        "source_id": s.source_id,
        "status": s.status.value,
        "version": s.version,
        "digest": s.digest,
        "loaded_at": s.loaded_at.isoformat() if s.loaded_at else None,
        "batch_id": s.batch_id,
        "record": record_to_dict(s.record) if s.record else None,
    }


@app.command("show")
def show(
    ctx: typer.Context,
    owner: Owner,
    source_id: SourceId,
    version: Annotated[
        int | None, typer.Option(help="Show this version instead of the current one.")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="List every version.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a record (node operator view; partner access goes through search and policy)."""
    with opened_store(ctx) as store:
        if history:
            versions = store.record_history(owner, source_id)
            if not versions:
                raise NotFound(f"no record {owner}/{source_id}")
            if as_json:
                emit_json([_stored_json(v) for v in versions])
            else:
                console.print(
                    table(
                        f"{owner}/{source_id}",
                        ["version", "status", "loaded", "batch", "digest"],
                        [
                            [
                                v.version,
                                v.status.value,
                                v.loaded_at,
                                v.batch_id,
                                (v.digest or "")[:16],
                            ]
                            for v in versions
                        ],
                    )
                )
            return
        stored = store.get_record(owner, source_id, version)
    if stored is None:
        raise NotFound(
            f"no record {owner}/{source_id}" + (f" version {version}" if version else "")
        )
    if as_json:
        emit_json(_stored_json(stored))
        return
    console.print(
        f"[bold]{owner}/{source_id}[/bold]  version {stored.version}  {stored.status.value}"
    )
    if stored.record is None:
        console.print(f"content expunged; digest {stored.digest}")
        return
    r = stored.record
    console.print(f"{r.type.value}  occurred {r.occurred}  sensitivity {r.sensitivity.value}")
    if r.offenses:
        console.print(
            "offenses: "
            + ", ".join(o.code + (f" {o.description}" if o.description else "") for o in r.offenses)
        )
    rows = [
        [
            p.ref,
            p.role.value,
            p.name.display(),
            p.dob.iso() if p.dob else None,
            p.sex.value if p.sex else None,
            ", ".join(x.e164 or x.number for x in p.phones),
            "; ".join(a.text for a in p.addresses),
            ", ".join(m.code or m.description or "" for m in p.marks),
        ]
        for p in r.persons
    ]
    console.print(
        table(
            "Persons", ["ref", "role", "name", "dob", "sex", "phones", "addresses", "marks"], rows
        )
    )
    if r.vehicles:
        console.print(
            table(
                "Vehicles",
                ["plate", "state", "make", "model", "color", "year"],
                [[v.plate, v.plate_state, v.make, v.model, v.color, v.year] for v in r.vehicles],
            )
        )
    if r.narrative:
        console.print(r.narrative)


@app.command("retract")
def retract(
    ctx: typer.Context,
    owner: Owner,
    source_ids: Annotated[list[str], typer.Argument(help="One or more of the owner's record ids.")],
    as_json: JsonFlag = False,
) -> None:
    """Withdraw records: no longer searchable, kept with their history for the audit trail."""
    with opened_store(ctx) as store:
        count = retract_records(store, owner, source_ids)
    if as_json:
        emit_json({"owner": owner, "retracted": count})
    else:
        console.print(f"{count} record(s) of {owner} retracted")


@app.command("expunge")
def expunge(
    ctx: typer.Context,
    owner: Owner,
    source_id: SourceId,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the content cannot be recovered.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Erase a record's content everywhere (court order); only its id and digests remain."""
    if not yes:
        raise InputError("expunge", None, None, "expunging cannot be undone; pass --yes to confirm")
    with opened_store(ctx) as store:
        result = expunge_record(store, owner, source_id)
    if as_json:
        emit_json(
            {"owner": result.owner, "source_id": result.source_id, "digests": list(result.digests)}
        )
    else:
        console.print(f"{owner}/{source_id} expunged; {len(result.digests)} version digest(s) kept")
