"""`lexhub record get/show/retract/expunge`: a partner's audited retrieval of a record, and
an owner's control over its records (the node operator's view, retraction, expungement;
each change is an entry in the audit log)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from lexhub.access import RecordView, audited_expunge, audited_record, audited_retract
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.cli.search import (
    CaseOption,
    ContextOptions,
    JustificationOption,
    PurposeOption,
    RoleOption,
    TokenOption,
)
from lexhub.cli.user import actor
from lexhub.errors import InputError, NotFound
from lexhub.model import record_to_dict
from lexhub.store import StoredRecord

app = typer.Typer(
    cls=LexhubGroup,
    help="Get a record as a partner; show, retract or expunge contributed records.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Owner = Annotated[str, typer.Argument(help="Owner agency ORI.")]
SourceId = Annotated[str, typer.Argument(help="The owner's record id.")]
Reason = Annotated[
    str | None,
    typer.Option(help="Why, for the audit log (kept forever: a reference, never personal data)."),
]


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
    """Show a record as the node operator sees it: every field, no agreement applied and
    nothing audited. Partners retrieve records with `record get`."""
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
    reason: Reason = None,
    as_json: JsonFlag = False,
) -> None:
    """Withdraw records: no longer searchable, kept with their history for the audit trail.
    The retraction is an entry in the audit log naming the records."""
    with opened_store(ctx) as store:
        count = audited_retract(store, owner, source_ids, actor=actor(), reason=reason)
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
    order: Annotated[
        str | None,
        typer.Option(help="The court order's reference, for the audit log (no personal data)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Erase a record's content everywhere (court order); only its id and digests remain.
    Audited (id and digests only), and the audit log's query terms naming the record are
    erased."""
    if not yes:
        raise InputError("expunge", None, None, "expunging cannot be undone; pass --yes to confirm")
    with opened_store(ctx) as store:
        result, erased = audited_expunge(store, owner, source_id, actor=actor(), reason=order)
    if as_json:
        emit_json(
            {"owner": result.owner, "source_id": result.source_id,
             "digests": list(result.digests), "query_terms_erased": len(erased)}
        )  # fmt: skip
    else:
        console.print(
            f"{owner}/{source_id} expunged; {len(result.digests)} version digest(s) kept;"
            f" {len(erased)} audit query term(s) naming it erased"
        )


@app.command("get")
def get(
    ctx: typer.Context,
    owner: Owner,
    source_id: SourceId,
    token: TokenOption = None,
    purpose: PurposeOption = None,
    case: CaseOption = None,
    justification: JustificationOption = None,
    role: RoleOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Retrieve a record as a partner: what the owner's agreements let you see, withheld
    fields left out. Names who asks (--token), why (--purpose) and the case (--case), and is
    written to the audit log before anything is shown. A record you may not see answers as
    one that does not exist."""
    asked = ContextOptions(token, purpose, case, justification, role, command="record get")
    asked.check()
    with opened_store(ctx) as store:
        view = audited_record(store, asked.context(store), owner, source_id)
    if as_json:
        emit_json(view.to_dict())
    else:
        _print_view(view)


def _person_name(person: dict[str, Any]) -> str:
    n = person.get("name") or {}
    given = " ".join(str(n[k]) for k in ("first", "middle", "suffix") if n.get(k))
    return ", ".join(x for x in (n.get("last"), given) if x)


def _print_view(view: RecordView) -> None:
    r = view.record
    console.print(f"[bold]{escape(view.owner)}/{escape(view.source_id)}[/bold]  "
                  f"version {view.version}  {view.record_type}")  # fmt: skip
    console.print(escape(f"occurred {r.get('occurred', '-')}  sensitivity {r.get('sensitivity')}"))
    if r.get("offenses"):
        offenses = (" ".join(filter(None, (o.get("code"), o.get("description"))))
                    for o in r["offenses"])  # fmt: skip
        console.print(escape("offenses: " + ", ".join(offenses)))
    rows = [
        [i, p.get("role"), _person_name(p), p.get("dob"), p.get("sex"),
         ", ".join(x.get("e164") or x.get("number", "") for x in p.get("phones", ())),
         "; ".join(a.get("text", "") for a in p.get("addresses", ()))]
        for i, p in enumerate(r.get("persons", ()))
    ]  # fmt: skip
    if rows:
        console.print(
            table("Persons", ["#", "role", "name", "dob", "sex", "phones", "addresses"], rows)
        )
    if r.get("vehicles"):
        cols = ["plate", "plate_state", "make", "model", "color", "year"]
        console.print(table("Vehicles", cols, [[v.get(c) for c in cols] for v in r["vehicles"]]))
    if r.get("narrative"):
        console.print(escape(r["narrative"]))
    if view.withheld:
        withheld = [[w.field, "" if w.person is None else w.person, w.by]
                    for w in view.withheld]  # fmt: skip
        console.print(table("Withheld by the owner's agreements", ["field", "person #", "by"],
                            withheld))  # fmt: skip
