"""`lexhub search`: a person or a record query, as a user, for a purpose and a case.

Options are kept as strings and parsed here, not by click, so that a bad value gives the
one-line `Error: search: --option: ...` every other command gives, not a usage box.

Every search states who asks (an API token of the user: `--token` or LEXHUB_TOKEN), in
which role, for what purpose and case. The agreements in force decide the scope
(`lexhub.access.audited_search`) and the audit entry is committed before any hit prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from lexhub.access import audited_search
from lexhub.access.grouping import grouped_for
from lexhub.cli.output import JSON_HELP, console, emit_json, opened_store
from lexhub.cli.user import identity_settings, now
from lexhub.errors import AccessDenied, InputError, QueryError
from lexhub.federation.wire import hit_to_wire
from lexhub.identity import TokenRejected, authenticate
from lexhub.model import Purpose, Race, RecordType, RequestContext, Sex, UserRole, validate_ori
from lexhub.search import (
    MAX_PAGE_SIZE,
    Hit,
    PersonQuery,
    Query,
    RecordQuery,
    SearchResult,
)
from lexhub.store import Store

__all__ = ["ContextOptions", "search_command"]

PERSON = "Person query (the default)"
RECORD = "Record query (with --records)"
SCOPE = "Request context and output"
PURPOSES = ", ".join(p.value for p in Purpose)


def _opt(help: str, panel: str = PERSON, metavar: str = "TEXT") -> Any:
    return typer.Option(help=help, rich_help_panel=panel, metavar=metavar, show_default=False)


Text = str | None
E = TypeVar("E", bound=StrEnum)


def fail(option: str | None, reason: str, command: str = "search") -> InputError:
    return InputError(command, None, option, reason)


def parse_date(option: str, text: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise fail(option, f'"{text}" is not a date (YYYY-MM-DD)')


def parse_int(option: str, text: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d+", text.strip()) or not low <= int(text) <= high:
        raise fail(option, f'"{text}" is not a whole number from {low} to {high}')
    return int(text)


def parse_height(option: str, text: str) -> int:
    """Inches (70) or feet and inches as written on a record (5'10, 5'10")."""
    feet = re.fullmatch(r"""\s*(\d)\s*'\s*(\d{1,2})\s*"?\s*""", text)
    if feet and int(feet[2]) < 12:
        return int(feet[1]) * 12 + int(feet[2])
    if re.fullmatch(r"\d+", text.strip()) and 12 <= int(text) <= 108:
        return int(text)
    raise fail(option, f"""\"{text}" is not a height (inches from 12 to 108, or 5'10")""")


def parse_code(option: str, text: str, enum: type[E], noun: str) -> E:
    """An enum by its code (`M`) or its name (`male`), case-insensitive."""
    key = text.strip().upper().replace("-", "_").replace(" ", "_")
    for member in enum:
        if key in (member.value.upper(), member.name):
            return member
    codes = ", ".join(_label(m) for m in enum)
    raise fail(option, f'"{text}" is not {noun}: one of {codes}')


def _label(member: StrEnum) -> str:
    name = member.name.lower().replace("_", " ")
    return member.value if member.value.replace("-", " ") == name else f"{member.value} ({name})"


def parse_ori(option: str, text: str) -> str:
    try:
        return validate_ori(text.strip().upper())
    except ValueError as e:
        raise fail(option, str(e)) from None


# The request context options, shared by every command a user runs for a purpose (search,
# record get): who asks (a token), why, for which case, in which role.
TokenOption = Annotated[
    Text,
    typer.Option(
        "--token",
        envvar="LEXHUB_TOKEN",
        show_envvar=True,
        rich_help_panel=SCOPE,
        help="The user's API token (lexhub token create); better from LEXHUB_TOKEN.",
        show_default=False,
    ),
]
PurposeOption = Annotated[Text, _opt(f"Required: why. One of {PURPOSES}.", SCOPE, "CODE")]
CaseOption = Annotated[
    Text,
    _opt(
        "Case number (required for every purpose but training and administrative).",
        SCOPE,
        "NUMBER",
    ),
]
JustificationOption = Annotated[
    Text, _opt("Why, in words (required for training and administrative).", SCOPE)
]
RoleOption = Annotated[Text, _opt("The role you act in, if you hold several.", SCOPE, "ROLE")]


@dataclass(frozen=True)
class ContextOptions:
    """The request context as typed; `command` names the command in error messages."""

    token: Text
    purpose: Text
    case: Text
    justification: Text
    role: Text
    command: str = "search"

    def check(self) -> tuple[Purpose, UserRole | None]:
        """The purpose and role, or the error naming the option: before the store opens."""
        if not self.token:
            raise fail("--token", "required: the API token of the user (or LEXHUB_TOKEN)",
                       self.command)  # fmt: skip
        if not self.purpose:
            raise fail("--purpose", f"required: one of {PURPOSES}", self.command)
        try:
            code = RequestContext.parse_purpose(self.purpose)
        except ValueError as e:
            raise fail("--purpose", str(e).removeprefix("purpose: "), self.command) from None
        try:
            acting = parse_code("--role", self.role, UserRole, "role") if self.role else None
        except InputError as e:
            raise fail(e.field, e.reason, self.command) from None
        return code, acting

    def context(self, store: Store) -> RequestContext:
        """The RequestContext of the token's user for this purpose (the token is checked,
        and a rejected one audited, by `identity.authenticate`)."""
        code, acting = self.check()
        assert self.token is not None  # check() refused a missing one
        try:
            principal = authenticate(store, identity_settings(store), self.token, now())
            return principal.context(
                code, role=acting, case_number=self.case, justification=self.justification
            )
        except TokenRejected as e:
            raise fail("--token", str(e), self.command) from None
        except AccessDenied as e:
            raise fail("--role", str(e), self.command) from None
        except ValueError as e:  # RequestContext: case number or justification missing
            name, _, reason = str(e).partition(": ")
            flag = {"case_number": "--case", "justification": "--justification"}.get(name)
            raise fail(flag, reason or str(e), self.command) from None


Parser = Callable[[str, str], Any]


def as_typed(option: str, text: str) -> str:
    return text


PARSERS: dict[str, Parser] = {
    "dob_from": parse_date,
    "dob_to": parse_date,
    "date_from": parse_date,
    "date_to": parse_date,
    "age_min": lambda o, t: parse_int(o, t, 0, 130),
    "age_max": lambda o, t: parse_int(o, t, 0, 130),
    "height_min": parse_height,
    "height_max": parse_height,
    "weight_min": lambda o, t: parse_int(o, t, 1, 1500),
    "weight_max": lambda o, t: parse_int(o, t, 1, 1500),
    "sex": lambda o, t: parse_code(o, t, Sex, "a sex code"),
    "race": lambda o, t: parse_code(o, t, Race, "a race code"),
    "record_type": lambda o, t: parse_code(o, t, RecordType, "a record type"),
    "owner": parse_ori,
    "offense": lambda o, t: t.strip().upper(),
}  # fields not listed go to the engine as typed; it reports what it cannot read (QueryError)
RANGES = [("dob_from", "dob_to"), ("age_min", "age_max"), ("height_min", "height_max"),
          ("weight_min", "weight_max"), ("date_from", "date_to")]  # fmt: skip
PERSON_FIELDS = [f.name for f in fields(PersonQuery)]
RECORD_FIELDS = [f.name for f in fields(RecordQuery)]


def option(field: str) -> str:
    return "--" + field.replace("_", "-")


def build_query(records: bool, params: dict[str, Any]) -> Query:
    """The query from the options typed (blank ones count as not typed). Options of the
    other kind of query are refused rather than silently dropped."""
    typed = {
        k: v
        for k in dict.fromkeys(PERSON_FIELDS + RECORD_FIELDS)
        if (v := params.get(k)) is not None and v.strip()
    }
    kind, mine = ("record", RECORD_FIELDS) if records else ("person", PERSON_FIELDS)
    stray = [k for k in typed if k not in mine]
    if stray:
        hint = "drop --records to search people" if records else "add --records for a record query"
        raise fail(option(stray[0]), f"not an option of a {kind} query: {hint}")
    if not typed:
        raise fail(None, f"empty {kind} query: give at least one option (lexhub search --help)")
    values = {k: PARSERS.get(k, as_typed)(option(k), v) for k, v in typed.items()}
    for low, high in RANGES:
        if low in values and high in values and values[low] > values[high]:
            raise fail(
                None, f"{option(low)} {values[low]} is greater than {option(high)} {values[high]}"
            )
    return RecordQuery(**values) if records else PersonQuery(**values)


def _name(person: dict[str, Any]) -> str | None:
    given_names = " ".join(str(person[k]) for k in ("first", "middle", "suffix") if person.get(k))
    last = person.get("last")
    if last and given_names:
        return f"{last}, {given_names}"
    return str(last or given_names) or None


def person_cell(hit: Hit) -> str:
    if hit.contact is not None and not hit.person:
        return "(pointer)"
    p = hit.person
    lines = [
        _name(p),
        f"DOB {p['dob']}" if p.get("dob") else None,
        " ".join(f"{k} {p[k]}" for k in ("sex", "race") if p.get(k)) or None,
        str(p["role"]) if p.get("role") else None,  # the person's part in the record
    ]
    return "\n".join(line for line in lines if line)


def record_cell(hit: Hit) -> str:
    lines = [hit.owner, hit.source_id, hit.record_type, hit.occurred]
    return "\n".join(line for line in lines if line)


def why_cell(hit: Hit) -> str:
    if hit.evidence:
        return "\n".join(e.text for e in hit.evidence)
    if hit.contact is not None:
        c = hit.contact
        return "holds a matching record; contact " + ", ".join(
            x for x in (c.unit, c.phone, c.email) if x
        )
    return ""


def results_table(
    result: SearchResult, people: bool = True, ranks: dict[int, int] | None = None,
    title: str | None = None,
) -> Table:  # fmt: skip
    """One hit per row, stacked cells, so a hit stays legible in 100 columns. Record
    queries (`people=False`) have no person column: their hits are records. `ranks` (by
    `id` of the hit) numbers hits shown out of the page's order (a group of them)."""
    t = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, title_justify="left",
              title=title)  # fmt: skip
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("score", no_wrap=True)
    t.add_column("record", max_width=18, overflow="fold")
    if people:
        t.add_column("person", max_width=22, overflow="fold")
    t.add_column("why", ratio=1, overflow="fold")
    first = (result.page - 1) * result.page_size
    for i, hit in enumerate(result.hits, start=first + 1):
        person = [escape(person_cell(hit))] if people else []
        t.add_row(
            str(ranks[id(hit)] if ranks else i),
            f"{hit.score:.2f}\n{hit.band.value}",
            escape(record_cell(hit)),
            *person,
            escape(why_cell(hit)),
        )
    return t


def summary(result: SearchResult) -> str:
    where = (
        f"{result.candidates} candidates scored in the {len(result.owners_searched)} "
        "agencies whose agreements open their records to this request"
    )
    if result.total == 0:
        return f"No hits; {where}"
    return f"{result.total} hits, page {result.page} of {result.pages}; {where}"


def hit_json(rank: int, hit: Hit) -> dict[str, Any]:
    """The hit as peers and the API send it, with the CLI's rank, ids and summary."""
    return {"rank": rank, **hit_to_wire(hit), "record_id": hit.record_id,
            "mention_id": hit.mention_id, "why": hit.why}  # fmt: skip


def result_json(
    query: Query, result: SearchResult, context: RequestContext | None = None
) -> dict[str, Any]:
    typed = {k: v for k, v in vars(query).items() if v is not None}
    first = (result.page - 1) * result.page_size
    return {
        "query": {"kind": "record" if isinstance(query, RecordQuery) else "person", **typed},
        "context": None
        if context is None
        else {
            "user": context.user,
            "agency": context.agency,
            "role": context.role.value,
            "purpose": context.purpose.value,
            "case_number": context.case_number,
        },
        "owners_searched": list(result.owners_searched),
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "total": result.total,
        "candidates": result.candidates,
        "hits": [hit_json(first + i, h) for i, h in enumerate(result.hits, start=1)],
    }


def search_command(
    ctx: typer.Context,
    last: Annotated[Text, _opt("Last name; typos, sound-alikes, one part of a compound.")] = None,
    first: Annotated[Text, _opt("First name; nicknames (Bill = William), initials.")] = None,
    middle: Annotated[Text, _opt("Middle name or initial.")] = None,
    alias: Annotated[Text, _opt('An alias ("LAST, FIRST" or "First Last") or moniker.')] = None,
    dob: Annotated[
        Text, _opt("Date of birth: YYYY-MM-DD (or MM/DD/YYYY), YYYY-MM or YYYY.", metavar="DATE")
    ] = None,
    dob_from: Annotated[Text, _opt("Born on or after (YYYY-MM-DD).", metavar="DATE")] = None,
    dob_to: Annotated[Text, _opt("Born on or before (YYYY-MM-DD).", metavar="DATE")] = None,
    age_min: Annotated[Text, _opt("Age at least (years, today).", metavar="YEARS")] = None,
    age_max: Annotated[Text, _opt("Age at most (years, today).", metavar="YEARS")] = None,
    sex: Annotated[Text, _opt("Sex: M, F or U.", metavar="CODE")] = None,
    race: Annotated[Text, _opt("Race (NCIC): A, B, H, I, P, U or W.", metavar="CODE")] = None,
    height_min: Annotated[Text, _opt("Height at least: inches or 5'10.", metavar="H")] = None,
    height_max: Annotated[Text, _opt("Height at most: inches or 5'10.", metavar="H")] = None,
    weight_min: Annotated[Text, _opt("Weight at least, pounds.", metavar="LB")] = None,
    weight_max: Annotated[Text, _opt("Weight at most, pounds.", metavar="LB")] = None,
    phone: Annotated[
        Text, _opt("Phone in any format, or its last 7 digits (both queries).")
    ] = None,
    address: Annotated[Text, _opt("Address; abbreviations and units in any form.")] = None,
    mark: Annotated[
        Text, _opt('Scar, mark or tattoo: NCIC code ("TAT L ARM") or words ("dragon tattoo").')
    ] = None,
    state_id: Annotated[Text, _opt("State identification number.")] = None,
    driver_license: Annotated[Text, _opt("Driver licence number.")] = None,
    plate: Annotated[
        Text, _opt("Plate; partial with * wildcards (ABC*12); O/0, I/1 alike (both).")
    ] = None,
    records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="Ask a record query (options below) instead of a person query.",
            rich_help_panel=RECORD,
        ),
    ] = False,
    record_type: Annotated[
        Text, _opt(f"One of {', '.join(t.value for t in RecordType)}.", RECORD, "TYPE")
    ] = None,
    offense: Annotated[Text, _opt("Offense, NIBRS code (13A).", RECORD, "CODE")] = None,
    owner: Annotated[Text, _opt("Owner agency ORI.", RECORD, "ORI")] = None,
    date_from: Annotated[Text, _opt("Occurred on or after (YYYY-MM-DD).", RECORD, "DATE")] = None,
    date_to: Annotated[Text, _opt("Occurred on or before (YYYY-MM-DD).", RECORD, "DATE")] = None,
    location: Annotated[Text, _opt("Where it happened: an address.", RECORD)] = None,
    text: Annotated[Text, _opt("Free text over narratives.", RECORD)] = None,
    token: TokenOption = None,
    purpose: PurposeOption = None,
    case: CaseOption = None,
    justification: JustificationOption = None,
    role: RoleOption = None,
    page: Annotated[Text, _opt("Page of results (from 1).", SCOPE, "N")] = None,
    page_size: Annotated[
        Text, _opt(f"Hits per page (default 20, at most {MAX_PAGE_SIZE}).", SCOPE, "N")
    ] = None,
    group_by_entity: Annotated[
        bool,
        typer.Option(
            "--group-by-entity",
            rich_help_panel=SCOPE,
            help="Show the page's hits grouped by person (as you may see persons).",
        ),
    ] = False,  # fmt: skip
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP, rich_help_panel=SCOPE)] = False,
) -> None:
    """Find a person, or records, across the agencies whose agreements let you: ranked
    hits, each with its reasons. Every search names who asks (--token), why (--purpose)
    and the case (--case), and is written to the audit log before any hit is shown."""
    asked = ContextOptions(token, purpose, case, justification, role)
    asked.check()
    query = build_query(records, ctx.params)
    page_n = parse_int("--page", page, 1, 1_000_000) if page is not None else 1
    size = parse_int("--page-size", page_size, 1, MAX_PAGE_SIZE) if page_size is not None else 20
    with opened_store(ctx) as store:
        owners = [a.id for a in store.list_agencies()]
        if isinstance(query, RecordQuery) and query.owner and query.owner not in owners:
            raise fail("--owner", f"no agency {query.owner} on this node")
        context = asked.context(store)
        try:
            result = audited_search(store, context, query, page=page_n, page_size=size)
        except QueryError as e:  # the engine names the query field; say which option it was
            raise fail(None if e.field == "query" else option(e.field), e.reason) from None
        groups = grouped_for(store, context, result.hits) if group_by_entity else None
    ranks = {id(h): i for i, h in enumerate(result.hits, start=(page_n - 1) * size + 1)}
    if as_json:
        out = result_json(query, result, context)
        if groups is not None:
            out["groups"] = [{"entity": g.entity, "best": g.best,
                              "ranks": [ranks[id(h)] for h in g.hits]} for g in groups]  # fmt: skip
        emit_json(out)
        return
    if groups is not None:
        for n, g in enumerate(groups, start=1):
            name = f"person {n}" + (f" (entity of mention {g.entity})" if g.entity else "")
            console.print(results_table(replace(result, hits=g.hits), people=not records,
                                        ranks=ranks, title=name))  # fmt: skip
    elif result.hits:
        console.print(results_table(result, people=not records))
    console.print(escape(summary(result)), soft_wrap=True)
