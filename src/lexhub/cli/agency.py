"""`lexhub agency add/list/import`: the agencies this node holds records for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.errors import InputError
from lexhub.model import Agency, AgencyKind, Contact

app = typer.Typer(
    cls=LexhubGroup, help="Agencies: contributors and requesters.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _agency_json(a: Agency) -> dict[str, object]:
    return {
        "id": a.id,
        "name": a.name,
        "state": a.state,
        "kind": a.kind.value,
        "time_zone": a.time_zone,
        "contact": {"unit": a.contact.unit, "phone": a.contact.phone, "email": a.contact.email},
    }


@app.command("add")
def add(
    ctx: typer.Context,
    ori: Annotated[str, typer.Argument(help="ORI-style id, 9 characters, e.g. WA0171500.")],
    name: Annotated[str, typer.Option(help="The agency's name.")],
    kind: Annotated[AgencyKind, typer.Option(help="Kind of agency.")] = AgencyKind.POLICE,
    time_zone: Annotated[str, typer.Option("--tz", help="IANA time zone.")] = "America/Los_Angeles",
    contact_unit: Annotated[
        str, typer.Option(help="Unit partners contact about records.")
    ] = "Records",
    contact_phone: Annotated[str | None, typer.Option(help="Contact phone.")] = None,
    contact_email: Annotated[str | None, typer.Option(help="Contact e-mail.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Register an agency (or replace its details)."""
    try:
        agency = Agency(
            ori, name, ori[:2], kind, time_zone, Contact(contact_unit, contact_phone, contact_email)
        )
    except ValueError as e:
        raise InputError("agency", None, "ori", str(e)) from None
    with opened_store(ctx) as store, store.transaction() as tx:
        tx.put_agency(agency)
        tx.commit()
    if as_json:
        emit_json(_agency_json(agency))
    else:
        console.print(f"agency {agency.id} ({agency.name}) registered")


def agencies_from_file(path: Path) -> list[Agency]:
    """Read an agencies JSON file (a list of agency objects, as `lexhub synth` writes)."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(str(path), None, None, f"not a JSON list of agencies: {e}") from None
    agencies = []
    for i, item in enumerate(items):
        try:
            contact = item.get("contact") or {}
            agencies.append(
                Agency(
                    item["id"],
                    item["name"],
                    item.get("state", item["id"][:2]),
                    AgencyKind(item.get("kind", "police")),
                    item.get("time_zone", "America/Los_Angeles"),
                    Contact(
                        contact.get("unit", "Records"), contact.get("phone"), contact.get("email")
                    ),
                )
            )
        except (KeyError, ValueError, TypeError, AttributeError) as e:
            raise InputError(str(path), f"[{i}]", None, f"bad agency: {e}") from None
    return agencies


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="agencies.json: a list of agency objects.")],
    as_json: JsonFlag = False,
) -> None:
    """Register every agency in a JSON file."""
    agencies = agencies_from_file(path)
    with opened_store(ctx) as store, store.transaction() as tx:
        for agency in agencies:
            tx.put_agency(agency)
        tx.commit()
    if as_json:
        emit_json([_agency_json(a) for a in agencies])
    else:
        console.print(f"{len(agencies)} agencies registered")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The agencies registered on this node."""
    with opened_store(ctx) as store:
        agencies = store.list_agencies()
    if as_json:
        emit_json([_agency_json(a) for a in agencies])
        return
    rows = [
        [a.id, a.name, a.kind.value, a.time_zone, a.contact.unit, a.contact.phone] for a in agencies
    ]
    console.print(table("Agencies", ["id", "name", "kind", "time zone", "contact", "phone"], rows))
