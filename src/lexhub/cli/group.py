"""`lexhub group add/remove/list/members`: named sets of agencies that agreements grant to.
Every membership change is an entry in the audit log naming the agreements it reaches
(`lexhub.access.audited_group_change`), shown in the report of each of their owners."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from lexhub.access import GroupChange, audited_group_change
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.cli.user import actor
from lexhub.errors import NotFound, QueryError
from lexhub.model.agreement import GROUP_PREFIX, Group

app = typer.Typer(
    cls=LexhubGroup, help="Groups of agencies (group:NAME in agreements).", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Name = Annotated[str, typer.Argument(help="Group name, e.g. federal-partners (or group:...).")]
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _name(text: str) -> str:
    name = text.removeprefix(GROUP_PREFIX)
    if not _NAME.match(name):
        raise QueryError("name", f'"{text}" must be lower-case letters, digits and "-"')
    return name


def _group_json(g: Group) -> dict[str, object]:
    return {"group": g.ref, "description": g.description, "members": sorted(g.members)}


@app.command("add")
def add(
    ctx: typer.Context,
    name: Name,
    members: Annotated[list[str] | None, typer.Argument(help="Agency ORIs to add.")] = None,
    description: Annotated[str | None, typer.Option(help="What the group is.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a group (if new) and add agencies to it. Every owner with an agreement
    naming the group thereby shares with the new members."""
    group = _name(name)
    with opened_store(ctx) as store:
        change = audited_group_change(
            store, group, add=members or [], create=True, description=description, actor=actor()
        )
    if as_json:
        emit_json({"group": change.group, "created": change.created,
                   "added": list(change.added), "agreements": _reach(change)})  # fmt: skip
        return
    if change.created:
        console.print(f"group {change.group} created")
    console.print(f"{len(change.added)} member(s) added to {change.group}")
    if change.added and change.agreements:
        console.print(
            "they now receive what these agreements grant: " + "; ".join(_reach(change)),
            soft_wrap=True,
        )


def _reach(change: GroupChange) -> list[str]:
    return [f"{a.id} v{a.version} (owner {a.owner})" for a in change.agreements]


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: Name,
    members: Annotated[list[str], typer.Argument(help="Agency ORIs to remove.")],
    as_json: JsonFlag = False,
) -> None:
    """Remove agencies from a group (the membership history is kept)."""
    group = _name(name)
    with opened_store(ctx) as store:
        change = audited_group_change(store, group, remove=members, actor=actor())
    if as_json:
        emit_json({"group": change.group, "removed": list(change.removed),
                   "agreements": _reach(change)})  # fmt: skip
    else:
        console.print(f"{len(change.removed)} member(s) removed from {change.group}")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every group with its number of members."""
    with opened_store(ctx) as store:
        groups = store.list_groups()
    if as_json:
        emit_json([_group_json(g) for g in groups])
        return
    rows = [[g.ref, len(g.members), g.description] for g in groups]
    console.print(table("Groups", ["group", "members", "description"], rows))


@app.command("members")
def members_(ctx: typer.Context, name: Name, as_json: JsonFlag = False) -> None:
    """The current members of a group."""
    group = _name(name)
    with opened_store(ctx) as store:
        found = [g for g in store.list_groups() if g.name == group]
        agencies = {a.id: a for a in store.list_agencies()}
    if not found:
        raise NotFound(f"no group {GROUP_PREFIX}{group}")
    if as_json:
        emit_json(_group_json(found[0]))
        return
    rows = [[m, agencies[m].name if m in agencies else ""] for m in sorted(found[0].members)]
    console.print(table(found[0].ref, ["agency", "name"], rows))
