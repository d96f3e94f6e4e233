"""`lexhub agreement apply/list/show/diff/revoke/explain`: agreements and owner policies."""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from lexhub.access import audited_apply, audited_revoke
from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.cli.user import actor
from lexhub.errors import InputError, NotFound, QueryError
from lexhub.model import RecordType
from lexhub.model.agreement import Agreement, OwnerPolicy, PolicyVersion, policy_to_dict
from lexhub.model.context import RequestContext, UserRole
from lexhub.policy import Requester, decision_to_dict, explain, parse_policies

app = typer.Typer(
    cls=LexhubGroup,
    help="Data-sharing agreements and owner policies: apply, inspect, revoke, explain.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
DocId = Annotated[
    str, typer.Argument(help="Agreement id, or owner-policy:ORI for an owner's policy.")
]


def _version_json(v: PolicyVersion, source: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": v.doc_id,
        "version": v.version,
        "kind": v.kind,
        "owner": v.owner,
        "action": v.action,
        "applied_at": v.applied_at.isoformat(),
        "applied_by": v.applied_by,
        "document": None if v.doc is None else policy_to_dict(v.doc),
    }
    if source:
        out["source"] = v.source
    return out


def _summary(v: PolicyVersion) -> list[Any]:
    d = v.doc
    if isinstance(d, Agreement):
        terms = (
            f"{', '.join(sorted(d.grantees))} | {', '.join(sorted(p.value for p in d.purposes))}"
            f" | {', '.join(sorted(t.value for t in d.record_types))} | {d.max_sensitivity.value}"
            f" {d.disclosure.value}"
        )
        valid = f"{d.valid_from or '…'} to {d.valid_to or '…'}"
    elif isinstance(d, OwnerPolicy):
        terms = "prohibits " + ", ".join(
            sorted([p.value for p in d.prohibited_purposes] + list(d.prohibited_requesters))
            or ["nothing"]
        )
        valid = ""
    else:
        terms, valid = "revoked", ""
    return [v.doc_id, v.version, v.owner, terms, valid, v.applied_at.strftime("%Y-%m-%d %H:%M")]


@app.command("apply")
def apply(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="YAML file: agreements and/or owner policies.")],
    as_json: JsonFlag = False,
) -> None:
    """Check a YAML file and store each document in it as its next version (unchanged ones
    are left as they are). Any error rejects the whole file. Each new version is an entry
    in the audit log."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(path), None, None, f"cannot be read: {e}") from None
    with opened_store(ctx) as store:
        snap = store.policy_snapshot()
        docs = parse_policies(
            text, str(path), agencies=snap.agencies, groups=[g.ref for g in snap.groups]
        )
        applied = audited_apply(store, docs, actor=actor())
    if as_json:
        emit_json([{**_version_json(v), "changed": new} for v, new in applied])
        return
    for v, new in applied:
        console.print(f"{v.doc_id}: version {v.version} ({'applied' if new else 'unchanged'})")


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include revoked documents.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The agreements and owner policies in force (current versions)."""
    with opened_store(ctx) as store:
        versions = store.list_policies(include_revoked=all_)
    if as_json:
        emit_json([_version_json(v) for v in versions])
        return
    columns = ["id", "version", "owner", "grantees | purposes | types | terms", "valid", "applied"]
    console.print(table("Agreements and owner policies", columns, [_summary(v) for v in versions]))


def _history(ctx: typer.Context, doc_id: str) -> list[PolicyVersion]:
    with opened_store(ctx) as store:
        history = store.policy_history(doc_id)
    if not history:
        raise NotFound(f"no agreement or owner policy {doc_id}")
    return history


def _pick(history: list[PolicyVersion], version: int | None) -> PolicyVersion:
    if version is None:
        return history[-1]
    found = [v for v in history if v.version == version]
    if not found:
        raise NotFound(f"{history[0].doc_id} has no version {version}")
    return found[0]


@app.command("show")
def show(
    ctx: typer.Context,
    doc_id: DocId,
    version: Annotated[int | None, typer.Option(help="This version, not the current.")] = None,
    history: Annotated[bool, typer.Option("--history", help="List every version.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """An agreement or owner policy as applied (its YAML), or its history of versions."""
    versions = _history(ctx, doc_id)
    if history:
        if as_json:
            emit_json([_version_json(v) for v in versions])
            return
        rows = [[v.version, v.action, v.applied_at.isoformat(), v.applied_by] for v in versions]
        console.print(table(doc_id, ["version", "action", "at", "by"], rows))
        return
    v = _pick(versions, version)
    if as_json:
        emit_json(_version_json(v, source=True))
        return
    when = v.applied_at.strftime("%Y-%m-%d %H:%M UTC")
    console.print(f"# {v.doc_id} version {v.version}: {v.action} at {when}")
    if v.source is not None:
        typer.echo(v.source.rstrip("\n"))


@app.command("diff")
def diff(
    ctx: typer.Context,
    doc_id: DocId,
    from_: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
    to: Annotated[int | None, typer.Option("--to", help="Newer version (default current).")] = None,
) -> None:
    """What changed between two versions of an agreement (default: the last change)."""
    versions = _history(ctx, doc_id)
    new = _pick(versions, to)
    old = _pick(versions, from_ if from_ is not None else max(new.version - 1, 1))
    lines = difflib.unified_diff(
        (old.source or "").splitlines(keepends=True),
        (new.source or "").splitlines(keepends=True),
        f"{doc_id} v{old.version} ({old.action})",
        f"{doc_id} v{new.version} ({new.action})",
    )
    typer.echo("".join(lines).rstrip("\n") or "no difference")


@app.command("revoke")
def revoke(ctx: typer.Context, doc_id: DocId, as_json: JsonFlag = False) -> None:
    """Take an agreement or owner policy out of force; its history is kept. Audited."""
    with opened_store(ctx) as store:
        v = audited_revoke(store, doc_id, actor=actor())
    if as_json:
        emit_json(_version_json(v))
    else:
        console.print(f"{v.doc_id}: revoked (version {v.version})")


@app.command("explain")
def explain_command(
    ctx: typer.Context,
    requester: Annotated[str, typer.Option(help="The requesting agency's ORI.")],
    purpose: Annotated[str, typer.Option(help="Purpose code (docs/policy.md).")],
    role: Annotated[UserRole, typer.Option(help="The user's role.")] = UserRole.INVESTIGATOR,
    owner: Annotated[str | None, typer.Option(help="Only this owner's records.")] = None,
    record_type: Annotated[RecordType | None, typer.Option(help="Only this type.")] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Evaluate on this day (default today, UTC).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """For each owner and record type: allowed, pointer or denied, and the rule and
    agreement version that decided it."""
    try:
        code = RequestContext.parse_purpose(purpose)
    except ValueError as e:
        raise QueryError("--purpose", str(e).removeprefix("purpose: ")) from None
    try:
        today = date.fromisoformat(on) if on else datetime.now(UTC).date()
    except ValueError:
        raise QueryError("--date", f'"{on}" is not a date (YYYY-MM-DD)') from None
    with opened_store(ctx) as store:
        snap = store.policy_snapshot()
    if requester not in snap.agencies:
        raise NotFound(f"no agency {requester}")
    if owner is not None and owner not in snap.owners:
        raise NotFound(f"no agency {owner}")
    decisions = explain(Requester(requester, role, code), snap, today, owner, record_type)
    if as_json:
        emit_json([decision_to_dict(d) for d in decisions])
        return
    rows = [
        [d.owner, d.record_type.value, d.outcome, "\n".join(d.deciding), "\n".join(d.reasons)]
        for d in decisions
    ]
    title = f"{requester} as {role.value} for {code.value}, on {today}"
    console.print(table(title, ["owner", "record type", "outcome", "decided by", "why"], rows))
