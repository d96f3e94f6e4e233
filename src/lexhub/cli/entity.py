"""`lexhub entity show/associates`: one person across agencies, as a partner may see it.

Both are audited requests with the same context options as `lexhub search` and `record
get` (who asks, why, the case); the entity is formed for the requester from the mentions
and links it may see (docs/linkage.md), so the same mention id can show a smaller entity
to another agency. A mention you may not see answers as one that does not exist."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from lexhub.access.entity import audited_associates, audited_entity
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.cli.search import (
    CaseOption,
    ContextOptions,
    JustificationOption,
    PurposeOption,
    RoleOption,
    TokenOption,
)
from lexhub.linkage.associates import Associate, Member
from lexhub.linkage.evidence import evidence as explain
from lexhub.linkage.evidence import evidence_text

__all__ = ["app", "associate_json", "member_json"]

app = typer.Typer(
    cls=LexhubGroup,
    help="An entity's records and its associates, as your agreements let you see them.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
MentionId = Annotated[int, typer.Argument(help="A person mention id (from a search hit).")]


def member_json(m: Member) -> dict[str, Any]:
    return {
        "mention_id": m.mention_id, "owner": m.owner, "source_id": m.source_id,
        "record_type": m.record_type, "occurred": m.occurred, "role": m.role,
        "name": m.name, "dob": m.dob, "weight": m.weight,
    }  # fmt: skip


def associate_json(a: Associate, records: dict[int, Member]) -> dict[str, Any]:
    """An associate with each connection's two records named (owner, source id)."""

    def ref(record_id: int) -> dict[str, str]:
        m = records[record_id]
        return {"owner": m.owner, "source_id": m.source_id, "record_type": m.record_type}

    return {
        "name": a.name,
        "strength": a.strength,
        "members": [member_json(m) for m in a.members],
        "connections": [
            {"kind": c.kind, "key": c.key, "entity_record": ref(c.entity_record),
             "associate_record": ref(c.associate_record)}
            for c in a.connections
        ],
    }  # fmt: skip


@app.command("show")
def show(
    ctx: typer.Context,
    mention_id: MentionId,
    token: TokenOption = None,
    purpose: PurposeOption = None,
    case: CaseOption = None,
    justification: JustificationOption = None,
    role: RoleOption = None,
    evidence: Annotated[
        bool,
        typer.Option("--evidence", help="Explain, in words, each link that ties a record in."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """The records of the person behind a mention, each with the match weight that tied it
    in; --evidence adds why each pair was linked. Audited before anything is shown."""
    asked = ContextOptions(token, purpose, case, justification, role, command="entity show")
    asked.check()
    with opened_store(ctx) as store:
        context = asked.context(store)
        view = audited_entity(store, context, mention_id)
        model = store.linkage_model()
        # The pairs of the entity just shown (and audited): no further disclosure.
        explained = [explain(model, k) for k in view.entity.links] if evidence and model else []
    if as_json:
        out: dict[str, Any] = {
            "mention_id": mention_id, "threshold": view.entity.threshold,
            "members": [member_json(m) for m in view.members],
        }  # fmt: skip
        if evidence:
            out["evidence"] = [
                {"left": p.left, "right": p.right, "lines": evidence_text(p)}
                for p in explained
            ]  # fmt: skip
        emit_json(out)
        return
    rows = [
        [m.mention_id, m.owner, m.source_id, m.record_type, m.occurred, m.role, m.name, m.dob,
         "-" if m.weight is None else f"{m.weight:+.2f}"]
        for m in view.members
    ]  # fmt: skip
    console.print(
        table(
            f"Entity of mention {mention_id} ({len(rows)} record mention(s))",
            ["mention", "owner", "record", "type", "date", "role", "name", "dob", "weight"],
            rows,
        )
    )
    for p in explained:
        console.print(f"[bold]mentions {p.left} and {p.right}[/bold]")
        for line in evidence_text(p):
            console.print("  " + escape(line))


@app.command("associates")
def associates(
    ctx: typer.Context,
    mention_id: MentionId,
    token: TokenOption = None,
    purpose: PurposeOption = None,
    case: CaseOption = None,
    justification: JustificationOption = None,
    role: RoleOption = None,
    limit: Annotated[int, typer.Option(help="At most this many associates.", min=1)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """People who share a record, a phone, an address or a vehicle with the person behind
    a mention, strongest first, with the records that connect them. Audited."""
    asked = ContextOptions(token, purpose, case, justification, role, command="entity associates")
    asked.check()
    with opened_store(ctx) as store:
        answer = audited_associates(store, asked.context(store), mention_id, limit=limit)
    records = {m.record_id: m for m in answer.members}
    for a in answer.associates:
        records.update((m.record_id, m) for m in a.members)
    if as_json:
        emit_json(
            {"mention_id": mention_id, "members": [member_json(m) for m in answer.members],
             "associates": [associate_json(a, records) for a in answer.associates]}
        )  # fmt: skip
        return

    def where(record_id: int) -> str:
        return f"{records[record_id].owner}/{records[record_id].source_id}"

    rows = [
        [a.name, a.strength, len(a.members),
         "; ".join(
             f"{c.kind}{' ' + c.key if c.key else ''} ({where(c.entity_record)}"
             + ("" if c.associate_record == c.entity_record else f" ~ {where(c.associate_record)}")
             + ")"
             for c in a.connections
         )]
        for a in answer.associates
    ]  # fmt: skip
    console.print(
        table(
            f"Associates of mention {mention_id}",
            ["name", "strength", "mentions", "connections"],
            rows,
        )
    )
    if not rows:
        console.print("no associates inside your scope")
