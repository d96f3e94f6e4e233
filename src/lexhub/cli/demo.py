"""`lexhub demo`: a demo node on SQLite with a synthetic region, from nothing: agencies,
records, agreements (one owner prohibits civil immigration enforcement), demo users with
API tokens, and the audit key."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from lexhub import identity
from lexhub.access import audit_sink
from lexhub.access.governance import audited_apply, audited_group_change
from lexhub.access.search import audited_search, blocked_owners
from lexhub.audit import create_checkpoint, ensure_audit_key
from lexhub.cli.agency import agencies_from_file
from lexhub.cli.ingest import REPORT_COLUMNS, batch_files, load_with_progress, report_rows
from lexhub.cli.output import console, opened_store, state, table
from lexhub.cli.stats import stats as print_stats
from lexhub.cli.synth import generate
from lexhub.errors import NotFound
from lexhub.identity import IdentitySettings
from lexhub.model import Agency, AgencyKind, Contact, Disclosure, Purpose, RequestContext, UserRole
from lexhub.policy import Requester, decide, parse_policies
from lexhub.search import PersonQuery
from lexhub.store import Store
from lexhub.synth import SynthConfig
from lexhub.synth.policies import FEDERAL_GROUP, REGION_GROUP, demo_policies, sanctuary_city

FEDERAL = Agency(
    "DC0DHS100", "Federal Task Force (synthetic)", "DC", AgencyKind.FEDERAL, "America/New_York",
    Contact("Task Force Duty Desk", "202-555-0100", "duty@example.gov"),
)  # fmt: skip
ACTOR = "lexhub demo"
# Who signs in to the demo console: a new password and TOTP seed at every `lexhub demo`.
CONSOLE_USERS = ("det.city", "records.city", "auditor.oversight")


def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Where the synthetic region's files go.")
    ] = Path("demo-data"),
    agencies: Annotated[int, typer.Option(help="Contributing agencies.")] = 12,
    people: Annotated[int, typer.Option(help="Distinct people.")] = 20_000,
    records: Annotated[int, typer.Option(help="Records.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Initialize the database, generate a synthetic region, ingest it, apply the demo
    agreements, create demo users with API tokens, print a summary.

    Safe to run twice: the region is the same for the same seed, so the second load
    finds every record unchanged; agreements and users already there are kept."""
    config = SynthConfig(agencies=agencies, people=people, records=records, seed=seed)
    settings = state(ctx).settings
    console.rule("1. synthetic region")
    generate(config, out, quiet=False)
    console.rule(f"2. database {settings.db}")
    with opened_store(ctx, migrate=True) as store:
        key = ensure_audit_key(store, settings.key_dir, actor=ACTOR)
        console.print(f"audit key {key.key_id} (private key in {settings.key_dir})")
        region = agencies_from_file(out / "agencies.json")
        with store.transaction() as tx:
            for agency in (*region, FEDERAL):
                tx.put_agency(agency)
            tx.commit()
        console.rule("3. ingest")
        reports = load_with_progress(
            store, batch_files([out]), quiet=False, region=settings.default_phone_region
        )
        console.print(table("Batches", REPORT_COLUMNS, report_rows(reports)))
        console.rule("4. agreements")
        _agreements(store, region, out)
        console.rule("5. demo users (API tokens are shown once)")
        _users(store, region)
        console.rule("6. sample searches (audited, so that reports have something to show)")
        _sample_searches(store, region)
        c = create_checkpoint(store, settings.key_dir)
        console.print(
            f"audit log: {c.size} entries, head signed with key {c.key_id} "
            "(check it: lexhub audit verify)"
        )
    console.rule("7. summary")
    print_stats(ctx)


def _agreements(store: Store, region: list[Agency], out: Path) -> None:
    """Groups and agreements through the same audited paths as `lexhub group` and
    `lexhub agreement apply`: the demo's log starts with what put them in force."""
    audited_group_change(
        store, REGION_GROUP, add=[a.id for a in region], create=True,
        description="The region's contributing agencies", actor=ACTOR,
    )  # fmt: skip
    audited_group_change(
        store, FEDERAL_GROUP, add=[FEDERAL.id], create=True,
        description="Federal partners", actor=ACTOR,
    )  # fmt: skip
    text = demo_policies([(a.id, a.kind.value) for a in region])
    path = out / "agreements.yaml"
    path.write_text(text, encoding="utf-8")
    docs = parse_policies(
        text, str(path), agencies=[a.id for a in (*region, FEDERAL)],
        groups=[f"group:{REGION_GROUP}", f"group:{FEDERAL_GROUP}"],
    )  # fmt: skip
    applied = audited_apply(store, docs, actor=ACTOR)
    city = sanctuary_city([(a.id, a.kind.value) for a in region])
    console.print(
        f"{sum(new for _, new in applied)} new agreement versions of {len(docs)} in {path}; "
        f"{city} prohibits civil-immigration-enforcement (lexhub agreement explain "
        f"--requester {FEDERAL.id} --purpose civil-immigration-enforcement)"
    )


def _demo_people(region: list[Agency]) -> list[tuple[str, str, UserRole, bool]]:
    """(user, agency, role, oversight) of the demo users."""
    city = sanctuary_city([(a.id, a.kind.value) for a in region]) or region[0].id
    sheriff = next((a.id for a in region if a.kind == AgencyKind.SHERIFF), region[-1].id)
    return [
        ("det.city", city, UserRole.INVESTIGATOR, False),
        ("analyst.county", sheriff, UserRole.ANALYST, False),
        ("records.city", city, UserRole.RECORDS_ADMIN, False),
        ("auditor.oversight", city, UserRole.AUDITOR, True),
        ("agent.federal", FEDERAL.id, UserRole.INVESTIGATOR, False),
    ]


def _users(store: Store, region: list[Agency]) -> None:
    settings = IdentitySettings(on_event=audit_sink(store))
    people = _demo_people(region)
    now = datetime.now(UTC)
    rows: list[list[str]] = []
    for username, agency, role, oversight in people:
        try:
            identity.get_user(store, username)
        except NotFound:
            identity.add_user(
                store, settings, username, agency, [role], now=now, oversight=oversight,
                actor=ACTOR,
            )  # fmt: skip
        issued = identity.create_token(store, settings, username, name="demo", now=now)
        rows.append([username, agency, role.value, issued.token])
    console.print(table("Demo users", ["user", "agency", "role"], [r[:3] for r in rows]))
    for username, _, _, token in rows:  # whole, never cut by the table's width
        typer.echo(f"{username:<18} LEXHUB_TOKEN={token}")
    console.print(
        "Search as one of them: LEXHUB_TOKEN=<token> lexhub search --purpose "
        "criminal-investigation --case 26-0001 --last ..."
    )
    _console_logins(store, settings, now)


def _console_logins(store: Store, settings: IdentitySettings, now: datetime) -> None:
    """Passwords and TOTP seeds of the console's demo users, printed once (never stored in
    clear, never in the repository)."""
    typer.echo("\nConsole logins (http://127.0.0.1:8000 once `lexhub serve` runs):")
    for username in CONSOLE_USERS:
        password = secrets.token_urlsafe(12)
        identity.set_password(store, settings, username, password, now=now, actor=ACTOR)
        seed = identity.enrol_totp(store, settings, username, now=now, actor=ACTOR).seed
        role = ", ".join(sorted(r.value for r in identity.get_user(store, username).roles))
        typer.echo(f"  {username:<18} {role:<14} password {password}  TOTP secret {seed}")
    typer.echo(
        "Add a secret to an authenticator app, or get its current code with\n"
        "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('<secret>').now())\""
    )


# Who searches what in the demo's sample activity: the federal partner's civil immigration
# searches are what the sanctuary city's policy blocks, and its report shows them.
_SAMPLE: list[tuple[str, Purpose, str, PersonQuery]] = [
    ("det.city", Purpose.CRIMINAL_INVESTIGATION, "26-0001", PersonQuery(last="SMITH")),
    ("det.city", Purpose.CRIMINAL_INVESTIGATION, "26-0001", PersonQuery(last="GARCIA")),
    ("analyst.county", Purpose.CRIMINAL_INVESTIGATION, "26-S-0042", PersonQuery(last="JOHNSON")),
    ("agent.federal", Purpose.CRIMINAL_INVESTIGATION, "TF-26-0107", PersonQuery(last="BROWN")),
    ("agent.federal", Purpose.CIVIL_IMMIGRATION_ENFORCEMENT, "ERO-26-5531",
     PersonQuery(last="HERNANDEZ")),
    ("agent.federal", Purpose.CIVIL_IMMIGRATION_ENFORCEMENT, "ERO-26-5532",
     PersonQuery(last="MARTINEZ")),
]  # fmt: skip


def _sample_searches(store: Store, region: list[Agency]) -> None:
    users = {u: (agency, role) for u, agency, role, _ in _demo_people(region)}
    rows: list[list[object]] = []
    for user, purpose, case, query in _SAMPLE:
        agency, role = users[user]
        context = RequestContext(user, agency, role, purpose, case_number=case)
        result = audited_search(store, context, query, page_size=50)
        decisions = decide(Requester.of(context), store.policy_snapshot(), datetime.now(UTC).date())
        full = sum(h.disclosure == Disclosure.FULL for h in result.hits)
        rows.append([user, purpose.value, query.last, full, len(result.hits) - full,
                     ", ".join(blocked_owners(decisions)) or "-"])  # fmt: skip
    console.print(
        table("Sample searches", ["user", "purpose", "last name", "full hits", "pointers",
                                  "blocked by owner policy"], rows)
    )  # fmt: skip
    city = users["records.city"][0]
    console.print(
        f"Who searched the city's data, and what its policy blocked: lexhub report --owner {city}"
    )
