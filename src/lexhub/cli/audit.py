"""`lexhub audit verify/export/entries/checkpoint/erase-terms/key`: the log and its key.

Every read of the log from here is itself an audit entry, written before anything is shown.
"""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from lexhub.audit import (
    MIN_RETENTION_DAYS,
    Anchor,
    VerifyReport,
    create_checkpoint,
    erase_expired_terms,
    erase_terms,
    export_log,
    read_entries,
    read_export,
    read_keys,
    record_event,
    rotate_audit_key,
    verify_export,
    verify_store,
)
from lexhub.audit.checkpoint import checkpoint_to_dict
from lexhub.cli.output import (
    JSON_HELP,
    LexhubGroup,
    console,
    emit_json,
    opened_store,
    state,
    table,
)
from lexhub.errors import InputError, LexhubError
from lexhub.federation import PeerHeld, ensure_node_key, peer_anchors
from lexhub.model.audit import (
    AuditEntry,
    AuditEvent,
    AuditFilter,
    AuditKey,
    AuditKind,
    Checkpoint,
)

app = typer.Typer(
    cls=LexhubGroup,
    help="The audit log: verify, export, list entries, sign checkpoints, rotate the key.",
    no_args_is_help=True,
)
key_app = typer.Typer(cls=LexhubGroup, help="The audit signing key.", no_args_is_help=True)
app.add_typer(key_app, name="key")

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
KeyDir = Annotated[
    Path | None,
    typer.Option(
        "--key-dir",
        help="Directory of the audit private key (default: lexhub's --key-dir setting, "
        "LEXHUB_KEY_DIR, or lexhub-keys beside a SQLite database).",
        show_default=False,
    ),
]


def _key_dir(ctx: typer.Context, given: Path | None) -> Path:
    return given if given is not None else Path(state(ctx).settings.key_dir)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (some containers)
        return "cli"


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(option, None, None, f"{text!r} is not a date (YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _key_json(k: AuditKey) -> dict[str, Any]:
    return {
        "key_id": k.key_id,
        "public_key": k.public_key,
        "created_at": k.created_at.isoformat(),
        "retired_at": None if k.retired_at is None else k.retired_at.isoformat(),
    }


def _report_out(
    report: VerifyReport, source: str, as_json: bool, peers: list[dict[str, Any]] | None = None
) -> None:
    if as_json:
        emit_json(
            {
                **({"peers": peers} if peers is not None else {}),
                "source": source,
                "ok": report.ok,
                "entries": report.entries,
                "head": report.head,
                "checkpoints": report.checkpoints,
                "latest_checkpoint": report.latest_checkpoint,
                "problems": report.problems,
                "problem_count": report.problem_count,
                "warnings": report.warnings,
            }
        )
    else:
        for p in report.problems:
            typer.echo(f"PROBLEM {p}")
        for w in report.warnings:
            typer.echo(f"warning: {w}")
        if report.ok:
            covered = report.latest_checkpoint if report.latest_checkpoint is not None else 0
            typer.echo(
                f"{source}: OK, {report.entries} entries, head {report.head[:16]}, "
                f"{report.checkpoints} checkpoint(s), signed up to entry {covered}"
            )
    if not report.ok:
        raise LexhubError(f"{source}: audit log verification failed: "
                          f"{report.problem_count} problem(s)")  # fmt: skip


@app.command("verify")
def verify(
    ctx: typer.Context,
    export: Annotated[
        Path | None,
        typer.Option(help="Verify this export file instead of the database (no database used)."),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(help="An earlier export kept elsewhere: the log must still hold it."),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option(help="Trusted public keys: `audit key list --json` output or an export."),
    ] = None,
    against_peers: Annotated[
        bool,
        typer.Option(
            "--against-peers",
            help="Also fetch the checkpoints of this node that its peers keep (witnessing) "
            "and check the log still ends in their heads at their sizes.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Recompute the chain and check every checkpoint; exit 1 on any problem."""
    if against_peers and export is not None:
        raise InputError("--against-peers", None, None, "checks the database, not --export")
    trusted = None if keys is None else read_keys(keys)
    anchors: list[Anchor] = []
    extra: list[Checkpoint] = []
    if against is not None:
        ref = read_export(against)
        anchor = ref.anchor(against.name)
        anchors = [anchor] if anchor else []
        extra = ref.checkpoints
    if export is not None:
        report = verify_export(read_export(export), trusted, anchors, extra)
        _report_out(report, export.name, as_json)
        return
    held: list[PeerHeld] = []
    with opened_store(ctx) as store:
        record_event(
            store,
            AuditEvent(AuditKind.AUDIT_READ, actor=_actor(), details={"action": "verify"}),
        )
        if against_peers:
            me = ensure_node_key(state(ctx).settings.key_dir)
            from_peers, held = asyncio.run(peer_anchors(store, me, trusted))
            anchors = [*anchors, *from_peers]
        report = verify_store(store, trusted, anchors, extra)
    for h in held:
        if h.status != "ok":
            report.warnings.append(f"peer {h.peer}: {h.status} ({h.detail or '-'}): not compared")
        elif h.unsigned:
            report.warnings.append(f"peer {h.peer}: {h.unsigned} checkpoint(s) not signed by "
                                   "this node's audit keys on record")  # fmt: skip
        elif not h.checkpoints:
            report.warnings.append(f"peer {h.peer} holds no checkpoint of this node yet")
    if against_peers and not as_json:
        for h in held:
            typer.echo(f"peer {h.peer}: {h.status}, {len(h.checkpoints)} checkpoint(s) held")
    _report_out(report, "database", as_json,
                peers=[{"peer": h.peer, "status": h.status, "checkpoints": len(h.checkpoints),
                        "unsigned": h.unsigned, "detail": h.detail} for h in held]
                if against_peers else None)  # fmt: skip


@app.command("export")
def export_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The JSON Lines file to write.")],
    as_json: JsonFlag = False,
) -> None:
    """Write every entry, checkpoint and public key to FILE (no query terms)."""
    with opened_store(ctx) as store:
        n = export_log(store, file, actor=_actor())
    if as_json:
        emit_json({"file": str(file), "entries": n})
    else:
        typer.echo(f"{file}: {n} entries exported")


def _summary(e: AuditEntry) -> str:
    d = e.data
    parts = [f"{k} {v}" for k, v in sorted(d.get("counts", {}).items())]
    if d.get("disclosed"):
        parts.append(f"{len(d['disclosed'])} disclosed")
    if d.get("pointers"):
        parts.append(f"{len(d['pointers'])} pointers")
    if "action" in d.get("details", {}):
        parts.append(str(d["details"]["action"]))
    return ", ".join(parts)


@app.command("entries")
def entries(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="Only this kind (search, denied, ...).")] = None,
    agency: Annotated[str | None, typer.Option(help="Only requests by this agency (ORI).")] = None,
    user: Annotated[str | None, typer.Option(help="Only this user (or actor).")] = None,
    since: Annotated[str | None, typer.Option(help="From this date or time (UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date or time (UTC).")] = None,
    after: Annotated[int, typer.Option(help="Only entries after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many entries.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List entries, oldest first (this listing is itself recorded)."""
    if kind is not None and kind not in {k.value for k in AuditKind}:
        codes = ", ".join(k.value for k in AuditKind)
        raise InputError("--kind", None, None, f"unknown kind {kind!r}; one of {codes}")
    where = AuditFilter(kind, agency, user, _when(since, "--since"), _when(until, "--until"), after)
    with opened_store(ctx) as store:
        found = read_entries(store, where, limit, actor=_actor())
    if as_json:
        emit_json([{"seq": e.seq, "hash": e.hash, "entry": e.data} for e in found])
        return
    rows = []
    for e in found:
        d = e.data
        c = d.get("context", {})
        rows.append(
            [
                e.seq,
                d["at"][:19],
                d["kind"],
                c.get("agency"),
                c.get("user") or d.get("actor"),
                c.get("purpose"),
                _summary(e),
            ]  # fmt: skip
        )
    console.print(
        table("Audit entries", ["seq", "at", "kind", "agency", "user", "purpose", "what"], rows)
    )


@app.command("checkpoint")
def checkpoint(ctx: typer.Context, key_dir: KeyDir = None, as_json: JsonFlag = False) -> None:
    """Sign the current head with the audit key and keep the checkpoint."""
    with opened_store(ctx) as store:
        c = create_checkpoint(store, _key_dir(ctx, key_dir))
    out = checkpoint_to_dict(c)
    if as_json:
        emit_json(out)
    else:
        typer.echo(out["text"] + "signature " + out["signature"])


@app.command("erase-terms")
def erase_terms_command(
    ctx: typer.Context,
    older_than: Annotated[
        int,
        typer.Option(
            help=f"Erase query terms older than this many days (at least {MIN_RETENTION_DAYS})."
        ),
    ] = MIN_RETENTION_DAYS,
    digest: Annotated[
        list[str] | None, typer.Option(help="Erase these queries' terms now, whatever their age.")
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Why, for the log (e.g. an order number; no personal data).")
    ] = "retention",
    as_json: JsonFlag = False,
) -> None:
    """Erase personal data typed into queries; the chained entries stay."""
    if older_than < MIN_RETENTION_DAYS:
        raise InputError(
            "--older-than", None, None, f"{older_than} days is below the minimum retention "
            f"of {MIN_RETENTION_DAYS} days"
        )  # fmt: skip
    with opened_store(ctx) as store:
        if digest:
            erased = erase_terms(store, digest, reason=reason, actor=_actor())
        else:
            erased = erase_expired_terms(store, older_than, actor=_actor())
    if as_json:
        emit_json({"erased": erased})
    else:
        console.print(f"query terms of {len(erased)} entries erased")


@key_app.command("rotate")
def key_rotate(ctx: typer.Context, key_dir: KeyDir = None, as_json: JsonFlag = False) -> None:
    """Create a new audit key; the old one is retired and stays on record."""
    with opened_store(ctx) as store:
        key = rotate_audit_key(store, _key_dir(ctx, key_dir), actor=_actor())
        c = create_checkpoint(store, _key_dir(ctx, key_dir))
    if as_json:
        emit_json({**_key_json(key), "checkpoint": checkpoint_to_dict(c)})
    else:
        console.print(f"audit key {key.key_id} is active; head signed at entry {c.size}")


@key_app.command("list")
def key_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every audit public key on record (give `--json` output to auditors)."""
    with opened_store(ctx) as store:
        keys = store.audit_keys()
    if as_json:
        emit_json([_key_json(k) for k in keys])
        return
    rows = [[k.key_id, k.public_key, k.created_at.isoformat()[:19],
             "active" if k.retired_at is None else k.retired_at.isoformat()[:19]]
            for k in keys]  # fmt: skip
    console.print(table("Audit keys", ["key", "public key", "created", "retired"], rows))
